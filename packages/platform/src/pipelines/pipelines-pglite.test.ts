import { openDatabase } from "../storage/open-database.js";
import { pipelinesConformance } from "./pipelines.conformance.js";

pipelinesConformance("PGlite", { open: () => openDatabase({ memory: true }) });
