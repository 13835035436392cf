"use client";
// One list of project rules as editable rows (a text field per column, add and remove).
export type Row = Record<string, string>;

export function RuleRows({
  title,
  hint,
  columns,
  rows,
  onChange,
  testId,
}: {
  title: string;
  hint: string;
  columns: Array<{ key: string; label: string; placeholder: string }>;
  rows: Row[];
  onChange: (rows: Row[]) => void;
  testId: string;
}) {
  const blank = () => Object.fromEntries(columns.map((c) => [c.key, ""]));
  const set = (i: number, key: string, value: string) => onChange(rows.map((r, j) => (j === i ? { ...r, [key]: value } : r)));
  return (
    <fieldset className="space-y-1" data-testid={testId}>
      <legend className="font-medium">{title}</legend>
      <p className="text-xs text-slate-500">{hint}</p>
      {rows.map((row, i) => (
        <div key={i} className="flex items-center gap-2">
          {columns.map((c) => (
            <input
              key={c.key}
              aria-label={`${title} ${i + 1} ${c.label}`}
              placeholder={c.placeholder}
              value={row[c.key] ?? ""}
              onChange={(e) => set(i, c.key, e.target.value)}
              className="w-56 rounded border border-slate-300 px-2 py-1 font-mono text-xs"
            />
          ))}
          <button type="button" className="text-xs text-rose-700 hover:underline" onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            remove
          </button>
        </div>
      ))}
      <button type="button" className="text-xs text-sky-700 hover:underline" onClick={() => onChange([...rows, blank()])}>
        + add {columns.map((c) => c.label).join(" / ")}
      </button>
    </fieldset>
  );
}
