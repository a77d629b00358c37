import { type RefObject, useEffect, useState } from "react";
import { cachedGovernance } from "../api/governance-cache.js";
import { useSessionToken } from "../api/session.js";
import type { Governance } from "../api/types.js";
import { certificationLabel, qualityStatus } from "../lib/owner-facts.js";
import { StatusBadge } from "./badges.js";

const qualityText: Record<ReturnType<typeof qualityStatus>, string> = {
  passing: "tests pass",
  warning: "tests warn",
  failing: "tests fail",
  untested: "not tested",
};

type State = { status: "idle" | "loading" | "error" } | { status: "ok"; g: Governance };

/**
 * A card's certification badge and quality status, read from govern once the card is on screen
 * (the product list does not carry them). Signed out, nothing is asked and nothing is shown.
 */
export function CardHealth({ productId, cardRef }: { productId: string; cardRef: RefObject<HTMLElement | null> }) {
  const token = useSessionToken();
  const [state, setState] = useState<State>({ status: "idle" });
  useEffect(() => {
    const el = cardRef.current;
    if (!token || !el) return;
    let live = true;
    const load = () => {
      setState({ status: "loading" });
      cachedGovernance(productId, token).then(
        (g) => live && setState({ status: "ok", g }),
        () => live && setState({ status: "error" }),
      );
    };
    if (typeof IntersectionObserver === "undefined") {
      load();
      return () => {
        live = false;
      };
    }
    const seen = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          seen.disconnect();
          load();
        }
      },
      { rootMargin: "200px" },
    );
    seen.observe(el);
    return () => {
      live = false;
      seen.disconnect();
    };
  }, [productId, token, cardRef]);
  if (!token || state.status === "idle") return null;
  if (state.status === "loading")
    return (
      <p className="card-health muted small" aria-busy="true">
        Checking certification…
      </p>
    );
  if (state.status !== "ok") return null;
  const c = state.g.certification;
  const q = qualityStatus(state.g);
  return (
    <p className="card-health">
      <span className="visually-hidden">Certification and quality: </span>
      <StatusBadge
        status={c.status}
        label={c.status === "certified" ? `certified ${certificationLabel(c)}` : c.status.replace("-", " ")}
      />{" "}
      <StatusBadge status={q} label={qualityText[q]} />
    </p>
  );
}
