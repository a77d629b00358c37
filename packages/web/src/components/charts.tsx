import type { TestRunSummary } from "../api/types.js";
import { serviceLevelBar } from "../lib/service-level-bar.js";

/** Colours by run/check status; the legend repeats them in words (colour is never the only cue). */
const statusClass: Record<string, string> = {
  passed: "good",
  warning: "warn",
  failed: "bad",
  error: "bad",
  skipped: "neutral",
  running: "info",
  abandoned: "neutral",
};

/**
 * Contract test runs over time: one bar per run, its height the run's outcome (passed full,
 * warning half, failed/error a stub), coloured by status. Hand-drawn SVG, no chart library.
 */
export function RunHistoryChart({ runs, title }: { runs: TestRunSummary[]; title: string }) {
  const sorted = [...runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt)).slice(-60);
  if (sorted.length === 0) return <p className="muted">No contract test has run yet.</p>;
  const width = 640;
  const height = 120;
  const pad = { left: 8, right: 8, top: 10, bottom: 24 };
  const slot = (width - pad.left - pad.right) / Math.max(sorted.length, 10);
  const plotH = height - pad.top - pad.bottom;
  const heightOf: Record<string, number> = { passed: 1, warning: 0.6, failed: 0.25, error: 0.15 };
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  const counts = sorted.reduce<Record<string, number>>((acc, r) => {
    acc[r.status] = (acc[r.status] ?? 0) + 1;
    return acc;
  }, {});
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby="run-chart-title run-chart-desc">
        <title id="run-chart-title">{title}</title>
        <desc id="run-chart-desc">
          {Object.entries(counts)
            .map(([s, n]) => `${n} ${s}`)
            .join(", ")}
        </desc>
        <line x1={pad.left} x2={width - pad.right} y1={height - pad.bottom} y2={height - pad.bottom} className="axis" />
        {sorted.map((r, i) => {
          const h = Math.max(4, (heightOf[r.status] ?? 0.1) * plotH);
          return (
            <rect
              key={r.id}
              x={pad.left + i * slot + 1}
              y={height - pad.bottom - h}
              width={Math.max(2, slot - 2)}
              height={h}
              className={`bar bar-${statusClass[r.status] ?? "neutral"}`}
            >
              <title>
                {r.status} · {r.contractId} v{r.contractVersion} · {new Date(r.startedAt).toLocaleString()}
              </title>
            </rect>
          );
        })}
        {first && (
          <text x={pad.left} y={height - 6} className="tick">
            {new Date(first.startedAt).toLocaleDateString()}
          </text>
        )}
        {last && sorted.length > 1 && (
          <text x={width - pad.right} y={height - 6} className="tick" textAnchor="end">
            {new Date(last.startedAt).toLocaleDateString()}
          </text>
        )}
      </svg>
      <figcaption className="legend">
        {Object.entries(counts).map(([s, n]) => (
          <span key={s}>
            <span className={`swatch bar-${statusClass[s] ?? "neutral"}`} aria-hidden="true" /> {s} {n}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/**
 * An SLI against its SLO as a bar with the objective marked. Both are percentages, as `observe`
 * answers them (see `serviceLevelBar`).
 */
export function RatioBar({
  label,
  percent,
  objectivePercent,
}: {
  label: string;
  percent: number | null;
  objectivePercent: number | null;
}) {
  const width = 240;
  const bar = serviceLevelBar(percent, objectivePercent);
  return (
    <div className="ratio">
      <span className="ratio-label">{label}</span>
      <svg
        viewBox={`0 0 ${width} 14`}
        width={width}
        height={14}
        role="img"
        aria-label={`${label}: ${bar.text}${bar.objectiveText === null ? "" : `, objective ${bar.objectiveText}`}`}
      >
        <rect width={width} height={14} rx={3} className="ratio-track" />
        {bar.fill !== null && (
          <rect
            width={Math.max(2, bar.fill * width)}
            height={14}
            rx={3}
            className={`bar bar-${bar.met === false ? "bad" : "good"}`}
          />
        )}
        {bar.objectiveAt !== null && (
          <line x1={bar.objectiveAt * width} x2={bar.objectiveAt * width} y1={0} y2={14} className="objective" />
        )}
      </svg>
      <span className="ratio-value">
        {bar.text}
        {bar.objectiveText !== null && <span className="muted"> (objective {bar.objectiveText})</span>}
      </span>
    </div>
  );
}
