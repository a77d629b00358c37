import { openDatabase } from "../storage/open-database.js";
import { harnessConformance } from "./harness.conformance.js";

harnessConformance("PGlite", { open: () => openDatabase({ memory: true }) });
