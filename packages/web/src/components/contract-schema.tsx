import type { ContractVersionSummary } from "../api/types.js";
import type { ContractFacts, Dataset } from "../lib/contract-facts.js";
import { ChangelogView } from "./changelog-view.js";
import { ContractDownload } from "./contract-download.js";
import { TableWrap } from "./table-wrap.js";
import { useFold } from "./use-fold.js";

/** Columns shown before a dataset's schema folds; the rest is one click away. */
const columnsShown = 8;

/** What a contract promises about the data's shape: its datasets' columns, its servers, its versions. */
export function ContractSchema({
  productId,
  contractId,
  facts: f,
  versions,
}: {
  productId: string;
  contractId: string;
  facts: ContractFacts;
  versions: ContractVersionSummary[];
}) {
  return (
    <>
      {f.datasets.map((ds) => (
        <DatasetSchema key={ds.name} ds={ds} />
      ))}
      {f.datasets.length === 0 && <p className="muted">This contract declares no schema.</p>}

      {f.servers.length > 0 && (
        <section aria-labelledby="servers-title">
          <h4 id="servers-title">Servers</h4>
          <ul className="plain">
            {f.servers.map((s) => (
              <li key={s.server}>
                <strong>{s.server}</strong>{" "}
                <span className="muted">{[s.type, s.environment].filter(Boolean).join(", ")}</span>{" "}
                <span className="mono small">{s.location}</span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <ContractDownload productId={productId} contractId={contractId} />

      <section id="versions" aria-labelledby="versions-title">
        <h4 id="versions-title">Versions and changelog</h4>
        <ChangelogView productId={productId} contractId={contractId} versions={versions} />
      </section>
    </>
  );
}

function DatasetSchema({ ds }: { ds: Dataset }) {
  const rows = useFold(ds.rows, columnsShown, "columns", (r) => r.depth === 0);
  return (
    <section className="dataset" aria-label={`Dataset ${ds.name}`}>
      <h4>
        <span className="mono">{ds.name}</span>
        {ds.physicalName && ds.physicalName !== ds.name && <span className="muted mono"> ({ds.physicalName})</span>}
      </h4>
      {ds.description && <p>{ds.description}</p>}
      <TableWrap>
        <table className="schema-table">
          <caption className="visually-hidden">Columns of {ds.name}</caption>
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Type</th>
              <th scope="col">Constraints</th>
              <th scope="col">Classification</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {rows.shown.map((r) => (
              <tr key={r.name}>
                <th scope="row" style={{ paddingLeft: `${0.6 + r.depth * 1.2}rem` }}>
                  <span className="mono">{r.name}</span>
                  {r.businessName && <div className="muted small">{r.businessName}</div>}
                </th>
                <td>
                  <span className="mono">{r.logicalType ?? "—"}</span>
                  {r.physicalType && <div className="muted small mono">{r.physicalType}</div>}
                </td>
                <td>
                  <ul className="marks">
                    {r.primaryKey && <li className="mark mark-key">primary key</li>}
                    {r.required && <li className="mark">required</li>}
                    {r.unique && <li className="mark">unique</li>}
                    {r.criticalDataElement && <li className="mark">critical</li>}
                    {r.constraints.map((c) => (
                      <li key={c} className="constraint mono">
                        {c}
                      </li>
                    ))}
                  </ul>
                </td>
                <td>
                  {r.classification && <span className={`class class-${r.classification}`}>{r.classification}</span>}
                  {r.pii && (
                    <span className="mark mark-pii" title="Personal data (GDPR)">
                      PII
                    </span>
                  )}
                </td>
                <td>
                  {r.description ?? <span className="muted">—</span>}
                  {r.examples.length > 0 && (
                    <div className="muted small">
                      e.g. <span className="mono">{r.examples.slice(0, 3).join(", ")}</span>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {rows.toggle}
    </section>
  );
}
