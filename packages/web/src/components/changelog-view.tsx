import { useEffect, useState } from "react";
import { api } from "../api/api-client.js";
import type { ContractVersionSummary } from "../api/types.js";
import { useApi } from "../api/use-api.js";
import { ErrorState, Loading } from "./states.js";

type Report = import("@quanta/core/diff").DiffReport;

const severityTitle: Record<string, string> = {
  major: "Breaking changes (major)",
  minor: "Additions and compatible changes (minor)",
  patch: "Documentation and metadata (patch)",
};

/** Two versions of one contract side by side: what changed, how severe, whether the version says so. */
export function ChangelogView({
  productId,
  contractId,
  versions,
}: {
  productId: string;
  contractId: string;
  versions: ContractVersionSummary[];
}) {
  // Newest first from the API; default: the previous version against the current one.
  const [to, setTo] = useState(versions[0]?.version ?? "");
  const [from, setFrom] = useState(versions[1]?.version ?? versions[0]?.version ?? "");
  useEffect(() => {
    setTo(versions[0]?.version ?? "");
    setFrom(versions[1]?.version ?? versions[0]?.version ?? "");
  }, [versions]);

  const report = useApi(
    async (signal) => {
      if (versions.length < 2 || !from || !to) return null;
      const [before, after, core] = await Promise.all([
        api.contractVersion(productId, contractId, from, signal),
        api.contractVersion(productId, contractId, to, signal),
        // The diff is the same code the console and the platform use, loaded only when asked for.
        import("@quanta/core/diff"),
      ]);
      return core.buildReport("odcs", before.document, after.document);
    },
    [productId, contractId, from, to],
  );

  if (versions.length < 2) {
    return <p className="muted">Only one version is published ({versions[0]?.version ?? "none"}); no changelog yet.</p>;
  }
  const options = versions.map((v) => (
    <option key={v.version} value={v.version}>
      {v.version} · {new Date(v.publishedAt).toLocaleDateString()}
    </option>
  ));
  return (
    <div className="changelog">
      <div className="changelog-pick">
        <label>
          From
          <select value={from} onChange={(e) => setFrom(e.target.value)} aria-label="Changelog from version">
            {options}
          </select>
        </label>
        <span aria-hidden="true">→</span>
        <label>
          To
          <select value={to} onChange={(e) => setTo(e.target.value)} aria-label="Changelog to version">
            {options}
          </select>
        </label>
      </div>
      {report.status === "loading" && <Loading label="Comparing versions" />}
      {report.status === "error" && <ErrorState error={report.error} title="Cannot compare these versions" />}
      {report.status === "ok" && report.data && <ReportView report={report.data} />}
    </div>
  );
}

function ReportView({ report }: { report: Report }) {
  if (report.changes.length === 0) return <p className="muted">No changes between these versions.</p>;
  return (
    <div className="changelog-report">
      <p>
        <span className={`badge badge-sev-${report.severity}`}>{report.severity}</span> {report.changes.length} change
        {report.changes.length === 1 ? "" : "s"} from {report.previousVersion} to {report.currentVersion}.{" "}
        {report.versionOk ? (
          <span>The version number announces them.</span>
        ) : (
          <span className="text-bad">
            The version number does not announce them; expected at least{" "}
            {report.suggestedVersion ?? "a semantic version"}.
          </span>
        )}
      </p>
      {(["major", "minor", "patch"] as const).map((sev) => {
        const changes = report.changes.filter((c) => c.severity === sev);
        if (changes.length === 0) return null;
        return (
          <section key={sev} className={`changes changes-${sev}`}>
            <h4>{severityTitle[sev]}</h4>
            <ul>
              {changes.map((c, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: changes have no id and never reorder
                <li key={i}>
                  {c.message} <code className="path">{c.path || "document"}</code>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
