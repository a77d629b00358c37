import { useState } from "react";
import { api } from "../api/api-client.js";
import type { ApiError } from "../api/api-error.js";
import { beginOidcSignIn, loadAuthConfig } from "../api/oidc-sign-in.js";
import { setSessionToken, useSessionToken } from "../api/session.js";
import { toApiError, useApi } from "../api/use-api.js";
import { ErrorState, Loading } from "../components/states.js";
import { navigate, useLocation } from "../router.js";

/**
 * Sign in with the platform's OpenID Connect issuer when it has one, or with a Quanta API token
 * (one an admin created with POST /api/tokens, or the demo's tokens that `quanta serve --demo`
 * prints). On a demo server opened on its own machine, a "sign in as" picker lists the demo users.
 */
export function SignInPage() {
  const token = useSessionToken();
  const { query } = useLocation();
  const back = query.get("next") ?? "/";
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const me = useApi((signal) => (token ? api.me(signal) : Promise.resolve(undefined)), [token]);
  const methods = useApi((signal) => loadAuthConfig(signal), []);
  const oidc = methods.status === "ok" ? methods.data.oidc : null;
  // Only a `--demo` server asked from its own machine answers; anywhere else this is a 404 and no picker shows.
  const demo = useApi((signal) => api.demoUsers(signal).catch(() => ({ items: [] })), []);
  const demoUsers = demo.status === "ok" ? demo.data.items : [];
  const [leaving, setLeaving] = useState(false);
  const [oidcError, setOidcError] = useState<ApiError | undefined>();
  const signInWithOidc = async () => {
    if (!oidc) return;
    setLeaving(true);
    setOidcError(undefined);
    try {
      await beginOidcSignIn(oidc, back);
    } catch (e) {
      setOidcError(toApiError(e));
      setLeaving(false);
    }
  };

  const signInAs = async (username: string) => {
    setBusy(true);
    setError(undefined);
    try {
      const { token: demoToken } = await api.demoSignIn(username);
      setSessionToken(demoToken);
      navigate(back.startsWith("/") && !back.startsWith("//") ? back : "/");
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const submit = async () => {
    const candidate = text.trim();
    if (!candidate) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.me(undefined, candidate);
      setSessionToken(candidate);
      setText("");
      // Only paths of this site: a `next` must not send the user elsewhere.
      navigate(back.startsWith("/") && !back.startsWith("//") ? back : "/");
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page narrow">
      <h1>Sign in</h1>
      {token && me.status === "loading" && <Loading />}
      {token && me.status === "ok" && me.data && (
        <div className="card">
          <p>
            Signed in as <strong>{me.data.displayName ?? me.data.name}</strong>{" "}
            <span className="muted">({me.data.name})</span>
          </p>
          <p className="small">
            Teams: {me.data.teams.map((t) => `${t.team} (${t.role})`).join(", ") || "none"} · roles:{" "}
            {me.data.roles.join(", ") || "none"}
          </p>
          <button type="button" className="button" onClick={() => setSessionToken(null)}>
            Sign out
          </button>
        </div>
      )}
      {oidc && (
        <div className="card sign-in">
          <button type="button" className="button primary" disabled={leaving} onClick={() => void signInWithOidc()}>
            {leaving ? "Going to the identity provider…" : `Sign in with ${hostOf(oidc.issuer)}`}
          </button>
          <p className="muted small">Your organisation's single sign-on; or paste an API token below.</p>
          {oidcError && <ErrorState error={oidcError} title="Cannot start the sign-in" />}
        </div>
      )}
      {demoUsers.length > 0 && (
        <div className="card sign-in">
          <h2 className="small-heading">Sign in as a demo user</h2>
          <ul className="demo-users">
            {demoUsers.map((u) => (
              <li key={u.username}>
                <button type="button" className="button" disabled={busy} onClick={() => void signInAs(u.username)}>
                  {u.username}
                </button>{" "}
                <span className="muted small">
                  {u.role}
                  {u.team ? ` · ${u.team}` : ""}
                </span>
              </li>
            ))}
          </ul>
          <p className="muted small">Offered only by a demo server, to a browser on the machine it runs on.</p>
        </div>
      )}
      <form
        className="card sign-in"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label htmlFor="token">API token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="qnt_…"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <div className="muted small sign-in-help">
          <p>
            No token yet? An admin creates your account and a token for it (<code>POST /api/users</code>, then{" "}
            <code>POST /api/tokens</code> with your <code>userId</code>); signed in, you make more for yourself with{" "}
            <code>POST /api/tokens</code>. On a demo server, <code>quanta serve --demo</code> prints each demo user's
            token and writes them to <code>DIR/demo-tokens.json</code>.
          </p>
          <p>
            <code>quanta login</code> does not make a token: it stores one you already have for the command line. This
            browser keeps the token until you sign out.
          </p>
        </div>
        <button type="submit" className="button primary" disabled={busy || !text.trim()}>
          {busy ? "Checking…" : "Sign in"}
        </button>
        {error && <ErrorState error={error} title="The platform did not accept this token" />}
      </form>
    </div>
  );
}

const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};
