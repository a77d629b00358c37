import { type Command, Option } from "commander";
import type { Io, SetExit } from "../io.js";
import type { Format, PolicyTestOptions } from "./run-policy.js";

/** Core's `defaultPoliciesFile`, for help without loading the policy engine (policy.test.ts keeps them equal). */
export const defaultPoliciesFile = "quanta:default-policies.yaml";

// Policies (CEL, the built-in rules) and the platform client load only when a policy command runs.
const actions = () => import("./run-policy.js");

export function registerPolicyCommand(program: Command, io: Io, setExit: SetExit): void {
  const policy = program
    .command("policy")
    .description("governance policies as code: list the rules, test a data product against them");
  const formatOption = () => new Option("--format <format>", "output format").choices(["text", "json"]).default("text");

  policy
    .command("list")
    .description(`list the rules of policy files (Quanta's default global set, ${defaultPoliciesFile}, when none)`)
    .argument("[files...]", "policy files (kind: PolicySet or Policy)")
    .option("--with-defaults", "add Quanta's default global set to the files")
    .addOption(formatOption())
    .action(async (files: string[], options: { format: Format; withDefaults?: boolean }) => {
      setExit(await (await actions()).runPolicyList(io, files, options));
    });

  policy
    .command("test")
    .description(
      "evaluate policies on a data product folder; exit 1 when a blocking rule fails (a publish would be refused)",
    )
    .argument("[files...]", "policy files (Quanta's default global set when none)")
    .requiredOption("--product <dir>", "the data product folder (*.odps.yaml and its contracts)")
    .option("--previous <dir>", "the last published version of the product, for the breaking-change rule")
    .option("--domain <name>", "evaluate as this domain (default: the product's domain)")
    .option("--with-defaults", "add Quanta's default global set to the files")
    .addOption(formatOption())
    .action(async (files: string[], options: PolicyTestOptions) => {
      setExit(await (await actions()).runPolicyTest(io, files, options));
    });
  policy
    .command("apply")
    .description("apply a policy file on a Quanta server: stored as a new version, every product re-evaluated")
    .argument("<file>", "the policy file (kind: PolicySet or Policy)")
    .option("--server <url>", "the Quanta server (default: $QUANTA_SERVER or http://localhost:8080)")
    .addOption(formatOption())
    .action(async (file: string, options: { server?: string; format: Format }) => {
      setExit(await (await actions()).runPolicyApply(io, file, options));
    });
  for (const cmd of policy.commands) cmd.exitOverride().showHelpAfterError();
}
