import { mkdir, readdir, stat, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { slugify } from "@quanta/core/slug";
import { CommandError, ExitCode } from "../exit-codes.js";
import type { Io } from "../io.js";

export { slugify };

export interface InitOptions {
  name?: string;
  domain?: string;
  force?: boolean;
  /** The contract of an upstream port to build from: adds an input port and a pipeline.yaml. */
  pipeline?: string;
}

/** What a new data product is called, in the forms the files need. */
export interface ProductNames {
  /** kebab-case: file names and ids (`customer-orders`). */
  slug: string;
  /** snake_case: the table of the output port (`customer_orders`). */
  table: string;
  /** Words for people (`Customer Orders`). */
  title: string;
  domain: string;
}

export function productNames(name: string, domain: string): ProductNames {
  const slug = slugify(name);
  if (!/^[a-z]/.test(slug)) {
    throw new CommandError(
      `cannot make a product name from ${JSON.stringify(name)}: it needs to start with a letter; pass --name`,
    );
  }
  const dom = slugify(domain);
  if (!/^[a-z]/.test(dom))
    throw new CommandError(`cannot make a domain name from ${JSON.stringify(domain)}; pass --domain`);
  const title = slug
    .split("-")
    .map((w) => (w[0]?.toUpperCase() ?? "") + w.slice(1))
    .join(" ");
  return { slug, table: slug.replaceAll("-", "_"), title, domain: dom };
}

/** The ODPS file: owner team, support channel, one output port bound to the contract. */
export function productYaml(n: ProductNames, upstreamContract?: string): string {
  return `# ${n.title}: a Quanta data product (ODPS v1.0.0). Check it with: quanta lint .
apiVersion: v1.0.0
kind: DataProduct
id: ${n.domain}.${n.slug}
name: ${n.title}
version: 0.1.0
status: draft
domain: ${n.domain}
description:
  purpose: What ${n.title} provides, and for whom. Replace this with one or two sentences.
  usage: How consumers should use the data, for example daily reporting.
  limitations: What the data must not be used for, and known gaps.
tags: [${n.domain}]
${
  upstreamContract
    ? `inputPorts:
  - name: source
    version: 1.0.0
    contractId: ${upstreamContract}
`
    : ""
}outputPorts:
  - name: ${n.slug}
    description: The ${n.table} table; its data contract is contracts/${n.slug}.odcs.yaml.
    type: tables
    version: 0.1.0
    contractId: ${n.domain}.${n.slug}.${n.table}
support:
  - channel: "#${n.slug}"
    url: https://example.com/chat/${n.slug}
    description: Questions about ${n.title}; replace with your team's channel.
    tool: slack
    scope: interactive
team:
  name: ${n.domain} data team
  description: Owns ${n.title}; replace the member below with the real owner.
  members:
    - username: owner@example.com
      name: Product Owner
      role: owner
`;
}

/** The ODCS contract of the output port: one table, a few typed properties, quality rules and SLAs. */
export function contractYaml(n: ProductNames): string {
  return `# Data contract (ODCS v3.1.0) of the ${n.slug} output port. Test it against the data with: quanta test
apiVersion: v3.1.0
kind: DataContract
id: ${n.domain}.${n.slug}.${n.table}
name: ${n.title}
version: 0.1.0
status: draft
domain: ${n.domain}
description:
  purpose: One row per ${n.table} record. Describe what a row means.
  usage: Reporting and analytics.
  limitations: Describe known gaps, delays and what the data must not be used for.
servers:
  - server: local
    type: local
    environment: dev
    description: A Parquet file next to the product, for trying the contract locally (the path is relative to this file).
    path: ../data/${n.table}.parquet
    format: parquet
schema:
  - name: ${n.table}
    physicalName: ${n.table}
    physicalType: table
    businessName: ${n.title}
    description: One row per record.
    properties:
      - name: id
        businessName: Identifier
        description: Unique identifier of the record.
        logicalType: string
        physicalType: varchar
        required: true
        unique: true
        primaryKey: true
        primaryKeyPosition: 1
        examples: [rec-0001]
        classification: internal
      - name: created_at
        businessName: Created at
        description: When the record was created, in UTC.
        logicalType: timestamp
        physicalType: timestamp
        required: true
        classification: internal
      - name: amount
        businessName: Amount
        description: Amount in euros.
        logicalType: number
        physicalType: decimal(12,2)
        logicalTypeOptions:
          minimum: 0
        classification: internal
      - name: status
        businessName: Status
        description: Where the record is in its life.
        logicalType: string
        physicalType: varchar
        required: true
        examples: [open, closed]
        classification: internal
        quality:
          - name: Known status
            description: Only the listed statuses occur.
            metric: invalidValues
            arguments:
              validValues: [open, closed]
            mustBe: 0
            dimension: conformity
            severity: error
    quality:
      - name: Not empty
        description: The table has at least one row.
        metric: rowCount
        mustBeGreaterThan: 0
        dimension: completeness
        severity: error
team:
  name: ${n.domain} data team
  members:
    - username: owner@example.com
      name: Product Owner
      role: owner
support:
  - channel: "#${n.slug}"
    url: https://example.com/chat/${n.slug}
    tool: slack
    scope: interactive
slaProperties:
  - property: latency
    value: 1
    unit: d
    element: ${n.table}.created_at
    description: A record is available at most one day after it was created.
  - property: frequency
    value: 1
    unit: d
    description: Updated once a day.
  - property: freshness
    value: 1
    unit: d
    element: ${n.table}.created_at
    description: The newest record is less than a day old.
  - property: availability
    value: 99.5
    unit: percent
    description: Share of the month the data can be read.
  - property: retention
    value: 1
    unit: y
    element: ${n.table}.created_at
    description: Records are kept for one year.
`;
}

/** The pipeline (ADR 0029): one SQL step computing the output port from the input port \`source\`. */
export function pipelineYaml(n: ProductNames): string {
  return `# How the ${n.slug} output port is computed from the input port \`source\` (see docs/pipelines.md).
# The platform runs it (quanta pipeline run ${n.domain}.${n.slug}), reading \`source\` under your team's
# data usage agreement, and publishes the result only when it passes the contract's tests.
apiVersion: quanta/v1
kind: Pipeline
outputs:
  - port: ${n.slug}
    steps:
      - name: ${n.table}
        sql: |
          SELECT id, created_at, amount, status
          FROM source
`;
}

export function readmeText(n: ProductNames): string {
  return `# ${n.title}

A data product of the ${n.domain} domain, described with open standards:

- \`${n.slug}.odps.yaml\`: the data product (ODPS v1.0.0): owner team, support channel, output port.
- \`contracts/${n.slug}.odcs.yaml\`: the data contract of its output port (ODCS v3.1.0): schema,
  quality rules and service levels.

## Next steps

1. Describe the product and the table: replace the placeholder descriptions, the team member
   and the support channel.
2. Shape the schema to your data, then check the files: \`quanta lint .\`
3. Point the \`local\` server at real data (\`data/${n.table}.parquet\`) or add your database
   server, and test the contract against it: \`quanta test contracts/${n.slug}.odcs.yaml\`
`;
}

/** `quanta init DIR`: writes the product, its contract and a README into a new or empty folder. */
export async function runInit(io: Io, dir: string, options: InitOptions): Promise<ExitCode> {
  const root = resolve(io.cwd, dir);
  const names = productNames(options.name ?? basename(root), options.domain ?? "default");
  const info = await stat(root).catch(() => undefined);
  if (info && !info.isDirectory()) throw new CommandError(`${dir} exists and is not a folder`);
  if (info && !options.force && (await readdir(root)).length > 0) {
    throw new CommandError(`${dir} is not empty; pass --force to write the product files into it`);
  }
  const files: [string, string][] = [
    [`${names.slug}.odps.yaml`, productYaml(names, options.pipeline)],
    [join("contracts", `${names.slug}.odcs.yaml`), contractYaml(names)],
    ...(options.pipeline ? ([["pipeline.yaml", pipelineYaml(names)]] as [string, string][]) : []),
    ["README.md", readmeText(names)],
  ];
  await mkdir(join(root, "contracts"), { recursive: true });
  for (const [file, text] of files) await writeFile(join(root, file), text);
  io.out(`created data product ${names.domain}.${names.slug} in ${dir}:`);
  for (const [file] of files) io.out(`  ${join(dir, file)}`);
  io.out(`next: quanta lint ${dir}`);
  return ExitCode.ok;
}
