import { openDatabase } from "../storage/open-database.js";
import { accessConformance } from "./access.conformance.js";

accessConformance("PGlite", { open: () => openDatabase({ memory: true }) });
