import { api } from "./api-client.js";
import { useSessionToken } from "./session.js";
import type { Me } from "./types.js";
import { type Loadable, useApi } from "./use-api.js";

// The header, the access panel and the owner view all ask who is signed in; one request per token
// serves them all. A failed answer is forgotten so the next page asks again.
let cached: { token: string; me: Promise<Me> } | undefined;

function loadMe(token: string): Promise<Me> {
  if (cached?.token !== token) {
    const me = api.me().catch((e: unknown) => {
      if (cached?.me === me) cached = undefined;
      throw e;
    });
    cached = { token, me };
  }
  return cached.me;
}

/** The signed-in user (`undefined` data when signed out), shared by every component that asks. */
export function useMe(): Loadable<Me | undefined> {
  const token = useSessionToken();
  return useApi(() => (token ? loadMe(token) : Promise.resolve(undefined)), [token]);
}
