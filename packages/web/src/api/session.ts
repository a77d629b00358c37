import { useSyncExternalStore } from "react";

// The signed-in user's API token, kept in this site's localStorage so a sign-in holds in every tab
// and after the browser restarts, until the user signs out (in any tab: the others follow through
// the `storage` event) or the token expires. The API client sends it as a Bearer token. Only this
// origin reads it, and the page's Content-Security-Policy runs no script but its own.

export const sessionKey = "quanta.token";
const listeners = new Set<() => void>();
/** Where the token lives when the browser refuses storage (some private modes): this page only. */
let inPage: string | null = null;

export function sessionToken(): string | null {
  try {
    return window.localStorage.getItem(sessionKey);
  } catch {
    return inPage;
  }
}

export function setSessionToken(token: string | null): void {
  inPage = token;
  try {
    if (token) window.localStorage.setItem(sessionKey, token);
    else window.localStorage.removeItem(sessionKey);
  } catch {
    // Storage refused: the sign-in lasts as long as the page.
  }
  for (const l of listeners) l();
}

/** Another tab signed in or out. */
function onStorage(e: StorageEvent): void {
  if (e.key === sessionKey || e.key === null) for (const l of listeners) l();
}

/** Calls `listener` on every sign-in and sign-out, in this tab or another; returns the unsubscribe. */
export function subscribeToSession(listener: () => void): () => void {
  if (listeners.size === 0) window.addEventListener("storage", onStorage);
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) window.removeEventListener("storage", onStorage);
  };
}

/** The token, re-rendering on sign-in and sign-out, in this tab or another. */
export function useSessionToken(): string | null {
  return useSyncExternalStore(subscribeToSession, sessionToken, () => null);
}
