import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sessionKey, sessionToken, setSessionToken, subscribeToSession } from "./session.js";

/** A browser's Storage, in memory. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (k) => items.get(k) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => void items.delete(k),
    setItem: (k, v) => void items.set(k, String(v)),
  };
}

describe("session token", () => {
  let local: Storage;
  let tab: Storage;
  let storageListener: ((e: StorageEvent) => void) | undefined;

  beforeEach(() => {
    local = memoryStorage();
    tab = memoryStorage();
    storageListener = undefined;
    vi.stubGlobal("window", {
      localStorage: local,
      sessionStorage: tab,
      addEventListener: (type: string, l: (e: StorageEvent) => void) => {
        if (type === "storage") storageListener = l;
      },
      removeEventListener: () => {
        storageListener = undefined;
      },
    });
  });
  afterEach(() => {
    setSessionToken(null);
    vi.unstubAllGlobals();
  });

  it("keeps a sign-in where a new tab finds it (localStorage, not the tab's sessionStorage)", () => {
    setSessionToken("qnt_mia");
    expect(local.getItem(sessionKey)).toBe("qnt_mia");
    expect(tab.getItem(sessionKey)).toBeNull();
    // A new tab: the same origin's localStorage, nothing of the first tab's memory.
    local.setItem(sessionKey, "qnt_from_another_tab");
    expect(sessionToken()).toBe("qnt_from_another_tab");
    setSessionToken(null);
    expect(local.getItem(sessionKey)).toBeNull();
    expect(sessionToken()).toBeNull();
  });

  it("follows a sign-out in another tab", () => {
    const seen: (string | null)[] = [];
    const stop = subscribeToSession(() => seen.push(sessionToken()));
    setSessionToken("qnt_mia");
    local.removeItem(sessionKey);
    storageListener?.({ key: sessionKey } as StorageEvent);
    storageListener?.({ key: "something.else" } as StorageEvent);
    stop();
    expect(seen).toEqual(["qnt_mia", null]);
  });

  it("still signs in, for the page, when the browser refuses storage", () => {
    vi.stubGlobal("window", {
      get localStorage(): Storage {
        throw new Error("SecurityError");
      },
    });
    setSessionToken("qnt_private");
    expect(sessionToken()).toBe("qnt_private");
  });
});
