import type { ContractFacts } from "../lib/contract-facts.js";
import { TableWrap } from "./table-wrap.js";
import { useFold } from "./use-fold.js";

/** What a contract promises about the data's quality: its rules and its service levels. */
export function ContractQuality({ facts: f }: { facts: ContractFacts }) {
  const rules = useFold(f.quality, 6, "rules");
  return (
    <>
      <section aria-labelledby="quality-title">
        <h4 id="quality-title">Quality rules</h4>
        {f.quality.length === 0 ? (
          <p className="muted">No quality rules.</p>
        ) : (
          <TableWrap>
            <table>
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col">On</th>
                  <th scope="col">Check</th>
                  <th scope="col">Expect</th>
                  <th scope="col">Dimension</th>
                  <th scope="col">Severity</th>
                </tr>
              </thead>
              <tbody>
                {rules.shown.map((q, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: rules may share names; order is the contract's
                  <tr key={i}>
                    <th scope="row">
                      {q.name}
                      {q.description && <div className="muted small">{q.description}</div>}
                    </th>
                    <td className="mono">{q.target}</td>
                    <td>
                      <span className="mono">{q.kind}</span>
                      {q.query && (
                        <details>
                          <summary className="small">SQL</summary>
                          <pre className="code small">{q.query}</pre>
                        </details>
                      )}
                    </td>
                    <td className="mono">{q.expectation || "—"}</td>
                    <td>{q.dimension ?? "—"}</td>
                    <td>{q.severity ? <span className={`badge badge-sev-${q.severity}`}>{q.severity}</span> : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        {rules.toggle}
      </section>

      <section aria-labelledby="sla-title">
        <h4 id="sla-title">Service levels</h4>
        {f.slas.length === 0 ? (
          <p className="muted">No service levels declared.</p>
        ) : (
          <TableWrap>
            <table>
              <thead>
                <tr>
                  <th scope="col">Objective</th>
                  <th scope="col">Target</th>
                  <th scope="col">On</th>
                  <th scope="col">Description</th>
                </tr>
              </thead>
              <tbody>
                {f.slas.map((s, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: order is the contract's
                  <tr key={i}>
                    <th scope="row">
                      {s.property}
                      {s.driver && <div className="muted small">{s.driver}</div>}
                    </th>
                    <td className="mono">{s.target || "—"}</td>
                    <td className="mono">{s.element ?? "—"}</td>
                    <td>{s.description ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
    </>
  );
}
