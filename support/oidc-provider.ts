// A real OpenID Provider (the oidc-provider package) for the tests: its development
// login screens accept any username; each account's groups come from the map given.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export interface OidcClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

export async function startOidcProvider(opts: { clients: OidcClient[]; groups: Record<string, string[]> }): Promise<{ issuer: string; stop(): Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: opts.clients.map((c) => ({
      ...c,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    })),
    claims: { openid: ["sub"], profile: ["name", "preferred_username", "groups"], email: ["email"] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx: unknown, id: string) {
      return {
        accountId: id,
        async claims() {
          return { sub: id, preferred_username: id, name: `User ${id}`, email: `${id}@example.com`, groups: opts.groups[id] ?? [] };
        },
      };
    },
  });
  server.on("request", provider.callback());
  return {
    issuer,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
