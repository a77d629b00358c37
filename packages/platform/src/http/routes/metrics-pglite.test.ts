import { openDatabase } from "../../storage/open-database.js";
import { metricsConformance } from "./metrics.conformance.js";

metricsConformance("PGlite", { open: () => openDatabase({ memory: true }) });
