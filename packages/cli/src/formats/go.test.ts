import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportWithFormat, getFormat, SourceDocument } from "@quanta/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The generated Go checked by Go's own tools: gofmt (formatting), go vet (struct tags and more),
// and a program that reads a hostile row through the json tags.
const repoRoot = join(import.meta.dirname, "../../../..");
const fixtures = {
  rich: join(repoRoot, "packages/core/src/formats/testdata/rich.odcs.yaml"),
  hostile: join(repoRoot, "packages/core/src/formats/testdata/hostile.odcs.yaml"),
  orders: join(repoRoot, "examples/webshop/orders/contracts/orders.odcs.yaml"),
};
const goSkip =
  spawnSync("go", ["version"]).status === 0 ? undefined : "go is not on PATH (golden files pin the output)";
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "quanta-go-export-"));
  env = {
    ...process.env,
    GOCACHE: join(dir, "cache"),
    GOPATH: join(dir, "gopath"),
    GOFLAGS: "-mod=mod",
    GOTOOLCHAIN: "local",
  };
  const format = getFormat("go");
  if (!format) throw new Error("go is not registered");
  for (const [name, contract] of Object.entries(fixtures)) {
    const result = await exportWithFormat(format, SourceDocument.parse(readFileSync(contract, "utf8"), contract), {
      package: name,
    });
    expect(result.issues.filter((i) => i.severity === "error")).toEqual([]);
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, `${name}.go`), String(result.files[0]?.content));
  }
  writeFileSync(join(dir, "go.mod"), "module example.com/contracts\n\ngo 1.18\n");
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function go(args: string[], command = "go"): { status: number | null; out: string } {
  const r = spawnSync(command, args, { cwd: dir, encoding: "utf8", env });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe.skipIf(goSkip !== undefined)(
  `go export, checked by the Go toolchain${goSkip ? ` (skipped: ${goSkip})` : ""}`,
  () => {
    it("is gofmt-clean and passes go vet for rich, hostile and orders", () => {
      expect(go(["-l", "rich", "hostile", "orders"], "gofmt")).toEqual({ status: 0, out: "" });
      expect(go(["vet", "./..."])).toMatchObject({ status: 0 });
    }, 120_000);

    it("fails go vet on a broken tag (the check can fail)", () => {
      mkdirSync(join(dir, "broken"), { recursive: true });
      writeFileSync(
        join(dir, "broken/broken.go"),
        'package broken\n\ntype T struct {\n\tA int `json:"a,omitempty`\n}\n',
      );
      expect(go(["vet", "./broken"]).status).not.toBe(0);
      rmSync(join(dir, "broken"), { recursive: true });
    }, 120_000);

    it("reads and writes a hostile row under the contract's names", () => {
      mkdirSync(join(dir, "cmd"), { recursive: true });
      writeFileSync(
        join(dir, "cmd/main.go"),
        `package main

import (
\t"encoding/json"
\t"fmt"

\t"example.com/contracts/hostile"
)

func main() {
\tvar row hostile.Select
\terr := json.Unmarshal([]byte(\`{"from": 7, "order date": "2024-01-31T00:00:00Z", "class": "c", "größe": 1.5, "1st": true, "ключ": "k", "a;drop table x": "2024-01-31T10:00:00Z", "Order Date": "d"}\`), &row)
\tif err != nil {
\t\tpanic(err)
\t}
\tout, _ := json.Marshal(row)
\tfmt.Println(string(out))
}
`,
      );
      const r = go(["run", "./cmd"]);
      expect(r.status, r.out).toBe(0);
      expect(JSON.parse(r.out)).toEqual({
        from: 7,
        "order date": "2024-01-31T00:00:00Z",
        class: "c",
        größe: 1.5,
        "1st": true,
        ключ: "k",
        "a;drop table x": "2024-01-31T10:00:00Z",
        "Order Date": "d",
      });
    }, 120_000);
  },
);
