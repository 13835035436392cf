// The job engine for admins: queue figures, jobs by state and queue, retry and cancel.
import { redirect } from "next/navigation";
import { requireUser } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";
import { JobsPage } from "@/components/jobs/jobs-page";

export default async function JobsRoute({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser();
  if (!can(user.role, "jobs.read")) redirect("/");
  const sp = await searchParams;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";
  return <JobsPage initial={{ state: first(sp.state), name: first(sp.name) }} />;
}
