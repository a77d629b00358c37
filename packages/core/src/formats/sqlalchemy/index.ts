import type { Format } from "../format.js";

export const format: Format = { name: "sqlalchemy", title: "SQLAlchemy models" };
