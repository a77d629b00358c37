import { useState } from "react";
import { api } from "../api/api-client.js";
import { useApi } from "../api/use-api.js";

/**
 * The contract in the formats teams' tools read (GET /api/formats): DDL, schemas, dbt, quality
 * checks, documentation, code. The link is the API's export route, so what downloads is what
 * `quanta export` writes.
 */
export function ContractDownload({ productId, contractId }: { productId: string; contractId: string }) {
  const formats = useApi((signal) => api.formats(signal), []);
  const [chosen, setChosen] = useState("sql");
  if (formats.status !== "ok" || formats.data.export.length === 0) return null;
  const list = formats.data.export;
  const format = list.find((f) => f.name === chosen) ?? list[0];
  if (!format) return null;
  const href = `/api/products/${encodeURIComponent(productId)}/contracts/${encodeURIComponent(contractId)}/export?format=${encodeURIComponent(format.name)}`;
  return (
    <section aria-labelledby="download-title" className="contract-download">
      <h4 id="download-title">Download the contract as</h4>
      <div className="row">
        <label className="visually-hidden" htmlFor="download-format">
          Format
        </label>
        <select id="download-format" value={format.name} onChange={(e) => setChosen(e.target.value)}>
          {list.map((f) => (
            <option key={f.name} value={f.name}>
              {f.title}
            </option>
          ))}
        </select>{" "}
        <a className="button small-button" href={href} download>
          Download
        </a>
      </div>
      <p className="muted small">
        {format.description} The console writes the same: <code>quanta export --format {format.name}</code>.
      </p>
    </section>
  );
}
