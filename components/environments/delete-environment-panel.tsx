"use client";
// Deleting one environment (admins), from its settings tab.
import { useRouter } from "next/navigation";
import { DeleteWithObjects } from "./delete-with-objects";
import type { EnvironmentView } from "./types";

export function DeleteEnvironmentPanel({ environment: e }: { environment: EnvironmentView }) {
  const router = useRouter();
  if (e.deletionRequestedAt)
    return (
      <p className="text-sm text-rose-700" data-testid="environment-deleting">
        Being deleted: its live objects are being pruned.
      </p>
    );
  return (
    <DeleteWithObjects
      what={`environment ${e.name}`}
      testId="delete-environment"
      previewUrl={`/api/environments/${e.id}/deletion`}
      deleteUrl={`/api/environments/${e.id}`}
      onDeleted={() => router.push(`/applications/${e.applicationId}`)}
    />
  );
}
