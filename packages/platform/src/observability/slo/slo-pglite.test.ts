import { openDatabase } from "../../storage/open-database.js";
import { sloConformance } from "./slo.conformance.js";

sloConformance("PGlite", { open: () => openDatabase({ memory: true }) });
