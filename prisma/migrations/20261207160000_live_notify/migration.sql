-- Live updates: every change of an environment row (a reconcile, a sync's revision, settings) and of a
-- sync run is announced on the channel "tideline_live", so each web process can push it to the open
-- pages it serves, whichever process (web or worker) wrote it. Payloads carry ids only.
-- Prisma's driver-adapter migration runner splits scripts at every semicolon, even inside a function
-- body, so the bodies are E'' strings that write their semicolons as \073.
CREATE OR REPLACE FUNCTION tideline_live_environment() RETURNS trigger LANGUAGE plpgsql AS
  E'BEGIN PERFORM pg_notify(''tideline_live'', ''environment:'' || NEW."id")\073 RETURN NULL\073 END';

CREATE OR REPLACE FUNCTION tideline_live_sync_run() RETURNS trigger LANGUAGE plpgsql AS
  E'BEGIN PERFORM pg_notify(''tideline_live'', ''syncRun:'' || NEW."environmentId" || '':'' || NEW."id" || '':'' || NEW."status")\073 RETURN NULL\073 END';

CREATE TRIGGER "Environment_live" AFTER UPDATE ON "Environment" FOR EACH ROW EXECUTE FUNCTION tideline_live_environment();

CREATE TRIGGER "SyncRun_live" AFTER INSERT OR UPDATE ON "SyncRun" FOR EACH ROW EXECUTE FUNCTION tideline_live_sync_run();
