// Image policies (which image to watch, which tags qualify, where to write): validated CRUD with the
// registry password sealed at rest; the public shape says only whether a password is set.
import { z } from "zod";
import type { ImagePolicy, PrismaClient } from "../generated/prisma/client";
import { Prisma } from "../generated/prisma/client";
import { conflict, invalid, notFound } from "../errors";
import { parseImageRepository } from "./registry-client";
import { tagPolicySchema, type TagPolicy } from "./tag-policy";

export interface PolicyDeps {
  prisma: PrismaClient;
  seal: (plain: string) => string;
}

export const WRITE_MODES = ["commit", "change_request"] as const;
export const MIN_INTERVAL_SECONDS = 30;

// Policy names end up in branch names (tideline/images/<name>/...) and match Flux marker names.
const policyName = z
  .string()
  .trim()
  .min(1, "is required")
  .max(63)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "use lowercase letters, digits and '-' (like guestbook or payments-api)");

const fields = {
  name: policyName,
  image: z.string().trim().min(1, "is required").max(300),
  insecure: z.boolean().default(false),
  username: z.string().trim().max(200).nullable().optional(),
  // Write-only: undefined keeps the stored password, null or "" removes it.
  password: z.string().max(2000).nullable().optional(),
  policy: tagPolicySchema,
  allowDowngrade: z.boolean().default(false),
  writeMode: z.enum(WRITE_MODES).default("commit"),
  intervalSeconds: z.number().int().min(MIN_INTERVAL_SECONDS, `must be at least ${MIN_INTERVAL_SECONDS} seconds`).max(86_400).default(300),
  environmentIds: z.array(z.string().min(1).max(50)).min(1, "choose at least one environment").max(100),
};

export const createPolicyInput = z.object(fields);
export const updatePolicyInput = z.object({
  name: fields.name.optional(),
  image: fields.image.optional(),
  insecure: z.boolean().optional(),
  username: fields.username,
  password: fields.password,
  policy: tagPolicySchema.optional(),
  allowDowngrade: z.boolean().optional(),
  writeMode: z.enum(WRITE_MODES).optional(),
  intervalSeconds: z.number().int().min(MIN_INTERVAL_SECONDS, `must be at least ${MIN_INTERVAL_SECONDS} seconds`).max(86_400).optional(),
  environmentIds: fields.environmentIds.optional(),
});
export type CreatePolicyInput = z.infer<typeof createPolicyInput>;
export type UpdatePolicyInput = z.infer<typeof updatePolicyInput>;

type PolicyRow = ImagePolicy & {
  targets?: Array<{ environment: { id: string; name: string; repositoryId: string; branch: string; application: { name: string } } }>;
};

const targetInclude = {
  targets: { include: { environment: { select: { id: true, name: true, repositoryId: true, branch: true, application: { select: { name: true } } } } } },
} as const;

export function publicPolicy(p: PolicyRow) {
  return {
    id: p.id,
    name: p.name,
    image: p.image,
    insecure: p.insecure,
    username: p.username,
    hasPassword: Boolean(p.encryptedPassword),
    policy: p.policy as TagPolicy,
    allowDowngrade: p.allowDowngrade,
    writeMode: p.writeMode,
    intervalSeconds: p.intervalSeconds,
    latestTag: p.latestTag,
    latestDigest: p.latestDigest,
    lastCheckedAt: p.lastCheckedAt?.toISOString() ?? null,
    nextCheckAt: p.nextCheckAt.toISOString(),
    lastError: p.lastError,
    lastRequests: p.lastRequests,
    // Registry requests per minute this policy costs at its interval (the last check's count).
    requestsPerMinute: Math.round((p.lastRequests * 60 * 100) / p.intervalSeconds) / 100,
    createdAt: p.createdAt.toISOString(),
    environments: (p.targets ?? [])
      .map((t) => ({
        id: t.environment.id,
        name: t.environment.name,
        application: t.environment.application.name,
        repositoryId: t.environment.repositoryId,
        branch: t.environment.branch,
      }))
      .sort((a, b) => `${a.application}/${a.name}`.localeCompare(`${b.application}/${b.name}`)),
  };
}
export type PublicPolicy = ReturnType<typeof publicPolicy>;

function checkImage(image: string, insecure: boolean): void {
  parseImageRepository(image, { insecure }); // throws AppError("invalid", ..., { field: "image" })
}

async function checkEnvironments(prisma: PrismaClient, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  const found = await prisma.environment.findMany({ where: { id: { in: unique } }, select: { id: true } });
  const missing = unique.filter((id) => !found.some((f) => f.id === id));
  if (missing.length) throw invalid(`Environment(s) ${missing.join(", ")} do not exist`, { field: "environmentIds" });
  return unique;
}

const isUniqueViolation = (e: unknown) => e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002";

export async function listPolicies(prisma: PrismaClient) {
  const rows = await prisma.imagePolicy.findMany({ include: targetInclude, orderBy: { name: "asc" } });
  return rows.map(publicPolicy);
}

export async function getPolicy(prisma: PrismaClient, id: string) {
  const row = await prisma.imagePolicy.findUnique({ where: { id }, include: targetInclude });
  if (!row) throw notFound(`Image policy ${id} does not exist`);
  return publicPolicy(row);
}

