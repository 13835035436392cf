// Prisma CLI configuration: the JS engine with the pg driver adapter works offline
// (the Rust schema engine cannot be downloaded here).
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { seed: "tsx prisma/seed.ts" },
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error("DATABASE_URL is not set (start Postgres with `npm run db:start` or set it)");
    return new PrismaPg({ connectionString });
  },
});
