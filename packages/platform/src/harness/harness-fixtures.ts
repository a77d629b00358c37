import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeData } from "@quanta/engine-duckdb/test-data";
import type { ProductFile } from "../registry/publish-folder.js";

/**
 * Test products for the harness (tests only): `test.sensors` serves `readings` from a Parquet file
 * in its folder and has an input port `events` whose contract `test.upstream.events` is published
 * by `test.upstream`.
 */
export const sensorsOdps = `apiVersion: v1.0.0
kind: DataProduct
id: test.sensors
name: Sensors
version: 1.0.0
status: active
domain: testing
description:
  purpose: Sensor readings used by the harness tests.
  usage: Read the readings port.
  limitations: Synthetic data.
tags: [sensors]
inputPorts:
  - name: events
    version: 1.0.0
    contractId: test.upstream.events
outputPorts:
  - name: readings
    description: One row per reading.
    type: tables
    version: 1.0.0
    contractId: test.sensors.readings
    # Public: anyone signed in reads it without an agreement (ADR 0014); agreements are tested in access/.
    tags: [public]
support:
  - channel: "#sensors"
    url: https://chat.example.com/sensors
    tool: slack
    scope: interactive
team:
  name: Sensor team
  members:
    - username: ada@example.com
      name: Ada
      role: owner
      dateIn: "2024-01-01"
    - username: bob@example.com
      name: Bob
      role: data engineer
      dateIn: "2023-01-01"
      dateOut: "2023-12-31"
customProperties:
  - property: glossary
    value:
      - term: Reading
        definition: One measurement of one sensor.
        url: https://wiki.example.com/reading
`;

export const readingsOdcs = `apiVersion: v3.1.0
kind: DataContract
id: test.sensors.readings
name: Readings
version: 1.0.0
status: active
description:
  purpose: One row per sensor reading, for the harness tests.
servers:
  - server: local
    type: local
    path: ../data/readings.parquet
    format: parquet
schema:
  - name: readings
    physicalType: table
    quality:
      - metric: rowCount
        mustBeGreaterThan: 0
    properties:
      - name: reading_id
        logicalType: integer
        classification: public
        physicalType: BIGINT
        required: true
        primaryKey: true
      - name: station
        logicalType: string
        classification: public
        required: true
        logicalTypeOptions:
          pattern: ^S-[0-9]{3}$
      - name: value
        logicalType: number
        classification: public
        logicalTypeOptions:
          minimum: -50
          maximum: 50
      - name: measured_at
        logicalType: timestamp
        classification: public
        required: true
slaProperties:
  - property: frequency
    value: 6
    unit: h
  - property: freshness
    value: 30
    unit: d
    element: readings.measured_at
  - property: availability
    value: 99.5
    unit: percent
`;

export const upstreamOdps = `apiVersion: v1.0.0
kind: DataProduct
id: test.upstream
name: Upstream
version: 1.0.0
status: active
domain: testing
description:
  purpose: Events the sensors product ingests, for the harness tests.
support:
  - channel: "#upstream"
    url: https://chat.example.com/upstream
    tool: slack
outputPorts:
  - name: events
    type: tables
    version: 1.0.0
    contractId: test.upstream.events
team:
  name: Upstream team
  members:
    - username: cy@example.com
      role: owner
      dateIn: "2024-01-01"
`;

export const eventsOdcs = `apiVersion: v3.1.0
kind: DataContract
id: test.upstream.events
name: Events
version: 1.0.0
status: active
description:
  purpose: Events the sensors product takes in, for the ingest tests.
schema:
  - name: events
    physicalType: table
    properties:
      - name: event_id
        logicalType: integer
        classification: public
        required: true
        primaryKey: true
      - name: kind
        logicalType: string
        classification: public
        required: true
        quality:
          - metric: invalidValues
            arguments:
              validValues: [start, stop, error]
            mustBe: 0
      - name: level
        logicalType: number
        classification: public
        logicalTypeOptions:
          minimum: 0
          maximum: 10
      - name: day
        logicalType: date
        classification: public
      - name: at
        logicalType: timestamp
        classification: public
      - name: code
        logicalType: string
        classification: public
        logicalTypeOptions:
          maxLength: 5
      - name: ok
        logicalType: boolean
        classification: public
`;

/** Writes both product folders (with `rows` readings in Parquet) and returns their files. */
export async function writeSensorProducts(rows = 5_000): Promise<{
  root: string;
  sensorsDir: string;
  upstreamDir: string;
  sensors: ProductFile[];
  upstream: ProductFile[];
}> {
  const root = await mkdtemp(join(tmpdir(), "quanta-harness-"));
  const sensorsDir = join(root, "sensors");
  const upstreamDir = join(root, "upstream");
  await mkdir(join(sensorsDir, "contracts"), { recursive: true });
  await mkdir(join(sensorsDir, "data"), { recursive: true });
  await mkdir(join(upstreamDir, "contracts"), { recursive: true });
  const sensors = [
    { path: "sensors.odps.yaml", text: sensorsOdps },
    { path: "contracts/readings.odcs.yaml", text: readingsOdcs },
  ];
  const upstream = [
    { path: "upstream.odps.yaml", text: upstreamOdps },
    { path: "contracts/events.odcs.yaml", text: eventsOdcs },
  ];
  for (const f of sensors) await writeFile(join(sensorsDir, f.path), f.text);
  for (const f of upstream) await writeFile(join(upstreamDir, f.path), f.text);
  await writeFile(join(root, "secret.csv"), "secret\nhunter2\n");
  await writeData(
    join(sensorsDir, "data", "readings.parquet"),
    `SELECT i::BIGINT AS reading_id, 'S-' || lpad(CAST(i % 50 AS VARCHAR), 3, '0') AS station,
        round(((i * 7919) % 1000) / 20.0 - 25, 2)::DOUBLE AS value,
        date_trunc('minute', now()::TIMESTAMP) - to_minutes(i) AS measured_at
      FROM range(1, ${rows + 1}) t(i)`,
  );
  return { root, sensorsDir, upstreamDir, sensors, upstream };
}
