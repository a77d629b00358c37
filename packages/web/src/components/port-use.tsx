import { useState } from "react";
import { api } from "../api/api-client.js";
import type { ApiError } from "../api/api-error.js";
import type { ConsumeResult, ConsumerSnippets } from "../api/types.js";
import { toApiError, useApi } from "../api/use-api.js";
import { ApiProblem, Loading } from "./states.js";
import { TableWrap } from "./table-wrap.js";

type Snippet = ConsumerSnippets["snippets"][number];

/**
 * How to read the port: code for the consume API as the platform writes it for this caller
 * (GET …/snippets: the token from $QUANTA_TOKEN, rows as objects, psql for a database grant), and
 * a live preview of a few rows.
 */
export function PortUse({ input }: { input: { productId: string; port: string } }) {
  const answer = useApi((signal) => api.snippets(input.productId, input.port, signal), [input.productId, input.port]);
  return (
    <div className="port-use">
      <h4>Use this port</h4>
      {answer.status === "loading" && <Loading label="Writing the code" />}
      {answer.status === "error" && (
        <ApiProblem
          error={answer.error}
          what="the code for this port"
          api={`GET /api/products/${input.productId}/ports/${input.port}/snippets`}
        />
      )}
      {answer.status === "ok" && <SnippetTabs snippets={answer.data.snippets} />}
      <DataPreview productId={input.productId} port={input.port} />
    </div>
  );
}

function SnippetTabs({ snippets }: { snippets: readonly Snippet[] }) {
  const [lang, setLang] = useState<string>(snippets[0]?.language ?? "curl");
  const [copied, setCopied] = useState(false);
  const shown = snippets.find((s) => s.language === lang) ?? snippets[0];
  if (!shown) return null;
  return (
    <div className="snippet">
      <fieldset className="snippet-tabs">
        <legend className="visually-hidden">Code language</legend>
        {snippets.map((s) => (
          <button
            key={s.language}
            type="button"
            className="chip-toggle"
            aria-pressed={s.language === shown.language}
            onClick={() => setLang(s.language)}
          >
            {s.label}
          </button>
        ))}
        <button
          type="button"
          className="button small-button"
          onClick={() => {
            void navigator.clipboard?.writeText(shown.code).then(() => {
              setCopied(true);
              setTimeout(() => setCopied(false), 1500);
            });
          }}
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </fieldset>
      <pre className="code" title={`${shown.label} example`}>
        <code>{shown.code}</code>
      </pre>
      <p className="muted small">{shown.note}</p>
    </div>
  );
}

type PreviewState =
  | { status: "idle" }
  | { status: "loading" }
  | { status: "ok"; data: ConsumeResult }
  | { status: "error"; error: ApiError };

function DataPreview({ productId, port }: { productId: string; port: string }) {
  const [state, setState] = useState<PreviewState>({ status: "idle" });
  const load = () => {
    setState({ status: "loading" });
    api.consume(productId, { port, limit: 20 }).then(
      (data) => setState({ status: "ok", data }),
      (e: unknown) => setState({ status: "error", error: toApiError(e) }),
    );
  };
  return (
    <div className="preview">
      <button type="button" className="button" onClick={load} disabled={state.status === "loading"}>
        {state.status === "ok" ? "Refresh the preview" : "Preview the data (20 rows)"}
      </button>
      {state.status === "loading" && <Loading label="Reading the data" />}
      {state.status === "error" && (
        <ApiProblem error={state.error} what="the data preview" api={`POST /api/products/${productId}/consume`} />
      )}
      {state.status === "ok" && <PreviewTable result={state.data} />}
    </div>
  );
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return "∅";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

function PreviewTable({ result }: { result: ConsumeResult }) {
  const names = result.columns.map((c) => c.name);
  const rows = (result.rows as unknown[]).map((r) =>
    Array.isArray(r) ? r : names.map((n) => (r as Record<string, unknown>)[n]),
  );
  if (rows.length === 0) return <p className="muted">The port is empty.</p>;
  return (
    <TableWrap className="preview-table">
      <table>
        <caption className="visually-hidden">Data preview</caption>
        <thead>
          <tr>
            {result.columns.map((c) => (
              <th key={c.name} scope="col" title={c.type}>
                {c.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: preview rows have no key of their own
            <tr key={i}>
              {r.map((v, j) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: columns by position
                <td key={j} className="mono">
                  {cell(v)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {result.error && <p className="text-bad small">The read stopped early: {result.error}</p>}
    </TableWrap>
  );
}
