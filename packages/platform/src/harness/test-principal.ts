import type { Authenticator } from "../identity/authenticator.js";
import type { Principal } from "../identity/principal.js";

/**
 * Tests only: `Bearer admin` signs in as an admin owning the test products' teams, `Bearer <name>`
 * as a consumer named `<name>`,
 * so the harness tests run behind the platform's real authorization.
 */
export const testAuthenticator: Authenticator = {
  authenticate: async (credential): Promise<Principal> => ({
    userId: credential,
    name: credential === "admin" ? "admin@example.com" : credential,
    displayName: null,
    kind: "user",
    roles: credential === "admin" ? ["admin"] : ["consumer"],
    // The owner teams of the test products: owners may read and control their own products.
    teams:
      credential === "admin"
        ? [
            { team: "sensor-team", role: "owner" },
            { team: "upstream-team", role: "owner" },
          ]
        : [],
    via: "token",
  }),
};

export const asAdmin = { authorization: "Bearer admin" } as const;
export const as = (name: string) => ({ authorization: `Bearer ${name}` }) as const;
