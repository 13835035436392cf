"use client";
// The Freeze windows page: every window with whether it is open now, and (admins) a form to add
// recurring (cron + duration + time zone) or one-off windows that deny or only allow changes.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";
import { ScopePicker, useScopes } from "../notifications/scope-picker";

interface Row {
  id: string;
  name: string;
  scopeType: string;
  scopeId: string;
  mode: string;
  actions: string[];
  cron: string | null;
  durationMinutes: number | null;
  timeZone: string;
  startsAt: string | null;
  endsAt: string | null;
  reason: string;
  open: boolean;
  untilText: string | null;
  nextOpensText: string | null;
}

const ACTIONS = ["sync", "promotion", "image-update"];

export function FreezeWindows({ canManage }: { canManage: boolean }) {
  const qc = useQueryClient();
  const { label } = useScopes();
  const list = useQuery({ queryKey: ["freeze-windows"], queryFn: () => api<{ windows: Row[] }>("/api/freeze-windows") });
  const remove = useMutation({
    mutationFn: (id: string) => api(`/api/freeze-windows/${id}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["freeze-windows"] }),
  });
  return (
    <div className="space-y-4">
      {canManage && <FreezeForm onDone={() => qc.invalidateQueries({ queryKey: ["freeze-windows"] })} />}
      <table className="w-full text-sm" data-testid="freeze-windows">
        <thead className="text-left text-slate-500">
          <tr>
            <th>Name</th>
            <th>Scope</th>
            <th>Mode</th>
            <th>Actions</th>
            <th>When</th>
            <th>Now</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(list.data?.windows ?? []).map((w) => (
            <tr key={w.id} data-testid="freeze-window-row" className="border-t border-slate-100">
              <td className="font-medium">
                {w.name}
                {w.reason && <span className="block text-xs text-slate-500">{w.reason}</span>}
              </td>
              <td>
                {w.scopeType} {label(w.scopeType, w.scopeId)}
              </td>
              <td>{w.mode}</td>
              <td>{w.actions.join(", ")}</td>
              <td className="font-mono text-xs">
                {w.cron ? `${w.cron} for ${w.durationMinutes} min (${w.timeZone})` : `${w.startsAt?.slice(0, 16)} → ${w.endsAt?.slice(0, 16)} UTC`}
              </td>
              <td data-testid="freeze-window-state">{w.open ? `open until ${w.untilText}` : w.nextOpensText ? `next ${w.nextOpensText}` : "closed"}</td>
              <td>
                {canManage && (
                  <Button variant="secondary" onClick={() => remove.mutate(w.id)}>
                    Delete
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FreezeForm({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState("");
  const [scopeType, setScopeType] = useState("environment");
  const [scopeId, setScopeId] = useState("");
  const [mode, setMode] = useState("deny");
  const [kind, setKind] = useState<"recurring" | "once">("recurring");
  const [cron, setCron] = useState("0 18 * * 5");
  const [duration, setDuration] = useState(60 * 62);
  const [timeZone, setTimeZone] = useState("UTC");
  const [startsAt, setStartsAt] = useState("");
  const [endsAt, setEndsAt] = useState("");
  const [actions, setActions] = useState<string[]>(ACTIONS);
  const [reason, setReason] = useState("");
  const save = useMutation({
    mutationFn: () =>
      api("/api/freeze-windows", {
        method: "POST",
        body: {
          name,
          scopeType,
          scopeId,
          mode,
          actions,
          reason,
          timeZone,
          ...(kind === "recurring"
            ? { cron, durationMinutes: duration }
            : { startsAt: new Date(startsAt).toISOString(), endsAt: new Date(endsAt).toISOString() }),
        },
      }),
    onSuccess: () => {
      setName("");
      onDone();
    },
  });
  const input = "rounded border border-slate-300 px-2 py-1";
  return (
    <form
      className="space-y-2 rounded border border-slate-200 p-3 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <div className="flex flex-wrap items-center gap-2">
        <input aria-label="Window name" placeholder="name (e.g. Weekend freeze)" className={input} value={name} onChange={(e) => setName(e.target.value)} />
        <ScopePicker
          types={["environment", "project"]}
          scopeType={scopeType}
          scopeId={scopeId}
          onChange={(t, id) => {
            setScopeType(t);
            setScopeId(id);
          }}
        />
        <select aria-label="Mode" className={input} value={mode} onChange={(e) => setMode(e.target.value)}>
          <option value="deny">deny during the window</option>
          <option value="allow">allow only during the window</option>
        </select>
        <select aria-label="Kind" className={input} value={kind} onChange={(e) => setKind(e.target.value as "recurring" | "once")}>
          <option value="recurring">recurring</option>
          <option value="once">one-off</option>
        </select>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        {kind === "recurring" ? (
          <>
            <input aria-label="Cron" className={`${input} font-mono`} value={cron} onChange={(e) => setCron(e.target.value)} />
            <input
              aria-label="Duration (minutes)"
              type="number"
              min={1}
              className={`${input} w-24`}
              value={duration}
              onChange={(e) => setDuration(Number(e.target.value))}
            />{" "}
            minutes
            <input aria-label="Time zone" className={input} value={timeZone} onChange={(e) => setTimeZone(e.target.value)} />
          </>
        ) : (
          <>
            <input aria-label="Starts at" type="datetime-local" className={input} value={startsAt} onChange={(e) => setStartsAt(e.target.value)} />
            <input aria-label="Ends at" type="datetime-local" className={input} value={endsAt} onChange={(e) => setEndsAt(e.target.value)} />
          </>
        )}
        {ACTIONS.map((a) => (
          <label key={a} className="flex items-center gap-1 text-xs">
            <input
              type="checkbox"
              checked={actions.includes(a)}
              onChange={(e) => setActions((x) => (e.target.checked ? [...x, a] : x.filter((y) => y !== a)))}
            />{" "}
            {a}
          </label>
        ))}
        <input
          aria-label="Reason"
          placeholder="reason (shown in refusals)"
          className={`${input} w-64`}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
        <Button type="submit" disabled={!name || !scopeId || save.isPending}>
          Add window
        </Button>
      </div>
      <ErrorBox error={save.error} />
    </form>
  );
}
