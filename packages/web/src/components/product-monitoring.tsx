import { api } from "../api/api-client.js";
import type { IncidentServiceLevels, Measurements, Port, ProductSlos, ProfileDataset } from "../api/types.js";
import { useApi } from "../api/use-api.js";
import { formatWhen } from "../lib/format.js";
import { formatDuration, isActive } from "../lib/incidents.js";
import { declaredColumns, formatCount, formatRate, formatValue, profileView } from "../lib/profile.js";
import {
  budgetRows,
  durationUnit,
  freshnessLines,
  freshnessObjectiveSeconds,
  rowCountLines,
  scaleLines,
  valueExtent,
  worstNullRates,
} from "../lib/time-series.js";
import { Link } from "../router.js";
import { IncidentTable } from "./incident-list.js";
import { ApiProblem, Empty, Loading } from "./states.js";
import { TableWrap } from "./table-wrap.js";
import { BudgetChart, TimeSeriesChart } from "./time-series-chart.js";

/** The contract's datasets and their top-level columns, to tell the profile what is declared. */
export type DeclaredDatasets = { name: string; physicalName: string | null; columns: string[] }[];

/**
 * The product page's monitoring (issue 17): its incidents, then the selected output port's
 * measurements over time (row count, the worst null rates, freshness against its objective, the
 * SLO budget left) and its latest profile.
 */
export function ProductMonitoring({
  productId,
  outputs,
  selected,
  declared,
  onSelect,
}: {
  productId: string;
  outputs: Port[];
  selected: Port | undefined;
  /** The selected port's contract datasets; undefined while loading or without a contract. */
  declared: DeclaredDatasets | undefined;
  onSelect: (port: string) => void;
}) {
  return (
    <div className="monitoring">
      <ProductIncidents productId={productId} />
      {!selected ? (
        <p className="muted">This product has no output ports to measure.</p>
      ) : (
        <>
          {outputs.length > 1 && (
            <fieldset aria-label="Output port to show" className="tabs">
              {outputs.map((o) => (
                <button
                  key={o.name}
                  type="button"
                  aria-pressed={o === selected}
                  onClick={() => onSelect(o.name)}
                  className="tab-button"
                >
                  {o.name}
                </button>
              ))}
            </fieldset>
          )}
          <PortCharts productId={productId} port={selected.name} />
          <PortProfile productId={productId} port={selected.name} declared={declared} />
        </>
      )}
    </div>
  );
}

function ProductIncidents({ productId }: { productId: string }) {
  const incidents = useApi((signal) => api.incidents({ product: productId, limit: 50 }, signal), [productId]);
  const active = incidents.status === "ok" ? incidents.data.incidents.filter(isActive).length : 0;
  return (
    <section aria-labelledby="incidents-title" id="incidents">
      <h3 id="incidents-title">
        Incidents{" "}
        {incidents.status === "ok" && (
          <span className={`badge badge-${active > 0 ? "bad" : "good"}`}>
            {active > 0 ? `${active} active` : "none active"}
          </span>
        )}
      </h3>
      {incidents.status === "loading" && <Loading label="Loading incidents" />}
      {incidents.status === "error" && (
        <ApiProblem error={incidents.error} what="incidents" api={`GET /api/incidents?product=${productId}`} />
      )}
      {incidents.status === "ok" && incidents.data.incidents.length === 0 && (
        <Empty title="No incidents">
          Quanta opens one when a test, a freshness or volume check, or an SLO finds a fault.
        </Empty>
      )}
      {incidents.status === "ok" && incidents.data.incidents.length > 0 && (
        <>
          <IncidentTable incidents={incidents.data.incidents} />
          {incidents.data.total > incidents.data.incidents.length && (
            <p className="muted small">
              The newest {incidents.data.incidents.length} of {incidents.data.total}.
            </p>
          )}
        </>
      )}
      <ServiceLevelsLine productId={productId} />
      <p className="small">
        <Link href={`/incidents?product=${encodeURIComponent(productId)}&state=all`}>
          All of this product's incidents
        </Link>{" "}
        · <Link href="/incidents">Active incidents across the mesh</Link> · <Link href="/health">Mesh health</Link>
      </p>
    </section>
  );
}

/** Time to detect, notify and repair over the window, as the median and the 95th percentile. */
function ServiceLevelsLine({ productId }: { productId: string }) {
  const levels = useApi((signal) => api.serviceLevels(productId, signal), [productId]);
  if (levels.status === "loading") return null;
  if (levels.status === "error")
    return (
      <ApiProblem
        error={levels.error}
        what="the incident service levels"
        api={`GET /api/products/${productId}/service-levels`}
      />
    );
  const l: IncidentServiceLevels = levels.data;
  if (l.incidents === 0) return null;
  const stat = (s: IncidentServiceLevels["ttd"]) =>
    s.p50 === null ? "—" : `${formatDuration(s.p50)} (p95 ${formatDuration(s.p95)})`;
  return (
    <dl className="facts service-levels" aria-label={`Service levels over the last ${l.windowDays} days`}>
      <div>
        <dt>Incidents, {l.windowDays} days</dt>
        <dd>{l.incidents}</dd>
      </div>
      <div>
        <dt>Time to detect</dt>
        <dd>{stat(l.ttd)}</dd>
      </div>
      <div>
        <dt>Time to notify</dt>
        <dd>{stat(l.ttn)}</dd>
      </div>
      <div>
        <dt>Time to repair</dt>
        <dd>{stat(l.ttr)}</dd>
      </div>
    </dl>
  );
}

