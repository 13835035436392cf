// `prisma db seed`: creates the first admin (credentials printed once) on an empty database.
import { bootstrapAdmin } from "../lib/setup/bootstrap-admin";
import { db } from "../lib/db";

const created = await bootstrapAdmin(db(), { username: process.env.TIDELINE_ADMIN_USERNAME, password: process.env.TIDELINE_ADMIN_PASSWORD });
console.log(created ? `Created admin "${created.username}" with password: ${created.password}` : "Users already exist; nothing to seed.");
await db().$disconnect();
