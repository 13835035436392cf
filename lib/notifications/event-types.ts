// The events people can subscribe to, with the label shown in settings and messages.
export const EVENT_TYPES = {
  "sync.failed": "Sync failed",
  "health.degraded": "Health Degraded",
  "drift.detected": "Drift detected (auto-sync off)",
  "promotion.awaiting_approval": "Promotion awaiting approval",
  "promotion.finished": "Promotion finished",
  "rollback.done": "Rollback done",
  "verification.failed": "Verification failed",
  "image.updated": "Image update written",
  "freeze.started": "Freeze window started",
  "freeze.ended": "Freeze window ended",
} as const;

export type EventType = keyof typeof EVENT_TYPES;
export const EVENT_TYPE_NAMES = Object.keys(EVENT_TYPES) as [EventType, ...EventType[]];
