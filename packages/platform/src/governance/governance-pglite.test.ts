import { openDatabase } from "../storage/open-database.js";
import { governanceConformance } from "./governance.conformance.js";

governanceConformance("PGlite", { open: () => openDatabase({ memory: true }) });