interface PortSeries {
  rows: Measurements;
  nulls: Measurements;
  fresh: Measurements;
}

function PortCharts({ productId, port }: { productId: string; port: string }) {
  const data = useApi(
    async (signal): Promise<PortSeries> => {
      const [rows, nulls, fresh] = await Promise.all(
        ["rowCount", "nullRate", "freshnessSeconds"].map((metric) =>
          api.measurements(productId, { port, metric }, signal),
        ),
      );
      return { rows: rows as Measurements, nulls: nulls as Measurements, fresh: fresh as Measurements };
    },
    [productId, port],
  );
  const slos = useApi((signal) => api.slos(productId, signal), [productId]);
  return (
    <section aria-labelledby="over-time-title" className="over-time">
      <h3 id="over-time-title">
        Port <span className="mono">{port}</span> over time
      </h3>
      {data.status === "loading" && <Loading label="Loading measurements" />}
      {data.status === "error" && (
        <ApiProblem error={data.error} what="measurements" api={`GET /api/products/${productId}/measurements`} />
      )}
      {data.status === "ok" && (
        <MeasurementCharts port={port} data={data.data} slos={slos.status === "ok" ? slos.data : undefined} />
      )}
      <h4>Service level objectives: error budget left</h4>
      {slos.status === "loading" && <Loading label="Loading SLOs" />}
      {slos.status === "error" && (
        <ApiProblem error={slos.error} what="SLOs" api={`GET /api/products/${productId}/slos`} />
      )}
      {slos.status === "ok" && <SloBudget port={port} slos={slos.data} />}
    </section>
  );
}

function MeasurementCharts({ port, data, slos }: { port: string; data: PortSeries; slos: ProductSlos | undefined }) {
  const nulls = worstNullRates(data.nulls.series, port);
  const objective = slos ? freshnessObjectiveSeconds(slos.objectives, port) : undefined;
  // Ages are drawn in the unit of the largest (of the data and the objective), for round ticks.
  const ages = freshnessLines(data.fresh.series, port);
  const unit = durationUnit(valueExtent(ages, objective === undefined ? [] : [objective])?.[1] ?? 0);
  return (
    <div className="chart-grid">
      <div>
        <h4>Row count</h4>
        <TimeSeriesChart
          title={`Rows in port ${port} per test run`}
          lines={rowCountLines(data.rows.series, port)}
          format={formatCount}
          empty="No row count measured yet: it comes with the port's first contract test."
        />
      </div>
      <div>
        <h4>
          Null rates
          {nulls.lines.length > 0
            ? `: the ${nulls.lines.length === 1 ? "worst column" : `${nulls.lines.length} worst columns`}`
            : ""}
        </h4>
        <TimeSeriesChart
          title={`Share of null values in the columns of port ${port} with the most nulls`}
          lines={nulls.lines}
          format={formatRate}
          empty={
            nulls.clean > 0
              ? `No nulls: none of the ${nulls.clean} columns measured ever had a null.`
              : "No null rate measured yet."
          }
        />
        {nulls.lines.length > 0 && nulls.others > 0 && (
          <p className="muted small">
            {nulls.others} more column{nulls.others === 1 ? "" : "s"} not drawn ({nulls.clean} never had a null).
          </p>
        )}
      </div>
      <div>
        <h4>Freshness: age of the newest data</h4>
        <TimeSeriesChart
          title={`Age of the newest data in port ${port}`}
          lines={scaleLines(ages, unit.seconds)}
          format={(v) => `${Number(v.toPrecision(3))} ${unit.name}`}
          objective={
            objective === undefined
              ? undefined
              : { value: objective / unit.seconds, label: `objective ${formatDuration(objective)}`, badWhen: "above" }
          }
          empty="Freshness not measured yet: the contract needs a timestamp column named in its freshness SLA."
        />
      </div>
    </div>
  );
}

