import type { SandboxDataset } from "@quanta/engine-duckdb";
import { planRead, type ReadPlan } from "../access/read-access.js";
import type { DataLocator } from "../harness/data-locator.js";
import type { Principal } from "../identity/principal.js";
import { checkRead } from "../lifecycle/read-check.js";
import { ContractRepository } from "../registry/contract-repository.js";
import { ProductRepository } from "../registry/product-repository.js";
import type { Database } from "../storage/database.js";
import type { PipelineOutputResult } from "./pipeline-run-schema.js";
import { isTransient, RunFailed } from "./run-control.js";

/**
 * The inputs of one output, read through the mesh: each input port it reads is planned by
 * `planRead` as the pipeline's principal (the owner team: an active agreement, or the team's own
 * product), refused without an agreement (a public port too), and becomes sandbox views carrying
 * the agreement's masks and row filters, named `port.dataset` (and `port` for a port of one
 * dataset), for the file-served datasets; the plans serve every input (build-inputs.ts). What was
 * read, on what basis, goes into `result.inputs`.
 */
export async function planInputs(
  db: Database,
  locator: DataLocator,
  input: {
    inputPorts: readonly { name: string; contractId?: string | null | undefined }[];
    reads: readonly string[];
    principal: Principal;
    team: string;
    result: PipelineOutputResult;
    /** A command step reads its inputs as files; SQL steps read them wherever they are (build-inputs.ts). */
    files: boolean;
  },
): Promise<{ inputs: SandboxDataset[]; plans: ReadPlan[] }> {
  const inputs: SandboxDataset[] = [];
  const plans: ReadPlan[] = [];
  for (const name of input.reads) {
    const port = input.inputPorts.find((p) => p.name === name);
    const upstream = await upstreamOf(db, name, port?.contractId ?? null);
    let plan: ReadPlan;
    try {
      plan = await planRead(db, locator, { ...upstream, action: "pipeline" }, input.principal);
      // A product past its end of life is never read again, by a pipeline either (410 → the run fails).
      await checkRead(db, [plan], new Date());
    } catch (e) {
      throw new RunFailed(
        `input port ${name} (${upstream.productId} port ${upstream.port}): ${(e as Error).message}`,
        isTransient(e),
      );
    }
    if (plan.basis === "public")
      throw new RunFailed(
        `input port ${name} (${upstream.productId} port ${upstream.port}) is public, but a pipeline reads only under an active data usage agreement of team ${input.team}; request one: POST /api/access-requests`,
      );
    plans.push(plan);
    input.result.inputs.push({
      port: name,
      product: plan.productId,
      upstreamPort: plan.port,
      basis: plan.basis,
      agreementId: plan.agreement?.id ?? null,
      contractVersion: plan.contractVersion,
      masked: [...new Set(plan.datasets.flatMap((d) => d.masked))],
      rowFilters: [...new Set(plan.datasets.flatMap((d) => d.rowFilters))],
    });
    for (const d of plan.datasets) {
      if (d.source.kind !== "files") {
        if (!input.files) continue;
        throw new RunFailed(
          `input port ${name}: dataset ${d.name} is a table (${plan.source.engine.name}), and command steps read files so far`,
        );
      }
      const view = { files: d.source.files, format: d.source.format, masked: d.masked, rowFilters: d.rowFilters };
      inputs.push({ name: d.name, schema: name, ...view });
      // A port of one dataset reads by the port's name alone too.
      if (plan.datasets.length === 1) inputs.push({ name, ...view });
    }
  }
  return { inputs, plans };
}

/** The product and output port an input port reads: the one whose contract it names. */
async function upstreamOf(
  db: Database,
  inputPort: string,
  contractId: string | null,
): Promise<{ productId: string; port: string }> {
  if (!contractId)
    throw new RunFailed(
      `input port ${inputPort} names no contract (contractId), so the run cannot tell which product it reads`,
    );
  const owner = await new ContractRepository(db).owner(contractId);
  const product = owner ? await new ProductRepository(db).get(owner) : undefined;
  const port = product?.ports.find((p) => p.direction === "output" && p.contractId === contractId);
  if (!product || !port)
    throw new RunFailed(
      `input port ${inputPort} reads contract ${contractId}, which no output port on this platform serves`,
    );
  return { productId: product.id, port: port.name };
}
