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

export function ErrorState({ error, title = "Something went wrong" }: { error: ApiError; title?: string }) {
  return (
    <div className="state state-error" role="alert">
      <strong>{title}</strong>
      <p>{error.message}</p>
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
