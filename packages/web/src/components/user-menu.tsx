import { setSessionToken, useSessionToken } from "../api/session.js";
import { useMe } from "../api/use-me.js";
import { Link } from "../router.js";

/** Who is signed in (from /api/me), with sign-out; or the way to sign in. */
export function UserMenu() {
  const token = useSessionToken();
  const me = useMe();
  if (!token) {
    return (
      <Link className="user-menu" href="/sign-in">
        Sign in
      </Link>
    );
  }
  return (
    <div className="user-menu">
      <span className="small">
        {me.status === "ok" && me.data
          ? (me.data.displayName ?? me.data.name)
          : me.status === "error"
            ? "token refused"
            : "…"}
      </span>
      <button type="button" className="button link small" onClick={() => setSessionToken(null)}>
        Sign out
      </button>
    </div>
  );
}
