import { useState } from "react";
import { api } from "../api/api-client.js";
import { useApi } from "../api/use-api.js";

type Outcome =
  | { kind: "idle" }
  | { kind: "working" }
  | { kind: "files"; paths: string[] }
  | { kind: "problem"; message: string };

/** Saves a fetched answer as a file, named as the server's Content-Disposition says. */
async function save(response: Response, fallback: string): Promise<void> {
  const disposition = response.headers.get("content-disposition") ?? "";
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallback;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * The contract in the formats teams' tools read (GET /api/formats): DDL, schemas, dbt, quality
 * checks, documentation, code. The file is what the API's export route answers, so it is what
 * `quanta export` writes; a format that writes several files lists them, each its own download.
 */
export function ContractDownload({ productId, contractId }: { productId: string; contractId: string }) {
  const formats = useApi((signal) => api.formats(signal), []);
  const [chosen, setChosen] = useState("sql");
  const [outcome, setOutcome] = useState<Outcome>({ kind: "idle" });
  if (formats.status !== "ok" || formats.data.export.length === 0) return null;
  const list = formats.data.export;
  const format = list.find((f) => f.name === chosen) ?? list[0];
  if (!format) return null;
  const href = `/api/products/${encodeURIComponent(productId)}/contracts/${encodeURIComponent(contractId)}/export?format=${encodeURIComponent(format.name)}`;
  const download = async () => {
    setOutcome({ kind: "working" });
    try {
      const response = await fetch(href);
      if (!response.ok) {
        const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
        setOutcome({ kind: "problem", message: body?.error?.message ?? `the server answered ${response.status}` });
        return;
      }
      if (response.headers.get("content-disposition")) {
        await save(response, `${contractId}.${format.name}`);
        setOutcome({ kind: "idle" });
        return;
      }
      const body = (await response.json()) as { files: { path: string }[] };
      setOutcome({ kind: "files", paths: body.files.map((f) => f.path) });
    } catch (e) {
      setOutcome({ kind: "problem", message: e instanceof Error ? e.message : String(e) });
    }
  };
  return (
    <section aria-labelledby="download-title" className="contract-download">
      <h4 id="download-title">Download the contract as</h4>
      <div className="row">
        <label className="visually-hidden" htmlFor="download-format">
          Format
        </label>
        <select
          id="download-format"
          value={format.name}
          onChange={(e) => {
            setChosen(e.target.value);
            setOutcome({ kind: "idle" });
          }}
        >
          {list.map((f) => (
            <option key={f.name} value={f.name}>
              {f.title}
            </option>
          ))}
        </select>{" "}
        <button
          type="button"
          className="button small-button"
          disabled={outcome.kind === "working"}
          onClick={() => void download()}
        >
          Download
        </button>
      </div>
      {outcome.kind === "files" && (
        <ul className="plain" aria-label="Files of the export">
          {outcome.paths.map((path) => (
            <li key={path}>
              <a className="mono small" href={`${href}&file=${encodeURIComponent(path)}`} download>
                {path}
              </a>
            </li>
          ))}
        </ul>
      )}
      {outcome.kind === "problem" && (
        <p className="text-bad small">This contract cannot be written so: {outcome.message}</p>
      )}
      <p className="muted small">
        {format.description} The console writes the same: <code>quanta export --format {format.name}</code>.
      </p>
    </section>
  );
}