export async function createPolicy(deps: PolicyDeps, input: CreatePolicyInput) {
  checkImage(input.image, input.insecure);
  const environmentIds = await checkEnvironments(deps.prisma, input.environmentIds);
  try {
    const row = await deps.prisma.imagePolicy.create({
      data: {
        name: input.name,
        image: input.image,
        insecure: input.insecure,
        username: input.username || null,
        encryptedPassword: input.password ? deps.seal(input.password) : null,
        policy: input.policy as Prisma.InputJsonValue,
        allowDowngrade: input.allowDowngrade,
        writeMode: input.writeMode,
        intervalSeconds: input.intervalSeconds,
        nextCheckAt: new Date(),
        targets: { create: environmentIds.map((environmentId) => ({ environmentId })) },
      },
      include: targetInclude,
    });
    return publicPolicy(row);
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`An image policy named "${input.name}" already exists`);
    throw e;
  }
}

/** scheme://registry the credentials of a policy go to (a plain-HTTP switch counts as a new origin). */
function registryOrigin(image: string, insecure: boolean): string | null {
  try {
    return parseImageRepository(image, { insecure }).baseUrl.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * Registry credentials stay with the registry they were entered for: a change of registry host or
 * scheme drops them unless the same request gives a password. Says which, for the answer and the audit.
 */
function credentialsAfterMove(current: ImagePolicy, image: string, insecure: boolean, patch: UpdatePolicyInput) {
  const from = registryOrigin(current.image, current.insecure);
  const to = registryOrigin(image, insecure);
  const hasCredentials = current.encryptedPassword !== null || current.username !== null;
  if (from === to || !hasCredentials || patch.password) return null;
  return {
    from,
    to,
    message: `The registry changed from ${from} to ${to}: the stored registry credentials were removed and not sent there; enter them again for the new registry`,
  };
}

export async function updatePolicy(deps: PolicyDeps, id: string, patch: UpdatePolicyInput) {
  const current = await deps.prisma.imagePolicy.findUnique({ where: { id } });
  if (!current) throw notFound(`Image policy ${id} does not exist`);
  const image = patch.image ?? current.image;
  const insecure = patch.insecure ?? current.insecure;
  if (patch.image !== undefined || patch.insecure !== undefined) checkImage(image, insecure);
  const credentialsCleared = credentialsAfterMove(current, image, insecure, patch);
  const environmentIds = patch.environmentIds ? await checkEnvironments(deps.prisma, patch.environmentIds) : undefined;
  // What to look for or where to write changed: check again at the next poller tick.
  const recheck = ["image", "insecure", "username", "password", "policy", "allowDowngrade", "environmentIds"].some(
    (k) => patch[k as keyof UpdatePolicyInput] !== undefined,
  );
  const data: Prisma.ImagePolicyUpdateInput = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.image !== undefined ? { image } : {}),
    ...(patch.insecure !== undefined ? { insecure } : {}),
    ...(patch.username !== undefined ? { username: patch.username || null } : {}),
    ...(patch.password !== undefined ? { encryptedPassword: patch.password ? deps.seal(patch.password) : null } : {}),
    ...(credentialsCleared ? { encryptedPassword: null, username: patch.username !== undefined ? patch.username || null : null } : {}),
    ...(patch.policy !== undefined ? { policy: patch.policy as Prisma.InputJsonValue } : {}),
    ...(patch.allowDowngrade !== undefined ? { allowDowngrade: patch.allowDowngrade } : {}),
    ...(patch.writeMode !== undefined ? { writeMode: patch.writeMode } : {}),
    ...(patch.intervalSeconds !== undefined ? { intervalSeconds: patch.intervalSeconds } : {}),
    ...(patch.image !== undefined && patch.image !== current.image ? { latestTag: null, latestDigest: null } : {}),
    ...(recheck ? { nextCheckAt: new Date(), lastError: null } : {}),
  };
  try {
    const row = await deps.prisma.$transaction(async (tx) => {
      if (environmentIds) {
        await tx.imagePolicyTarget.deleteMany({ where: { policyId: id, environmentId: { notIn: environmentIds } } });
        await tx.imagePolicyTarget.createMany({ data: environmentIds.map((environmentId) => ({ policyId: id, environmentId })), skipDuplicates: true });
      }
      return tx.imagePolicy.update({ where: { id }, data, include: targetInclude });
    });
    return { policy: publicPolicy(row), credentialsCleared };
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`An image policy named "${patch.name}" already exists`);
    throw e;
  }
}

export async function deletePolicy(prisma: PrismaClient, id: string) {
  const row = await prisma.imagePolicy.findUnique({ where: { id } });
  if (!row) throw notFound(`Image policy ${id} does not exist`);
  await prisma.imagePolicy.delete({ where: { id } });
  return { id: row.id, name: row.name };
}

/** Environments a policy can target, for the form. */
export async function environmentChoices(prisma: PrismaClient) {
  const envs = await prisma.environment.findMany({
    select: { id: true, name: true, branch: true, path: true, application: { select: { name: true } } },
    orderBy: [{ application: { name: "asc" } }, { position: "asc" }],
  });
  return envs.map((e) => ({ id: e.id, name: e.name, application: e.application.name, branch: e.branch, path: e.path }));
}
