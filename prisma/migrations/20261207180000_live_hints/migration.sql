-- Live hints for every page (GET /api/live): a promotion, its approvals and a user's in-app
-- notifications are announced on "tideline_live" with ids only, so the per-user stream can tell
-- each page which queries to refetch without ever carrying a row's contents.
-- Bodies are E'' strings with \073 for semicolons (Prisma's runner splits at every semicolon).
CREATE OR REPLACE FUNCTION tideline_live_promotion() RETURNS trigger LANGUAGE plpgsql AS
  E'BEGIN PERFORM pg_notify(''tideline_live'', ''promotion:'' || NEW."id" || '':'' || NEW."applicationId")\073 RETURN NULL\073 END';

CREATE OR REPLACE FUNCTION tideline_live_approval() RETURNS trigger LANGUAGE plpgsql AS
  E'DECLARE r record\073 BEGIN SELECT "id", "applicationId" INTO r FROM "Promotion" WHERE "id" = COALESCE(NEW."promotionId", OLD."promotionId")\073 IF FOUND THEN PERFORM pg_notify(''tideline_live'', ''promotion:'' || r."id" || '':'' || r."applicationId")\073 END IF\073 RETURN NULL\073 END';

CREATE OR REPLACE FUNCTION tideline_live_notification() RETURNS trigger LANGUAGE plpgsql AS
  E'BEGIN PERFORM pg_notify(''tideline_live'', ''notification:'' || COALESCE(NEW."userId", OLD."userId"))\073 RETURN NULL\073 END';

CREATE TRIGGER "Promotion_live" AFTER INSERT OR UPDATE ON "Promotion" FOR EACH ROW EXECUTE FUNCTION tideline_live_promotion();

CREATE TRIGGER "Approval_live" AFTER INSERT OR UPDATE OR DELETE ON "Approval" FOR EACH ROW EXECUTE FUNCTION tideline_live_approval();

CREATE TRIGGER "Notification_live" AFTER INSERT OR UPDATE OR DELETE ON "Notification" FOR EACH ROW EXECUTE FUNCTION tideline_live_notification();
