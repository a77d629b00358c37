import type { DataInspectionRequest, FormatOptions, ImportEnvironment, ImportInput, ImportResult } from "../format.js";
import { inputIssue } from "../text-source.js";
import { inferContract, redactUrl } from "./infer-contract.js";
import { defaultMaxValues } from "./limits.js";

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The day of `now` in UTC, `YYYY-MM-DD`. */
export const dayOf = (now: Date): string => now.toISOString().slice(0, 10);

/**
 * The whole of a `data` importer: ask the caller's engine registry to read the data where it lies
 * (`env.inspect`), then infer the contract from what it saw. The importer never reads a byte
 * itself; without `inspect` (a browser, a bare library call) it says where this works.
 */
export async function importData(
  source: DataInspectionRequest["source"],
  input: ImportInput,
  options: FormatOptions,
  env: ImportEnvironment,
  now: Date = new Date(),
): Promise<ImportResult> {
  const file = redactUrl(input.file);
  if (env.inspect === undefined) {
    return {
      value: {},
      issues: [
        inputIssue(
          file,
          "data-no-engine",
          `reading data needs the console or the platform (quanta import --format ${source} ${file})`,
        ),
      ],
    };
  }
  const raw = options.values ?? String(defaultMaxValues);
  const maxValues = Number(raw);
  if (!Number.isInteger(maxValues) || maxValues < 0 || maxValues > 1000)
    return {
      value: {},
      issues: [
        inputIssue(
          file,
          "format-option-invalid",
          `option values must be a whole number from 0 to 1000; got ${JSON.stringify(raw)}`,
        ),
      ],
    };
  const request: DataInspectionRequest = { source, location: input.file, options };
  let data: Awaited<ReturnType<NonNullable<ImportEnvironment["inspect"]>>>;
  try {
    data = await env.inspect(request);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return {
      value: {},
      issues: [
        inputIssue(file, typeof code === "string" && code !== "" ? code : "data-unreadable", redactUrl(message(e))),
      ],
    };
  }
  return inferContract(data, { request, observedOn: dayOf(now), file, maxValues });
}
