import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ProductFile } from "../registry/publish-folder.js";

/**
 * Tests only: `test.tickets`, owned by the sensors' team, whose contract allows the states `open`
 * and `closed` in a `restricted` column its data breaks (for what check results may show whom).
 */
const ticketsOdps = `apiVersion: v1.0.0
kind: DataProduct
id: test.tickets
name: Tickets
version: 1.0.0
status: active
domain: testing
description:
  purpose: Support tickets with a state outside the allowed ones, for the check-result tests.
outputPorts:
  - name: tickets
    type: tables
    version: 1.0.0
    contractId: test.tickets.tickets
    tags: [public]
support:
  - channel: "#sensors"
    url: https://chat.example.com/sensors
    tool: slack
team:
  name: Sensor team
  members:
    - username: ada@example.com
      role: owner
      dateIn: "2024-01-01"
`;

const ticketsOdcs = `apiVersion: v3.1.0
kind: DataContract
id: test.tickets.tickets
name: Tickets
version: 1.0.0
status: active
description:
  purpose: One row per support ticket.
servers:
  - server: local
    type: local
    path: ../data/tickets.csv
    format: csv
schema:
  - name: tickets
    physicalType: table
    properties:
      - name: ticket_id
        logicalType: integer
        classification: public
      - name: state
        logicalType: string
        classification: restricted
        quality:
          - metric: invalidValues
            arguments:
              validValues: [open, closed]
            mustBe: 0
`;

/** Writes `test.tickets` (team "Sensor team") under `root`: 4 of its 6 tickets have a state that is not allowed. */
export async function writeTicketsProduct(root: string): Promise<{ dir: string; files: ProductFile[] }> {
  const dir = join(root, "tickets");
  await mkdir(join(dir, "contracts"), { recursive: true });
  await mkdir(join(dir, "data"), { recursive: true });
  const files = [
    { path: "tickets.odps.yaml", text: ticketsOdps },
    { path: "contracts/tickets.odcs.yaml", text: ticketsOdcs },
  ];
  for (const f of files) await writeFile(join(dir, f.path), f.text);
  const rows = ["open", "lost", "void", "lost", "closed", "reopened"].map((state, i) => `${i + 1},${state}`);
  await writeFile(join(dir, "data", "tickets.csv"), `ticket_id,state\n${rows.join("\n")}\n`);
  return { dir, files };
}
