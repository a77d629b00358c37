import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeData } from "@quanta/engine-duckdb/test-data";
import { IdentityStore, type RunningPlatform, startPlatform } from "@quanta/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleIn } from "../run-console.test-helpers.js";

const team = `team:
  name: Flow team
  members:
    - username: fay@flow.example
      role: owner
      dateIn: "2024-01-01"
support:
  - channel: "#flow"
    url: https://chat.example.com/flow
    tool: slack
`;
const product = (id: string, ports: string) => `apiVersion: v1.0.0
kind: DataProduct
id: flow.${id}
name: Flow ${id}
version: 1.0.0
status: active
domain: flow
description:
  purpose: A product of the pipeline console tests, built or read by a pipeline.
${ports}${team}`;
const contract = (id: string, extra: string) => `apiVersion: v3.1.0
kind: DataContract
id: flow.${id}.out
name: Out
version: 1.0.0
status: active
description:
  purpose: The output of a product of the pipeline console tests.
${extra}schema:
  - name: out
    properties:
      - name: n
        logicalType: integer
        classification: internal
        required: true
`;

let platform: RunningPlatform;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "quanta-pipeline-"));
  const source = join(work, "source");
  const built = join(work, "built");
  for (const dir of [join(source, "contracts"), join(source, "data"), join(built, "contracts")])
    mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(source, "source.odps.yaml"),
    product("source", "outputPorts:\n  - name: out\n    version: 1.0.0\n    contractId: flow.source.out\n"),
  );
  writeFileSync(
    join(source, "contracts/out.odcs.yaml"),
    contract(
      "source",
      "servers:\n  - server: local\n    type: local\n    format: parquet\n    path: ../data/out.parquet\n",
    ),
  );
  await writeData(join(source, "data/out.parquet"), "SELECT i::BIGINT AS n FROM range(1, 6) t(i)");
  writeFileSync(
    join(built, "built.odps.yaml"),
    product(
      "built",
      "inputPorts:\n  - name: source\n    version: 1.0.0\n    contractId: flow.source.out\noutputPorts:\n  - name: out\n    version: 1.0.0\n    contractId: flow.built.out\n",
    ),
  );
  writeFileSync(join(built, "contracts/out.odcs.yaml"), contract("built", ""));
  writeFileSync(
    join(built, "pipeline.yaml"),
    "apiVersion: quanta/v1\nkind: Pipeline\noutputs:\n  - port: out\n    steps:\n      - name: doubled\n        sql: SELECT n * 2 AS n FROM source\n",
  );
  platform = await startPlatform({
    store: { memory: true },
    dataDir: join(work, "data"),
    port: 0,
    hostname: "127.0.0.1",
    publishFolders: [source, built],
  });
  process.env.XDG_CONFIG_HOME = join(work, "config");
  const identity = new IdentityStore(platform.db);
  const fay = await identity.users.createUser({ username: "fay@flow.example" });
  await identity.teams.setTeamMember("flow-team", fay.id, "owner");
  process.env.QUANTA_TOKEN = (await identity.tokens.createToken(fay.id, { name: "ci" })).token;
});
afterAll(async () => {
  delete process.env.XDG_CONFIG_HOME;
  delete process.env.QUANTA_TOKEN;
  await platform?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const quanta = (...args: string[]) => consoleIn(work)(...args, "--server", platform.url);

describe("quanta pipeline", () => {
  it("runs a pipeline and waits for it, then shows its status, history and logs", async () => {
    const run = await quanta("pipeline", "run", "flow.built", "--wait");
    expect(run.err).toContain("queued run 1 of flow.built");
    expect(run.err).toContain("passed its tests and is current");
    expect(run.out).toContain("run 1 of flow.built 1.0.0: succeeded (manual,");
    expect(run.out).toContain("out: version 1 current, 5 row(s) out, tests passed");
    expect(run.code).toBe(0);
    const status = await quanta("pipeline", "status", "flow.built");
    expect(status.out).toContain("step out/doubled: passed");
    const again = await quanta("pipeline", "run", "flow.built", "--wait");
    expect(again.code).toBe(0);
    const history = await quanta("pipeline", "history", "flow.built");
    expect(
      history.out
        .split("\n")
        .slice(1, 3)
        .map((l) => l.split(/\s+/).slice(0, 3)),
    ).toEqual([
      ["2", "succeeded", "manual"],
      ["1", "succeeded", "manual"],
    ]);
    const logs = await quanta("pipeline", "logs", "flow.built", "1");
    expect(logs.out).toContain("output out: staged version 1 (current: none)");
  });

  it("rolls a port back to an earlier version", async () => {
    const back = await quanta("pipeline", "rollback", "flow.built", "out", "1");
    expect(back).toMatchObject({
      code: 0,
      out: "port out of flow.built serves version 1 again, as version 3 (was 2)\n",
    });
    const failed = await quanta("pipeline", "rollback", "flow.built", "out", "9");
    expect(failed.code).toBe(2);
    expect(failed.err).toContain("port out of flow.built has no version 9");
  });

  it("cancels the run in progress, and says when there is none", async () => {
    const none = await quanta("pipeline", "cancel", "flow.built");
    expect(none.code).toBe(1);
    expect(none.err).toContain("flow.built has no run in progress (run 2 succeeded)");
    // A run waiting for its turn (due in an hour), as a retry in its backoff would be.
    const { rows } = await platform.db.query<{ id: number }>(
      "INSERT INTO pipeline_runs (product_id, product_version, trigger, requested_by) VALUES ('flow.built', '1.0.0', 'manual', 'fay@flow.example') RETURNING id::int AS id",
    );
    const id = rows[0]?.id as number;
    await platform.db.query(
      "INSERT INTO jobs (kind, key, payload, run_at, max_attempts) VALUES ('pipeline-run', $1, $2, now() + interval '1 hour', 2)",
      [`pipeline-run:${id}`, JSON.stringify({ runId: id, productId: "flow.built" })],
    );
    const cancelled = await quanta("pipeline", "cancel", "flow.built");
    expect(cancelled).toMatchObject({
      code: 0,
      out: `run ${id} of flow.built: cancelled (cancelled by fay@flow.example before it started)\n`,
    });
    const again = await quanta("pipeline", "cancel", "flow.built", String(id));
    expect(again.code).not.toBe(0);
    expect(again.err).toContain("has ended (cancelled); only a queued or running run can be cancelled");
  });

  it("asks for a backfill with --from and --to, and says why the server refuses it", async () => {
    const half = await quanta("pipeline", "run", "flow.built", "--from", "2024-01-01");
    expect(half.code).toBe(2);
    expect(half.err).toContain("a backfill needs both --from and --to");
    const refused = await quanta("pipeline", "run", "flow.built", "--from", "2024-01-01", "--to", "2024-01-31");
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("output out of flow.built declares no partition column");
  });

  it("says why a product without a pipeline cannot run", async () => {
    const res = await quanta("pipeline", "run", "flow.source");
    expect(res.code).not.toBe(0);
    expect(res.err).toContain("has no pipeline");
  });
});
