// Hive Gateway in front of the hub: the hub's tokens verified against its JWKS, and
// @requiresScopes enforced from their `scope` claim (generic-auth, protect-granular).
import {
  createRemoteJwksSigningKeyProvider,
  defineConfig,
  extractFromHeader,
} from "@graphql-hive/gateway";

export const gatewayConfig = defineConfig({
  jwt: {
    signingKeyProviders: [createRemoteJwksSigningKeyProvider({ jwksUri: process.env.HUB_JWKS })],
    tokenLookupLocations: [extractFromHeader({ name: "authorization", prefix: "Bearer" })],
    tokenVerification: {
      issuer: process.env.HUB_ISSUER,
      audience: process.env.HUB_ISSUER,
      algorithms: ["ES256"],
    },
    reject: { missingToken: false, invalidToken: true },
  },
  genericAuth: {
    mode: "protect-granular",
    resolveUserFn: (context) => context.jwt?.payload,
    extractScopes: (user) => String(user?.scope ?? "").split(" ").filter(Boolean),
  },
  // The hub authenticates every request itself and needs the purpose of reads of persons.
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({
      authorization: request.headers.get("authorization") ?? "",
      "x-hub-purpose": request.headers.get("x-hub-purpose") ?? "",
    }),
  },
});
