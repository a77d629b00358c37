import { type ConvertContext, type CustomProperty, compact, type JsonObject } from "../convert-context.js";

interface ServerShape {
  fields: readonly string[];
  required: readonly string[];
}

/** Connection fields each ODCS v3.1 server type accepts (and requires), from its JSON Schema. */
const odcsServers: Readonly<Record<string, ServerShape>> = {
  api: { fields: ["location"], required: ["location"] },
  athena: { fields: ["catalog", "regionName", "schema", "stagingDir"], required: ["stagingDir", "schema"] },
  azure: { fields: ["location", "format", "delimiter"], required: ["location", "format"] },
  bigquery: { fields: ["project", "dataset"], required: ["project", "dataset"] },
  clickhouse: { fields: ["host", "port", "database"], required: ["host", "port", "database"] },
  databricks: { fields: ["host", "catalog", "schema"], required: ["catalog", "schema"] },
  glue: { fields: ["account", "database", "location", "format"], required: ["account", "database"] },
  kafka: { fields: ["host", "format"], required: ["host"] },
  kinesis: { fields: ["region", "format"], required: [] },
  local: { fields: ["path", "format"], required: ["path", "format"] },
  mysql: { fields: ["host", "port", "database"], required: ["host", "port", "database"] },
  oracle: { fields: ["host", "port", "serviceName"], required: ["host", "port", "serviceName"] },
  postgres: { fields: ["host", "port", "database", "schema"], required: ["host", "port", "database", "schema"] },
  presto: { fields: ["host", "catalog", "schema"], required: ["host"] },
  pubsub: { fields: ["project"], required: ["project"] },
  redshift: { fields: ["host", "database", "schema", "region", "account"], required: ["database", "schema"] },
  s3: { fields: ["location", "endpointUrl", "format", "delimiter"], required: ["location"] },
  sftp: { fields: ["location", "format", "delimiter"], required: ["location"] },
  snowflake: {
    fields: ["host", "port", "account", "database", "schema", "warehouse"],
    required: ["account", "database", "schema"],
  },
  sqlserver: { fields: ["host", "port", "database", "schema"], required: ["host", "database", "schema"] },
  trino: { fields: ["host", "port", "catalog", "schema"], required: ["host", "port", "catalog", "schema"] },
  custom: {
    fields: [
      "account",
      "catalog",
      "database",
      "dataset",
      "delimiter",
      "endpointUrl",
      "format",
      "host",
      "location",
      "path",
      "port",
      "project",
      "region",
      "regionName",
      "schema",
      "serviceName",
      "stagingDir",
      "stream",
      "warehouse",
    ],
    required: [],
  },
};

/** DCS server types whose ODCS name differs. */
const typeAliases: Readonly<Record<string, string>> = { postgresql: "postgres", kinesis: "kinesis" };

/** Keys that hold secrets: never copied into a contract that gets published. */
const secretKeys = new Set(["token", "password", "secret", "apiKey", "accessKey", "secretKey"]);

const integerFields = new Set(["port"]);

/** DCS `servers` (a map by name) → ODCS `servers` (a list with `server` names). */
export function convertServers(ctx: ConvertContext, value: unknown): JsonObject[] {
  const servers = ctx.object(value, ["servers"], "servers");
  if (!servers) return [];
  const out: JsonObject[] = [];
  for (const [name, raw] of Object.entries(servers)) {
    const path = ["servers", name];
    const s = ctx.object(raw, path, `server ${name}`);
    if (!s) continue;
    const dcsType = typeof s.type === "string" ? s.type.toLowerCase() : "";
    let type = typeAliases[dcsType] ?? dcsType;
    let shape = odcsServers[type];
    if (!shape) {
      ctx.warn(
        [...path, "type"],
        "dcs-server-type",
        `ODCS has no server type ${JSON.stringify(s.type ?? "")}; written as type custom`,
      );
      type = "custom";
      shape = odcsServers.custom as ServerShape;
    }
    const missing = shape.required.filter((f) => s[f] === undefined || s[f] === null);
    if (missing.length > 0 && type !== "custom") {
      ctx.warn(
        path,
        "dcs-server-incomplete",
        `ODCS ${type} servers need ${missing.join(", ")}; written as type custom`,
      );
      type = "custom";
      shape = odcsServers.custom as ServerShape;
    }
    const connection: JsonObject = {};
    const custom: CustomProperty[] = type === "custom" && dcsType ? [{ property: "type", value: s.type }] : [];
    for (const [key, v] of Object.entries(s)) {
      if (["type", "description", "environment", "roles"].includes(key)) continue;
      if (secretKeys.has(key)) {
        ctx.warn(
          [...path, key],
          "dcs-server-secret",
          `${key} looks like a secret; it was not copied into the contract`,
        );
        continue;
      }
      if (shape.fields.includes(key)) {
        connection[key] = integerFields.has(key) && typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
      } else {
        custom.push({ property: key, value: v });
        ctx.info(
          [...path, key],
          "dcs-custom-property",
          `ODCS ${type} servers have no ${key}; kept as a custom property`,
        );
      }
    }
    const roles = Array.isArray(s.roles)
      ? s.roles.flatMap((r, i) => {
          if (typeof r === "object" && r !== null && typeof (r as JsonObject).name === "string") {
            const role = r as JsonObject;
            return [
              compact({
                role: role.name,
                description: typeof role.description === "string" ? role.description : undefined,
              }),
            ];
          }
          ctx.warn([...path, "roles", i], "dcs-unmapped", "a role needs a name; it was dropped");
          return [];
        })
      : undefined;
    out.push(
      compact({
        server: name,
        type,
        description: typeof s.description === "string" ? s.description : undefined,
        environment: typeof s.environment === "string" ? s.environment : undefined,
        ...connection,
        roles,
        customProperties: custom,
      }),
    );
  }
  return out;
}
