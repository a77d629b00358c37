import { useSyncExternalStore } from "react";

// The signed-in user's API token, for this browser tab only (sessionStorage: closing the tab signs
// out, and the token never goes to other sites' storage). The API client sends it as a Bearer token.

const key = "quanta.token";
const listeners = new Set<() => void>();

export function sessionToken(): string | null {
  try {
    return window.sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

export function setSessionToken(token: string | null): void {
  try {
    if (token) window.sessionStorage.setItem(key, token);
    else window.sessionStorage.removeItem(key);
  } catch {
    // Storage refused (private mode): the token lives as long as the page.
  }
  for (const l of listeners) l();
}

/** The token, re-rendering on sign-in and sign-out. */
export function useSessionToken(): string | null {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    sessionToken,
    () => null,
  );
}
