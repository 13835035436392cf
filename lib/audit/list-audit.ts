// Reads the audit log with filters, as pages for the UI or whole for CSV/JSON export.
import { z } from "zod";
import type { Prisma, PrismaClient } from "../generated/prisma/client";

export const auditQuery = z.object({
  actor: z.string().max(100).optional(),
  action: z.string().max(100).optional(),
  targetType: z.string().max(50).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(100),
  format: z.enum(["json", "csv"]).optional(),
});
export type AuditQuery = z.infer<typeof auditQuery>;

const EXPORT_LIMIT = 50_000;

function where(q: AuditQuery): Prisma.AuditEventWhereInput {
  return {
    ...(q.actor ? { actorName: { contains: q.actor, mode: "insensitive" } } : {}),
    ...(q.action ? { action: { startsWith: q.action } } : {}),
    ...(q.targetType ? { targetType: q.targetType } : {}),
    ...(q.from || q.to ? { at: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lte: q.to } : {}) } } : {}),
  };
}

export async function listAudit(prisma: PrismaClient, q: AuditQuery) {
  const [total, rows] = await Promise.all([
    prisma.auditEvent.count({ where: where(q) }),
    prisma.auditEvent.findMany({ where: where(q), orderBy: { at: "desc" }, skip: (q.page - 1) * q.pageSize, take: q.pageSize }),
  ]);
  return { total, page: q.page, pageSize: q.pageSize, items: rows.map((r) => ({ ...r, at: r.at.toISOString() })) };
}

export async function exportAudit(prisma: PrismaClient, q: AuditQuery, format: "json" | "csv"): Promise<string> {
  const rows = await prisma.auditEvent.findMany({ where: where(q), orderBy: { at: "desc" }, take: EXPORT_LIMIT });
  if (format === "json")
    return JSON.stringify(
      rows.map((r) => ({ ...r, at: r.at.toISOString() })),
      null,
      2,
    );
  const header = ["at", "actor", "action", "targetType", "targetId", "details"];
  const lines = rows.map((r) =>
    [r.at.toISOString(), r.actorName, r.action, r.targetType, r.targetId ?? "", r.details ? JSON.stringify(r.details) : ""].map(csvCell).join(","),
  );
  return [header.join(","), ...lines].join("\n") + "\n";
}

/** RFC 4180 quoting, and a leading quote on cells a spreadsheet would run as a formula. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
