import { useId } from "react";
import { type BudgetRow, type ChartLine, linearScale, niceTicks, timeDomain, valueExtent } from "../lib/time-series.js";
import { TableWrap } from "./table-wrap.js";

/** Marks and dashes per line, so lines differ by shape as well as by colour. */
const marks = ["circle", "square", "triangle", "diamond"] as const;
const dashes = ["", "6 3", "2 3", "8 3 2 3"];

function Mark({ kind, x, y, className }: { kind: (typeof marks)[number]; x: number; y: number; className: string }) {
  const r = 3.5;
  if (kind === "circle") return <circle cx={x} cy={y} r={r} className={className} />;
  if (kind === "square") return <rect x={x - r} y={y - r} width={2 * r} height={2 * r} className={className} />;
  if (kind === "triangle")
    return <polygon points={`${x},${y - r - 1} ${x + r + 1},${y + r} ${x - r - 1},${y + r}`} className={className} />;
  return (
    <polygon points={`${x},${y - r - 1} ${x + r + 1},${y} ${x},${y + r + 1} ${x - r - 1},${y}`} className={className} />
  );
}

/** A legend swatch: the line's dash and mark, drawn as on the chart. */
function Swatch({ i }: { i: number }) {
  return (
    <svg width="26" height="12" viewBox="0 0 26 12" aria-hidden="true" className={`series series-${i % marks.length}`}>
      <line x1="1" x2="25" y1="6" y2="6" strokeDasharray={dashes[i % dashes.length]} className="series-line" />
      <Mark kind={marks[i % marks.length] ?? "circle"} x={13} y={6} className="series-mark" />
    </svg>
  );
}

const day = (t: number) => new Date(t).toLocaleDateString();
const when = (t: number) => new Date(t).toLocaleString();

export interface Objective {
  value: number;
  label: string;
  /** Which side of the line is bad: values above it (an age), or below it (a rate). */
  badWhen: "above" | "below";
}

/**
 * A measurement over time, one line per series, hand-drawn SVG (no chart library). The SVG has a
 * title and a description in words; every line has its own dash and mark besides its colour; a
 * point on the wrong side of the objective is drawn hollow and red and named in the table; the
 * values are in a table under the chart for anyone who cannot read the picture.
 */
