import type { ReactNode } from "react";
import type { ApiError } from "../api/api-error.js";

/** Loading placeholder; announced politely to screen readers. */
export function Loading({ label = "Loading" }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}…
    </div>
  );
}

export function ErrorState({
  error,
  title = "Something went wrong",
  children,
}: {
  error: ApiError;
  title?: string;
  children?: ReactNode;
}) {
  return (
    <div className="state state-error" role="alert">
      <strong>{title}</strong>
      <p>{error.message}</p>
      {children}
      {error.status > 0 && (
        <p className="muted small">
          HTTP {error.status} · {error.code}
        </p>
      )}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <strong>{title}</strong>
      {children && <div className="muted">{children}</div>}
    </div>
  );
}

/** A part of the page that needs a platform API which does not exist yet: said plainly, no made-up data. */
export function NotYetAvailable({ what, api }: { what: string; api: string }) {
  return (
    <div className="state state-gap">
      <strong>{what} is not available yet</strong>
      <p className="muted small">
        It needs <code>{api}</code>, which this platform does not serve.
      </p>
    </div>
  );
}

/** The platform wants a signed-in user for this part; its own message says what for. */
export function SignInNeeded({ what, error }: { what: string; error: ApiError }) {
  return (
    <div className="state state-gap" role="note">
      <strong>Sign in to see {what}</strong>
      <p className="muted small">
        The platform answered: {error.message}. <a href="/sign-in">Sign in</a> with an API token.
      </p>
    </div>
  );
}

/** One place that turns an API failure into the right state: missing feature, sign-in, or error. */
export function ApiProblem({ error, what, api }: { error: ApiError; what: string; api: string }) {
  if (error.status === 404 && error.code === "not-found" && error.message.startsWith("no route")) {
    return <NotYetAvailable what={what.charAt(0).toUpperCase() + what.slice(1)} api={api} />;
  }
  if (error.status === 401) return <SignInNeeded what={what} error={error} />;
  if (error.status === 403) return <ErrorState error={error} title={`Not allowed to see ${what}`} />;
  return <ErrorState error={error} title={`Cannot load ${what}`} />;
}
