"use client";
// One stage of the pipeline graph: what the environment runs (images, chart, revision), its
// sync and health, protection, the rollback hold and the promotion into it that is under way.
import Link from "next/link";
import { shortSha } from "../ui";
import { HealthBadge, SyncBadge } from "../environments/badges";
import { PromotionStatusBadge } from "./badges";
import { HoldBanner } from "./hold-banner";
import { FreezeBanner } from "../freeze/freeze-banner";
import type { Stage } from "./types";

const shortImage = (name: string) => name.split("/").slice(-1)[0];

export function StageBox({ stage, canRelease }: { stage: Stage; canRelease: boolean }) {
  return (
    <div data-testid={`stage-${stage.name}`} className="flex w-64 shrink-0 flex-col gap-2 rounded-lg border border-slate-300 bg-white p-3 shadow-sm">
      <div className="flex items-center gap-2">
        <Link href={`/environments/${stage.id}`} className="text-lg font-semibold text-sky-800 hover:underline">
          {stage.name}
        </Link>
        {stage.protected && (
          <span
            data-testid="stage-protected"
            title={`Promotions and rollbacks need ${stage.requiredApprovals} approval(s)`}
            className="ml-auto rounded bg-slate-800 px-1.5 py-0.5 text-xs text-white"
          >
            🔒 {stage.requiredApprovals} approval{stage.requiredApprovals === 1 ? "" : "s"}
          </span>
        )}
      </div>
      <div className="flex gap-2">
        <SyncBadge status={stage.syncStatus} />
        <HealthBadge status={stage.health} />
      </div>
      <ul className="space-y-0.5 font-mono text-xs" data-testid="stage-images">
        {stage.images.map((img) => (
          <li key={img.image} title={img.image} data-testid="stage-image" className="truncate">
            {shortImage(img.name)}:<span className="font-semibold">{img.tag ?? (img.digest ? img.digest.slice(0, 19) : "latest")}</span>
          </li>
        ))}
        {stage.images.length === 0 && !stage.renderError && <li className="text-slate-500">no images</li>}
      </ul>
      {stage.chartVersion && (
        <p className="text-xs text-slate-600" data-testid="stage-chart">
          chart {stage.chartVersion}
        </p>
      )}
      <p className="font-mono text-xs text-slate-600">
        runs <span data-testid="stage-revision">{shortSha(stage.revision)}</span>
        {stage.desiredRevision && stage.desiredRevision !== stage.revision ? (
          <span title="The branch head differs from what runs"> · Git {shortSha(stage.desiredRevision)}</span>
        ) : null}
      </p>
      <p className="truncate text-xs text-slate-500" title={`${stage.cluster}/${stage.namespace} · ${stage.branch}:${stage.path || "/"}`}>
        {stage.cluster}/{stage.namespace}
      </p>
      {stage.renderError && <p className="text-xs text-rose-700">{stage.renderError}</p>}
      <FreezeBanner compact environmentId={stage.id} />
      {stage.syncHold && (
        <HoldBanner
          compact
          canRelease={canRelease}
          hold={{ environmentId: stage.id, reason: stage.syncHoldReason, revision: stage.syncHoldRevision, changeRequestId: stage.syncHoldChangeRequestId }}
        />
      )}
      {stage.activePromotion && (
        <Link
          href={`/promotions/${stage.activePromotion.id}`}
          data-testid="stage-active-promotion"
          className="flex items-center gap-1 text-xs text-sky-800 hover:underline"
        >
          {stage.activePromotion.kind === "rollback" ? "Rollback" : "Promotion"}{" "}
          <PromotionStatusBadge status={stage.activePromotion.status} testId="stage-active-status" />
        </Link>
      )}
    </div>
  );
}
