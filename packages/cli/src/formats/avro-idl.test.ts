import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { exportWithFormat, getFormat, SourceDocument } from "@quanta/core";
import avro from "avsc";
import { describe, expect, it } from "vitest";

const repo = join(dirname(fileURLToPath(import.meta.url)), "../../../..");
const contracts = {
  rich: join(repo, "packages/core/src/formats/testdata/rich.odcs.yaml"),
  hostile: join(repo, "packages/core/src/formats/testdata/hostile.odcs.yaml"),
  orders: join(repo, "examples/webshop/orders/contracts/orders.odcs.yaml"),
};

async function exportAs(name: string, path: string, options: Record<string, string>): Promise<string> {
  const format = getFormat(name);
  if (!format) throw new Error(`${name} is not registered`);
  const result = await exportWithFormat(format, SourceDocument.parse(readFileSync(path, "utf8"), path), options);
  expect(result.issues.filter((i) => i.severity === "error")).toEqual([]);
  return String(result.files[0]?.content);
}

describe("avro-idl export read by avsc", () => {
  for (const [name, path] of Object.entries(contracts)) {
    it(`parses the ${name} protocol to the same records as the avro export`, async () => {
      const options = { namespace: "quanta.test" };
      const protocol = avro.readProtocol(await exportAs("avro-idl", path, options));
      expect(protocol.protocol).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      const registry: Record<string, avro.Type> = {};
      for (const type of protocol.types) avro.Type.forSchema(type, { registry, namespace: protocol.namespace });
      const schema = JSON.parse(await exportAs("avro", path, options));
      for (const record of Array.isArray(schema) ? schema : [schema]) {
        const expected = avro.Type.forSchema(record);
        const actual = registry[`quanta.test.${record.name}`];
        expect(actual, record.name).toBeDefined();
        // Same types, names, docs and attributes (quanta.name, quanta.odcs) as the .avsc; only a
        // doc's `*/`, which no IDL comment can hold, reads back as `*\/`.
        const want = JSON.stringify(expected.schema({ exportAttrs: true })).replaceAll("*/", "*\\\\/");
        expect(JSON.stringify(actual?.schema({ exportAttrs: true }))).toBe(want);
      }
    });
  }
});
