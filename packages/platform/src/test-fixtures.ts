import { fileURLToPath } from "node:url";
import { findProductFolders, readProductFolder } from "./registry/product-folder.js";
import type { ProductFile } from "./registry/publish-product.js";

/** The demo mesh of the repository (tests only: the runtime never reads outside its package). */
export const examplesDir = fileURLToPath(new URL("../../../examples", import.meta.url));

export async function exampleProducts(): Promise<{ folder: string; files: ProductFile[] }[]> {
  const folders = await findProductFolders(examplesDir);
  return Promise.all(folders.map(async (folder) => ({ folder, files: await readProductFolder(folder) })));
}

/** A small valid product folder (it passes the default blocking policies) whose text can be varied per test. */
export function tinyProduct(
  id: string,
  over: { version?: string; contractVersion?: string; name?: string; extra?: string } = {},
): ProductFile[] {
  const version = over.version ?? "1.0.0";
  return [
    {
      path: `${id}.odps.yaml`,
      text: `apiVersion: v1.0.0
kind: DataProduct
id: ${id}
name: ${over.name ?? `Tiny ${id}`}
version: ${version}
status: active
domain: testing
description:
  purpose: A tiny product used by the platform tests.${over.extra ? ` ${over.extra}` : ""}
tags: [tiny]
outputPorts:
  - name: rows
    type: tables
    version: ${over.contractVersion ?? "1.0.0"}
    contractId: ${id}.rows
team:
  name: Test team
  members:
    - username: owner@example.com
      role: owner
      dateIn: "2024-01-01"
support:
  - channel: "#tiny"
    url: https://chat.example.com/tiny
    tool: slack
`,
    },
    {
      path: "contracts/rows.odcs.yaml",
      text: `apiVersion: v3.1.0
kind: DataContract
id: ${id}.rows
name: Rows
version: ${over.contractVersion ?? "1.0.0"}
status: active
schema:
  - name: rows
    physicalType: table
    properties:
      - name: row_id
        logicalType: integer
        required: true
        classification: internal
description:
  purpose: Rows of the tiny product, for the platform tests.
# Breaking changes of this test contract count as announced long ago (policy breaking-change-notice).
customProperties:
  - property: breakingChangeAnnounced
    value: "2020-01-01"
`,
    },
  ];
}
