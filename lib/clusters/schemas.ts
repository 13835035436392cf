import { z } from "zod";

const name = z
  .string()
  .trim()
  .min(1, "Name is required")
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "Name must be lowercase letters, digits and '-' (like a Kubernetes name)");

export const registerClusterInput = z.discriminatedUnion("source", [
  z.object({
    source: z.literal("kubeconfig"),
    name,
    kubeconfig: z.string().min(1, "Paste a kubeconfig").max(1_000_000),
    context: z.string().min(1, "Choose a context").max(253),
    namespace: z.string().max(63).optional(),
  }),
  z.object({ source: z.literal("in-cluster"), name, namespace: z.string().max(63).optional() }),
]);
export type RegisterClusterInput = z.infer<typeof registerClusterInput>;

export const contextsInput = z.object({ kubeconfig: z.string().min(1, "Paste a kubeconfig").max(1_000_000) });
