import { openDatabase } from "../storage/open-database.js";
import { eventFeedConformance } from "./event-feed.conformance.js";

eventFeedConformance(
  "PGlite",
  { open: () => openDatabase({ memory: true }) },
  { lateCommit: "PGlite has one connection: no second transaction can be open while another commits" },
);