export function TimeSeriesChart({
  title,
  lines,
  format,
  objective,
  fromZero = true,
  empty,
}: {
  title: string;
  lines: ChartLine[];
  format: (v: number) => string;
  objective?: Objective;
  fromZero?: boolean;
  empty: string;
}) {
  const id = useId();
  const time = timeDomain(lines);
  const extent = valueExtent(lines, objective ? [objective.value] : []);
  if (!time || !extent) return <p className="muted small chart-empty">{empty}</p>;
  const width = 640;
  const height = 180;
  const pad = { left: 56, right: 12, top: 12, bottom: 24 };
  const { ticks, domain } = niceTicks(fromZero ? Math.min(0, extent[0]) : extent[0], extent[1], 4);
  const x = linearScale(time, [pad.left, width - pad.right]);
  const y = linearScale(domain, [height - pad.bottom, pad.top]);
  const bad = (v: number) =>
    objective ? (objective.badWhen === "above" ? v > objective.value : v < objective.value) : false;
  const summary = lines
    .map((l) => {
      const vs = l.points.map((p) => p.v).filter((v): v is number => v !== null);
      const last = vs[vs.length - 1];
      const over = vs.filter(bad).length;
      return `${l.label}: ${vs.length} points, latest ${last === undefined ? "none" : format(last)}, lowest ${format(Math.min(...vs))}, highest ${format(Math.max(...vs))}${objective && over > 0 ? `, ${over} past the objective` : ""}`;
    })
    .join("; ");
  const times = [...new Set(lines.flatMap((l) => l.points.map((p) => p.t)))].sort((a, b) => a - b);
  return (
    <figure className="chart ts-chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>
          {`${day(time[0])} to ${day(time[1])}. ${summary}.`}
          {objective ? ` Objective: ${objective.label}.` : ""}
        </desc>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={pad.left} x2={width - pad.right} y1={y(t)} y2={y(t)} className="grid" />
            <text x={pad.left - 6} y={y(t) + 4} className="tick" textAnchor="end">
              {format(t)}
            </text>
          </g>
        ))}
        <line x1={pad.left} x2={width - pad.right} y1={height - pad.bottom} y2={height - pad.bottom} className="axis" />
        <text x={pad.left} y={height - 6} className="tick">
          {day(time[0])}
        </text>
        {time[1] !== time[0] && (
          <text x={width - pad.right} y={height - 6} className="tick" textAnchor="end">
            {day(time[1])}
          </text>
        )}
        {objective && (
          <g className="objective-line">
            <line
              x1={pad.left}
              x2={width - pad.right}
              y1={y(objective.value)}
              y2={y(objective.value)}
              className="objective"
              strokeDasharray="4 3"
            />
            <text x={width - pad.right - 4} y={y(objective.value) - 4} className="tick objective-text" textAnchor="end">
              {objective.label}
            </text>
          </g>
        )}
        {lines.map((l, i) => {
          // A gap (no value) breaks the line instead of drawing it through zero.
          const runs: { t: number; v: number }[][] = [[]];
          for (const p of l.points) {
            if (p.v === null) runs.push([]);
            else runs[runs.length - 1]?.push({ t: p.t, v: p.v });
          }
          const kind = marks[i % marks.length] ?? "circle";
          return (
            <g key={l.key} className={`series series-${i % marks.length}`}>
              {runs
                .filter((r) => r.length > 1)
                .map((r) => (
                  <polyline
                    key={r[0]?.t}
                    points={r.map((p) => `${x(p.t)},${y(p.v)}`).join(" ")}
                    className="series-line"
                    strokeDasharray={dashes[i % dashes.length]}
                  />
                ))}
              {l.points.map((p) =>
                p.v === null ? null : (
                  <g key={p.t}>
                    <Mark
                      kind={kind}
                      x={x(p.t)}
                      y={y(p.v)}
                      className={bad(p.v) ? "series-mark mark-bad" : "series-mark"}
                    />
                    <title>{`${l.label} · ${when(p.t)}: ${format(p.v)}${bad(p.v) ? " (past the objective)" : ""}`}</title>
                  </g>
                ),
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        {lines.map((l, i) => (
          <span key={l.key}>
            <Swatch i={i} /> {l.label}
          </span>
        ))}
        {objective && (
          <span>
            <svg width="26" height="12" viewBox="0 0 26 12" aria-hidden="true">
              <line x1="1" x2="25" y1="6" y2="6" className="objective" strokeDasharray="4 3" />
            </svg>{" "}
            {objective.label}
          </span>
        )}
      </figcaption>
      <details className="chart-table">
        <summary className="small">Table of the values</summary>
        <TableWrap>
          <table>
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">Measured</th>
                {lines.map((l) => (
                  <th scope="col" key={l.key}>
                    {l.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {times.map((t) => (
                <tr key={t}>
                  <th scope="row">{when(t)}</th>
                  {lines.map((l) => {
                    const v = l.points.find((p) => p.t === t)?.v;
                    return (
                      <td key={l.key} className="num">
                        {v === null || v === undefined ? "—" : format(v)}
                        {v !== null && v !== undefined && bad(v) && (
                          <span className="text-bad"> past the objective</span>
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </details>
    </figure>
  );
}

const budgetTone: Record<BudgetRow["status"], string> = {
  met: "good",
  "at-risk": "warn",
  breached: "bad",
  unknown: "neutral",
};

/**
 * The error budget left of each objective, as bars from 0 % to 100 %; an overspent budget is a
 * bar left of zero. Each row says the number and the status in words.
 */
export function BudgetChart({ title, rows }: { title: string; rows: BudgetRow[] }) {
  const id = useId();
  if (rows.length === 0)
    return <p className="muted small chart-empty">The contract declares no service level objective for this port.</p>;
  const width = 640;
  const rowH = 26;
  const labelW = 150;
  const textW = 170;
  const height = rows.length * rowH + 8;
  const lowest = Math.min(0, ...rows.map((r) => r.remaining ?? 0));
  const lo = Math.max(-1, lowest);
  const x = linearScale([lo, 1], [labelW, width - textW]);
  return (
    <figure className="chart budget-chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{rows.map((r) => `${r.label} (${r.objective}): ${r.text}, ${r.status}`).join("; ")}</desc>
        <line x1={x(0)} x2={x(0)} y1={0} y2={height} className="axis" />
        {rows.map((r, i) => {
          const top = i * rowH + 4;
          const v = r.remaining === null ? null : Math.max(lo, Math.min(1, r.remaining));
          return (
            <g key={r.key}>
              <text x={0} y={top + 14} className="tick budget-label">
                {r.label}
              </text>
              <rect x={x(0)} y={top + 2} width={x(1) - x(0)} height={rowH - 10} className="ratio-track" />
              {v !== null && (
                <rect
                  x={Math.min(x(0), x(v))}
                  y={top + 2}
                  width={Math.max(2, Math.abs(x(v) - x(0)))}
                  height={rowH - 10}
                  className={`bar bar-${budgetTone[r.status]}`}
                />
              )}
              <text x={width - textW + 8} y={top + 14} className="tick">
                {r.text} · {r.status}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
