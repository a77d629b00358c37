import { describe, expect, test } from "vitest";
import { lintProduct } from "./lint-product.js";

const contract = (id: string) => `apiVersion: v3.1.0
kind: DataContract
id: ${id}
version: 1.0.0
status: active
schema:
  - name: orders
`;

const product = `apiVersion: v1.0.0
kind: DataProduct
id: sales
name: Sales
version: 1.0.0
status: active
inputPorts:
  - name: crm
    version: 1.0.0
    contractId: crm-customers
outputPorts:
  - name: orders
    version: 1.0.0
    contractId: orders-v1
  - name: orders
    version: 1.0.0
    contractId: orders-v9
  - name: returns
    version: "2"
    inputContracts:
      - id: crm-customers
        version: 1.0.0
      - id: billing
        version: 1.0.0
`;

const show = (files: { path: string; text: string }[]) =>
  lintProduct(files, "sales").map((i) => `${i.file}:${i.line}:${i.column} ${i.severity} ${i.code}`);

describe("lintProduct", () => {
  test("an output port at another version than its contract is an error that names the contract's", () => {
    const files = (portVersion: string) => [
      {
        path: "sales.odps.yaml",
        text: `apiVersion: v1.0.0
kind: DataProduct
id: sales
name: Sales
version: 1.0.0
status: active
outputPorts:
  - name: orders
    version: ${portVersion}
    contractId: orders-v1
`,
      },
      { path: "orders.odcs.yaml", text: contract("orders-v1").replace("version: 1.0.0", "version: 0.2.0") },
    ];
    const issues = lintProduct(files("0.1.0"), "sales");
    expect(issues.map((i) => `${i.file}:${i.line}:${i.column} ${i.severity} ${i.code}`)).toEqual([
      "sales.odps.yaml:9:14 error output-port-version-mismatch",
    ]);
    expect(issues[0]?.message).toBe(
      'output port "orders" is at version 0.1.0, but its contract "orders-v1" is at 0.2.0; Quanta serves and tests the contract version a port names, so set the port\'s version to 0.2.0',
    );
    expect(show(files("0.2.0"))).toEqual([]);
    expect(show(files("v0.2.0")).filter((i) => i.includes("mismatch"))).toEqual([]);
  });

  test("a consistent product folder has no issue", () => {
    const ok = `apiVersion: v1.0.0
kind: DataProduct
id: sales
name: Sales
version: 1.0.0
status: active
outputPorts:
  - name: orders
    version: 1.0.0
    contractId: orders-v1
`;
    expect(
      show([
        { path: "sales.odps.yaml", text: ok },
        { path: "orders.odcs.yaml", text: contract("orders-v1") },
      ]),
    ).toEqual([]);
  });

  test("ports: unresolved contracts, duplicates, missing contract, unknown input contracts, versions", () => {
    expect(
      show([
        { path: "sales.odps.yaml", text: product },
        { path: "orders.odcs.yaml", text: contract("orders-v1") },
        { path: "spare.odcs.yaml", text: contract("spare") },
      ]),
    ).toEqual([
      "sales.odps.yaml:10:17 warning input-port-contract-unresolved",
      "sales.odps.yaml:15:11 error duplicate-port",
      "sales.odps.yaml:17:17 error output-port-contract-unresolved",
      "sales.odps.yaml:18:5 warning output-port-contract-missing",
      "sales.odps.yaml:19:14 error version-not-semver",
      "sales.odps.yaml:23:13 warning input-contract-unknown",
      "spare.odcs.yaml:3:5 info contract-unreferenced",
    ]);
  });

  test("folder-level problems: no ODPS file, two ODPS files, duplicate contract ids, misnamed files", () => {
    expect(show([{ path: "orders.odcs.yaml", text: contract("orders-v1") }])).toEqual([
      "sales:0:0 error product-odps-missing",
    ]);
    const small = "apiVersion: v1.0.0\nkind: DataProduct\nid: p\nname: P\nversion: 1.0.0\nstatus: active\n";
    expect(
      show([
        { path: "a.odps.yaml", text: small },
        { path: "b.odps.yaml", text: small },
        { path: "x.odcs.yaml", text: contract("dup") },
        { path: "y.odcs.yaml", text: contract("dup") },
        { path: "z.odcs.yaml", text: small.replace("id: p", "id: q") },
      ]),
    ).toEqual([
      "b.odps.yaml:2:7 error product-odps-multiple",
      "x.odcs.yaml:3:5 info contract-unreferenced",
      "y.odcs.yaml:3:5 error contract-id-duplicate",
      "z.odcs.yaml:1:1 error document-kind-unexpected",
      "z.odcs.yaml:2:7 error product-odps-multiple",
    ]);
  });
});
