-- DropIndex
DROP INDEX "CommitFile_path_idx";

-- CreateIndex
CREATE INDEX "CommitFile_path_idx" ON "CommitFile"("path" text_pattern_ops);

