import type { ContractFacts } from "../lib/contract-facts.js";
import { safeUrl } from "../lib/product-facts.js";
import { WideFact } from "./wide-fact.js";

/** The terms a consumer reads before asking for access: price, purpose, terms of use, roles, support. */
export function ContractTerms({ facts: f }: { facts: ContractFacts }) {
  return (
    <div className="terms">
      <dl className="facts">
        <div>
          <dt>Price</dt>
          <dd>{f.price ?? "not stated"}</dd>
        </div>
        <WideFact label="Purpose" value={f.purpose} />
        <WideFact label="Terms of use" value={f.usage} />
        <WideFact label="Limitations" value={f.limitations} />
        {f.roles.length > 0 && (
          <div className="wide">
            <dt>Access roles</dt>
            <dd>
              <ul className="plain">
                {f.roles.map((r) => (
                  <li key={r.role}>
                    <span className="mono">{r.role}</span> {r.access && <span className="muted">({r.access})</span>}{" "}
                    {r.description}
                    {r.approvers.length > 0 && (
                      <span className="muted small"> · approved by {r.approvers.join(", then ")}</span>
                    )}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
        {f.support.length > 0 && (
          <div className="wide">
            <dt>Support</dt>
            <dd>
              <ul className="plain inline">
                {f.support.map((s, i) => {
                  const url = safeUrl(s.url);
                  const label = `${s.tool ?? "channel"}${s.channel ? ` ${s.channel}` : ""}`;
                  // biome-ignore lint/suspicious/noArrayIndexKey: order is the contract's
                  return <li key={i}>{url ? <a href={url}>{label}</a> : label}</li>;
                })}
              </ul>
            </dd>
          </div>
        )}
      </dl>
    </div>
  );
}
