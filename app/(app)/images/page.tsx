import { PolicyList } from "@/components/images/policy-list";
import { requireUser } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";

export default async function ImagesPage() {
  const user = await requireUser();
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Images</h1>
      <p className="text-sm text-slate-600">
        Image policies watch a registry and write the newest allowed tag into their environments&apos; Git sources, by commit or change request.
      </p>
      <PolicyList canManage={can(user.role, "image.manage")} />
    </div>
  );
}
