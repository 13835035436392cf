-- A sync run's live progress: the phase and wave it is in, and what it waits for
ALTER TABLE "SyncRun" ADD COLUMN "progress" JSONB;
