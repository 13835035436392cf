"use client";
// Create or edit an image policy: image and registry credentials, the tag rule, where and how to write.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";
import type { EnvironmentChoice, ImagePolicy, TagPolicy } from "./types";

const input = "mt-1 rounded border border-slate-300 px-2 py-1.5";

export function PolicyForm({
  environments,
  existing,
  onDone,
}: {
  environments: EnvironmentChoice[];
  existing?: ImagePolicy;
  onDone?: (p: ImagePolicy) => void;
}) {
  const client = useQueryClient();
  const [name, setName] = useState(existing?.name ?? "");
  const [image, setImage] = useState(existing?.image ?? "");
  const [insecure, setInsecure] = useState(existing?.insecure ?? false);
  const [username, setUsername] = useState(existing?.username ?? "");
  const [password, setPassword] = useState("");
  const [clearPassword, setClearPassword] = useState(false);
  const [type, setType] = useState<TagPolicy["type"]>(existing?.policy.type ?? "semver");
  const [range, setRange] = useState(existing?.policy.type === "semver" ? existing.policy.range : ">=1.0.0 <2");
  const [pattern, setPattern] = useState(existing?.policy.type === "regex" ? existing.policy.pattern : "^main-(?P<ts>\\d+)$");
  const [extract, setExtract] = useState(existing?.policy.type === "regex" ? existing.policy.extract : "$ts");
  const [sort, setSort] = useState<"numeric" | "alphabetical">(existing?.policy.type === "regex" ? existing.policy.sort : "numeric");
  const [order, setOrder] = useState<"asc" | "desc">(existing?.policy.type && existing.policy.type !== "semver" ? existing.policy.order : "asc");
  const [allowDowngrade, setAllowDowngrade] = useState(existing?.allowDowngrade ?? false);
  const [writeMode, setWriteMode] = useState<ImagePolicy["writeMode"]>(existing?.writeMode ?? "commit");
  const [interval, setIntervalSeconds] = useState(existing?.intervalSeconds ?? 300);
  const [chosen, setChosen] = useState<Set<string>>(new Set(existing?.environments.map((e) => e.id) ?? []));

  const policy = (): TagPolicy => (type === "semver" ? { type, range } : type === "numeric" ? { type, order } : { type, pattern, extract, sort, order });
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name,
        image,
        insecure,
        username: username || null,
        policy: policy(),
        allowDowngrade,
        writeMode,
        intervalSeconds: interval,
        environmentIds: [...chosen],
        ...(password ? { password } : clearPassword ? { password: null } : {}),
      };
      return existing
        ? api<{ policy: ImagePolicy }>(`/api/images/policies/${existing.id}`, { method: "PATCH", body })
        : api<{ policy: ImagePolicy }>("/api/images/policies", { method: "POST", body });
    },
    onSuccess: ({ policy: saved }) => {
      setPassword("");
      if (!existing) {
        setName("");
        setImage("");
        setChosen(new Set());
      }
      void client.invalidateQueries({ queryKey: ["image-policies"] });
      void client.invalidateQueries({ queryKey: ["image-policy", saved.id] });
      onDone?.(saved);
    },
  });

  const toggle = (id: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    setChosen(next);
  };

  return (
    <form
      data-testid="policy-form"
      className="space-y-3 rounded border border-slate-200 bg-white p-4 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <h2 className="font-medium">{existing ? `Edit ${existing.name}` : "New image policy"}</h2>
      <div className="flex flex-wrap items-end gap-3">
        <label>
          <span className="block text-slate-600">Name</span>
          <input name="policy-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="guestbook" className={input} required />
        </label>
        <label className="min-w-80 flex-1">
          <span className="block text-slate-600">Image repository (no tag)</span>
          <input
            name="policy-image"
            value={image}
            onChange={(e) => setImage(e.target.value)}
            placeholder="ghcr.io/example/guestbook"
            className={`${input} w-full font-mono text-xs`}
            required
          />
        </label>
        <label className="flex items-center gap-1">
          <input type="checkbox" name="policy-insecure" checked={insecure} onChange={(e) => setInsecure(e.target.checked)} /> plain HTTP
        </label>
      </div>
      <div className="flex flex-wrap items-end gap-3">
        <label>
          <span className="block text-slate-600">Registry username (optional)</span>
          <input name="policy-username" value={username} onChange={(e) => setUsername(e.target.value)} className={input} autoComplete="off" />
        </label>
        <label>
          <span className="block text-slate-600">Password or token {existing?.hasPassword ? "(set; leave empty to keep)" : "(optional)"}</span>
          <input
            name="policy-password"
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            className={input}
            autoComplete="new-password"
          />
        </label>
        {existing?.hasPassword && (
          <label className="flex items-center gap-1">
            <input type="checkbox" checked={clearPassword} onChange={(e) => setClearPassword(e.target.checked)} /> remove the stored password
          </label>
        )}
      </div>
      <div className="flex flex-wrap items-end gap-3">
        <label>
          <span className="block text-slate-600">Tag rule</span>
          <select name="policy-type" value={type} onChange={(e) => setType(e.target.value as TagPolicy["type"])} className={input}>
            <option value="semver">Semantic version range</option>
            <option value="regex">Regular expression</option>
            <option value="numeric">Numeric tags</option>
          </select>
        </label>
        {type === "semver" && (
          <label>
            <span className="block text-slate-600">Range</span>
            <input name="policy-range" value={range} onChange={(e) => setRange(e.target.value)} className={`${input} font-mono text-xs`} />
          </label>
        )}
        {type === "regex" && (
          <>
            <label>
              <span className="block text-slate-600">Pattern</span>
              <input name="policy-pattern" value={pattern} onChange={(e) => setPattern(e.target.value)} className={`${input} font-mono text-xs`} />
            </label>
            <label>
              <span className="block text-slate-600">Extract</span>
              <input name="policy-extract" value={extract} onChange={(e) => setExtract(e.target.value)} className={`${input} w-24 font-mono text-xs`} />
            </label>
            <label>
              <span className="block text-slate-600">Sort</span>
              <select value={sort} onChange={(e) => setSort(e.target.value as "numeric" | "alphabetical")} className={input}>
                <option value="numeric">numeric</option>
                <option value="alphabetical">alphabetical</option>
              </select>
            </label>
          </>
        )}
        {type !== "semver" && (
          <label>
            <span className="block text-slate-600">Newest is</span>
            <select value={order} onChange={(e) => setOrder(e.target.value as "asc" | "desc")} className={input}>
              <option value="asc">highest</option>
              <option value="desc">lowest</option>
            </select>
          </label>
        )}
        <label className="flex items-center gap-1">
          <input type="checkbox" name="policy-allow-downgrade" checked={allowDowngrade} onChange={(e) => setAllowDowngrade(e.target.checked)} /> allow
          downgrades
        </label>
      </div>
      <div className="flex flex-wrap items-end gap-3">
        <label>
          <span className="block text-slate-600">Write</span>
          <select name="policy-write-mode" value={writeMode} onChange={(e) => setWriteMode(e.target.value as ImagePolicy["writeMode"])} className={input}>
            <option value="commit">Commit to the environment&apos;s branch</option>
            <option value="change_request">Open a change request</option>
          </select>
        </label>
        <label>
          <span className="block text-slate-600">Check every (seconds, ≥ 30)</span>
          <input
            name="policy-interval"
            type="number"
            min={30}
            max={86400}
            value={interval}
            onChange={(e) => setIntervalSeconds(Number(e.target.value))}
            className={`${input} w-28`}
          />
        </label>
      </div>
      <fieldset>
        <legend className="text-slate-600">Environments to update</legend>
        {environments.length === 0 && <p className="text-slate-500">No environments yet: create an application and an environment first.</p>}
        <div className="mt-1 flex flex-wrap gap-3">
          {environments.map((e) => (
            <label key={e.id} className="flex items-center gap-1" title={`${e.branch}:${e.path || "/"}`}>
              <input type="checkbox" aria-label={`${e.application}/${e.name}`} checked={chosen.has(e.id)} onChange={(ev) => toggle(e.id, ev.target.checked)} />{" "}
              {e.application}/{e.name}
            </label>
          ))}
        </div>
      </fieldset>
      <ErrorBox error={save.error} />
      <Button type="submit" disabled={save.isPending || chosen.size === 0}>
        {save.isPending ? "Saving…" : existing ? "Save policy" : "Create policy"}
      </Button>
    </form>
  );
}
