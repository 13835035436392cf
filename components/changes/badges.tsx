// Small labels for change requests: status, provider (with its external link), file change kind.
const STATUS: Record<string, string> = {
  open: "bg-emerald-100 text-emerald-800",
  merged: "bg-violet-100 text-violet-800",
  closed: "bg-slate-200 text-slate-700",
};

export function ChangeStatusBadge({ status }: { status: string }) {
  return (
    <span data-testid="change-status" className={`rounded px-2 py-0.5 text-xs font-medium ${STATUS[status] ?? "bg-slate-100"}`}>
      {status}
    </span>
  );
}

export function ProviderBadge({ provider, url, number }: { provider: string; url: string | null; number: number | null }) {
  if (provider === "git")
    return (
      <span data-testid="provider-badge" className="rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-700">
        Tideline
      </span>
    );
  const label = provider === "github" ? "GitHub" : provider === "gitlab" ? "GitLab" : provider;
  const text = `${label}${number ? ` ${provider === "gitlab" ? "!" : "#"}${number}` : ""}`;
  return url ? (
    <a data-testid="provider-link" href={url} target="_blank" rel="noreferrer" className="rounded bg-sky-50 px-2 py-0.5 text-xs text-sky-800 underline">
      {text} ↗
    </a>
  ) : (
    <span data-testid="provider-badge" className="rounded bg-sky-50 px-2 py-0.5 text-xs text-sky-800">
      {text}
    </span>
  );
}

const FILE: Record<string, string> = { added: "A", modified: "M", deleted: "D", renamed: "R" };
const FILE_STYLE: Record<string, string> = { added: "text-emerald-700", modified: "text-amber-700", deleted: "text-rose-700", renamed: "text-sky-700" };

export function FileChangeMark({ change }: { change: string }) {
  return (
    <span title={change} className={`inline-block w-4 font-mono text-xs font-bold ${FILE_STYLE[change] ?? ""}`}>
      {FILE[change] ?? "?"}
    </span>
  );
}
