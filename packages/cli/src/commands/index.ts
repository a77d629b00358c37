import type { Command } from "commander";
import type { Io, SetExit } from "../io.js";
import { registerAccessCommand } from "./access.js";
import { registerBreakingCommand } from "./breaking.js";
import { registerChangelogCommand } from "./changelog.js";
import { registerDiffCommand } from "./diff.js";
import { registerExportCommand } from "./export.js";
import { registerImportCommand } from "./import.js";
import { registerIncidentsCommand } from "./incidents.js";
import { registerInitCommand } from "./init.js";
import { registerLineageCommand } from "./lineage.js";
import { registerLintCommand } from "./lint.js";
import { registerLoginCommand } from "./login.js";
import { registerLogoutCommand } from "./logout.js";
import { registerObserveCommand } from "./observe.js";
import { registerPipelineCommand } from "./pipeline.js";
import { registerPolicyCommand } from "./policy.js";
import { registerPublishCommand } from "./publish.js";
import { registerSearchCommand } from "./search.js";
import { registerSecretsCommand } from "./secrets.js";
import { registerServeCommand } from "./serve.js";
import { registerTestCommand } from "./test.js";

/** Every console command, in the order `quanta --help` lists them. */
export function registerCommands(program: Command, io: Io, setExit: SetExit): void {
  void program;
  void io;
  void setExit;
  registerInitCommand(program, io, setExit);
  registerLintCommand(program, io, setExit);
  registerTestCommand(program, io, setExit);
  registerDiffCommand(program, io, setExit);
  registerBreakingCommand(program, io, setExit);
  registerChangelogCommand(program, io, setExit);
  registerImportCommand(program, io, setExit);
  registerExportCommand(program, io, setExit);
  registerPolicyCommand(program, io, setExit);
  registerServeCommand(program, io, setExit);
  registerPublishCommand(program, io, setExit);
  registerSearchCommand(program, io, setExit);
  registerLineageCommand(program, io, setExit);
  registerObserveCommand(program, io, setExit);
  registerIncidentsCommand(program, io, setExit);
  registerAccessCommand(program, io, setExit);
  registerPipelineCommand(program, io, setExit);
  registerSecretsCommand(program, io, setExit);
  registerLoginCommand(program, io, setExit);
  registerLogoutCommand(program, io, setExit);
}