function SloBudget({ port, slos }: { port: string; slos: ProductSlos }) {
  const rows = budgetRows(slos.objectives, port);
  const objectives = slos.objectives.filter((o) => o.port === port);
  return (
    <>
      <BudgetChart
        title={`Error budget left per objective of port ${port}, over ${slos.windowDays} days`}
        rows={rows}
      />
      {objectives.length > 0 && (
        <TableWrap>
          <table className="slo-table">
            <caption className="muted small">Over the last {slos.windowDays} days</caption>
            <thead>
              <tr>
                <th scope="col">Objective</th>
                <th scope="col">Target</th>
                <th scope="col">Measured</th>
                <th scope="col">Budget left</th>
                <th scope="col">Burn rate 1 h / 6 h / 24 h</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const o = objectives.find((x) => `${x.port}/${x.property}` === r.key);
                if (!o) return null;
                const burn = (b: number | null) => (b === null ? "—" : `${Math.round(b * 10) / 10}×`);
                return (
                  <tr key={r.key}>
                    <th scope="row">
                      {o.property}
                      <div className="muted small">{o.objective}</div>
                    </th>
                    <td>{formatRate(o.target)}</td>
                    <td>
                      {formatRate(o.sli)}
                      <div className="muted small">
                        {o.good} of {o.total} {o.unit}
                      </div>
                    </td>
                    <td>{r.text}</td>
                    <td>
                      {burn(o.burnRate["1h"])} / {burn(o.burnRate["6h"])} / {burn(o.burnRate["24h"])}
                    </td>
                    <td>
                      <span className={`badge badge-${sloTone[o.status] ?? "neutral"}`}>{o.status}</span>
                      {o.reason && <div className="muted small">{o.reason}</div>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  );
}

const sloTone: Record<string, string> = { met: "good", "at-risk": "warn", breached: "bad", unknown: "neutral" };

function PortProfile({
  productId,
  port,
  declared,
}: {
  productId: string;
  port: string;
  declared: DeclaredDatasets | undefined;
}) {
  const profile = useApi((signal) => api.profile(productId, signal), [productId]);
  return (
    <section aria-labelledby="profile-title" className="profile">
      <h3 id="profile-title">
        Profile of port <span className="mono">{port}</span>
      </h3>
      {profile.status === "loading" && <Loading label="Loading the profile" />}
      {profile.status === "error" && (
        <ApiProblem error={profile.error} what="the profile" api={`GET /api/products/${productId}/profile`} />
      )}
      {profile.status === "ok" &&
        (() => {
          const latest = profile.data.ports.find((p) => p.port === port);
          if (!latest || latest.datasets.length === 0)
            return (
              <Empty title="No profile yet">The profile is taken in the same scan as the port's contract test.</Empty>
            );
          return (
            <>
              <p className="muted small">From the test run of {formatWhen(latest.at)}.</p>
              {latest.datasets.map((d) => (
                <DatasetProfileTable
                  key={d.dataset}
                  dataset={d}
                  declared={declared ? (declaredColumns(declared, d.dataset) ?? []) : undefined}
                />
              ))}
            </>
          );
        })()}
    </section>
  );
}

function DatasetProfileTable({ dataset, declared }: { dataset: ProfileDataset; declared: string[] | undefined }) {
  const view = profileView(dataset, declared);
  const extra = view.rows.filter((r) => r.declared === false).length;
  return (
    <div className="profile-dataset">
      <h4>
        <span className="mono">{dataset.dataset}</span>{" "}
        <span className="muted small">
          {dataset.rows === null ? "rows unknown" : `${dataset.rows.toLocaleString()} rows`}
        </span>
        {extra > 0 && (
          <>
            {" "}
            <span className="badge badge-warn">
              {extra} column{extra === 1 ? "" : "s"} not in the contract
            </span>
          </>
        )}
      </h4>
      {dataset.reason && <p className="muted small">{dataset.reason}</p>}
      <TableWrap>
        <table className="profile-table">
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Type</th>
              <th scope="col">Null rate</th>
              <th scope="col">Distinct</th>
              <th scope="col">Min</th>
              <th scope="col">Max</th>
              <th scope="col">Mean</th>
              <th scope="col">Top values</th>
            </tr>
          </thead>
          <tbody>
            {view.rows.map(({ column: c, declared: known }) => (
              <tr key={c.name} className={known === false ? "undeclared" : undefined}>
                <th scope="row" className="mono">
                  {c.name}
                  {known === false && (
                    <div>
                      <span className="badge badge-warn">not in the contract</span>
                    </div>
                  )}
                </th>
                <td className="mono small">{c.type}</td>
                <td className="num">
                  {formatRate(c.nullRate)}
                  {c.nulls !== null && c.nulls > 0 && (
                    <div className="muted small">{c.nulls.toLocaleString()} nulls</div>
                  )}
                </td>
                <td className="num">
                  {c.distinct === null ? "—" : `${c.distinctApproximate ? "≈ " : ""}${c.distinct.toLocaleString()}`}
                </td>
                <td className="num">{formatValue(c.min)}</td>
                <td className="num">{formatValue(c.max)}</td>
                <td className="num">{formatValue(c.mean)}</td>
                <td className="small">
                  {c.top && c.top.length > 0
                    ? c.top.map((t) => (
                        <div key={t.value}>
                          <span className="mono">{t.value}</span>{" "}
                          <span className="muted">×{t.count.toLocaleString()}</span>
                        </div>
                      ))
                    : "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {view.missing.length > 0 && (
        <p className="small">
          <span className="badge badge-bad">missing</span> declared in the contract but not in the data:{" "}
          <span className="mono">{view.missing.join(", ")}</span>
        </p>
      )}
    </div>
  );
}
