import { redirect } from "next/navigation";
import { requireUser } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";
import { ProjectAdmin } from "@/components/projects/project-admin";

export default async function ProjectsPage() {
  const user = await requireUser();
  if (!can(user.role, "project.manage")) redirect("/");
  return <ProjectAdmin />;
}
