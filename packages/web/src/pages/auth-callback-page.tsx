import { useEffect, useState } from "react";
import type { ApiError } from "../api/api-error.js";
import { completeOidcSignIn } from "../api/oidc-sign-in.js";
import { toApiError } from "../api/use-api.js";
import { ErrorState, Loading } from "../components/states.js";
import { Link, navigate } from "../router.js";

// One exchange per answer: React's strict mode runs effects twice, and a code is good only once.
const exchanges = new Map<string, Promise<string>>();

/** Where the identity provider sends the user back (`/auth/callback?code=…&state=…`). */
export function AuthCallbackPage() {
  const [error, setError] = useState<ApiError | undefined>();
  useEffect(() => {
    const search = window.location.search;
    let exchange = exchanges.get(search);
    if (!exchange) {
      exchange = completeOidcSignIn(new URLSearchParams(search));
      exchanges.set(search, exchange);
    }
    let live = true;
    exchange.then(
      (next) => {
        if (live) navigate(next, { replace: true });
      },
      (e: unknown) => {
        if (live) setError(toApiError(e));
      },
    );
    return () => {
      live = false;
    };
  }, []);
  return (
    <div className="page narrow">
      <h1>Signing in</h1>
      {error ? (
        <ErrorState error={error} title="Sign-in failed">
          <p>
            <Link href="/sign-in">Back to sign-in</Link>
          </p>
        </ErrorState>
      ) : (
        <Loading />
      )}
    </div>
  );
}
