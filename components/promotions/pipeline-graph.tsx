"use client";
// The application's pipeline as a graph (dev → staging → prod), Kargo style: stage boxes
// joined by arrows that say what would move, each with a Promote button.
import { Fragment, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useUserLiveInterval } from "../live/user-live-status";
import { ErrorBox } from "../ui";
import { promotionApi } from "./api";
import { PipelineArrow } from "./pipeline-arrow";
import { PromoteDialog } from "./promote-dialog";
import { StageBox } from "./stage-box";
import type { Pipeline } from "./types";

export function PipelineGraph({ applicationId, canPromote, canRelease }: { applicationId: string; canPromote: boolean; canRelease: boolean }) {
  // Polls only while the live hint stream is down (components/live/use-live-hints.ts).
  const liveInterval = useUserLiveInterval(5_000);
  const pipeline = useQuery({
    queryKey: ["pipeline", applicationId],
    queryFn: () => promotionApi<Pipeline>(`/api/applications/${applicationId}/pipeline`),
    refetchInterval: liveInterval,
  });
  const [promoting, setPromoting] = useState<{ sourceId: string; targetId: string } | null>(null);
  if (pipeline.error) return <ErrorBox error={pipeline.error} />;
  if (!pipeline.data) return <p className="text-sm text-slate-500">Loading pipeline…</p>;
  const { stages, arrows } = pipeline.data;
  if (stages.length === 0) return null;
  return (
    <section className="space-y-2">
      <h2 className="text-sm font-semibold uppercase tracking-wide text-slate-500">Pipeline</h2>
      <div className="overflow-x-auto pb-2">
        <div className="flex items-stretch" data-testid="pipeline-graph">
          {stages.map((stage, i) => {
            const arrow = i > 0 ? arrows[i - 1] : undefined;
            return (
              <Fragment key={stage.id}>
                {arrow && (
                  <PipelineArrow
                    arrow={arrow}
                    sourceName={stages[i - 1]!.name}
                    targetName={stage.name}
                    busy={!!stage.activePromotion}
                    canPromote={canPromote}
                    onPromote={() => setPromoting({ sourceId: arrow.sourceId, targetId: arrow.targetId })}
                  />
                )}
                <StageBox stage={stage} canRelease={canRelease} />
              </Fragment>
            );
          })}
        </div>
      </div>
      {promoting && <PromoteDialog {...promoting} onClose={() => setPromoting(null)} />}
    </section>
  );
}
