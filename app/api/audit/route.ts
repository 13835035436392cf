import { apiRoute } from "@/lib/api/handler";
import { auditQuery, exportAudit, listAudit } from "@/lib/audit/list-audit";
import { db } from "@/lib/db";

/** The audit log: a page as JSON, or the filtered log exported (?format=csv|json). */
export const GET = apiRoute({ action: "audit.read", query: auditQuery }, async ({ query }) => {
  if (!query.format) return listAudit(db(), query);
  const body = await exportAudit(db(), query, query.format);
  const type = query.format === "csv" ? "text/csv; charset=utf-8" : "application/json";
  return new Response(body, { headers: { "Content-Type": type, "Content-Disposition": `attachment; filename="tideline-audit.${query.format}"` } });
});
