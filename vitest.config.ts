import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // lib modules that touch the database or credentials `import "server-only"`, which throws outside
  // React's server condition: tests are server code, so they get its empty module (as Next's server does).
  resolve: { alias: { "@": path.resolve(import.meta.dirname), "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js") } },
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/global-setup.ts"],
    setupFiles: ["tests/setup-file.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
