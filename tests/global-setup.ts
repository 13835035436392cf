// Starts one real PostgreSQL for the whole unit/integration run (a fresh database each
// run), applies the committed migrations, and hands the URL to test workers via env.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { freshDatabase } from "../support/stack";

export default async function setup() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "tideline-test-"));
  chmodSync(dataDir, 0o755); // embedded Postgres runs as the postgres user when we are root
  const { url, stop } = await freshDatabase({ dataDir, prefix: "tideline_test" });
  // One real Kubernetes API server (the test bed) for every test file of this run.
  const { startTestbed } = await import("../scripts/testbed.mjs");
  const testbed = await startTestbed({ quiet: true });
  process.env.TIDELINE_TEST_KUBECONFIG = testbed.kubeconfigPath;
  process.env.TIDELINE_TEST_VIEWER_KUBECONFIG = testbed.viewerKubeconfigPath;
  process.env.DATABASE_URL = url;
  process.env.TIDELINE_SECRET_KEY = randomBytes(32).toString("base64");
  process.env.TIDELINE_DATA_DIR = path.join(dataDir, "data");
  process.env.TIDELINE_FETCH_INTERVAL_SECONDS = "0";
  return async () => {
    await testbed.stop();
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
