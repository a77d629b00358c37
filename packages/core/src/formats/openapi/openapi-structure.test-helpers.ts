import Ajv2020 from "ajv/dist/2020.js";

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document walked key by key
type Json = Record<string, any>;

const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const statusKey = /^([1-5][0-9]{2}|[1-5]XX|default)$/;

/**
 * What an OpenAPI 3.1.0 document must hold, checked the way the specification states it (no
 * OpenAPI meta-schema ships with the packages Quanta installs): the required fields, path
 * templates and their parameters, unique operation ids, responses keyed by status, security
 * requirements naming declared schemes, every `$ref` resolving, and every schema compiling as
 * JSON Schema 2020-12 (the dialect of OpenAPI 3.1). Returns the problems found; [] when valid.
 */
export function openApi31Problems(doc: Json): string[] {
  const problems: string[] = [];
  const fail = (where: string, what: string) => problems.push(`${where}: ${what}`);
  if (typeof doc !== "object" || doc === null) return ["document: not an object"];
  if (!/^3\.1\.\d+$/.test(String(doc.openapi))) fail("openapi", `must be 3.1.x, is ${JSON.stringify(doc.openapi)}`);
  if (typeof doc.info?.title !== "string") fail("info.title", "required string");
  if (typeof doc.info?.version !== "string") fail("info.version", "required string");
  if (doc.paths === undefined && doc.components === undefined && doc.webhooks === undefined) {
    fail("document", "needs paths, components or webhooks");
  }
  for (const [i, server] of (doc.servers ?? []).entries()) {
    if (typeof server?.url !== "string") fail(`servers[${i}].url`, "required string");
  }
  const schemes = doc.components?.securitySchemes ?? {};
  for (const [name, scheme] of Object.entries<Json>(schemes)) {
    if (!["apiKey", "http", "mutualTLS", "oauth2", "openIdConnect"].includes(scheme.type)) {
      fail(`securitySchemes.${name}.type`, `unknown type ${scheme.type}`);
    }
    if (scheme.type === "http" && typeof scheme.scheme !== "string") fail(`securitySchemes.${name}.scheme`, "required");
  }
  const checkSecurity = (where: string, list: unknown) => {
    for (const requirement of (list as Json[] | undefined) ?? []) {
      for (const name of Object.keys(requirement)) {
        if (!(name in schemes)) fail(where, `security scheme ${name} is not declared`);
        if (!Array.isArray(requirement[name])) fail(where, `scopes of ${name} must be a list`);
      }
    }
  };
  checkSecurity("security", doc.security);
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    if (!path.startsWith("/")) fail(`paths.${path}`, "must start with /");
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const method of Object.keys(item)) {
      if (!methods.includes(method) && !["summary", "description", "servers", "parameters", "$ref"].includes(method)) {
        fail(`paths.${path}`, `unknown field ${method}`);
      }
    }
    for (const method of methods) {
      const op = item[method];
      if (!op) continue;
      const where = `${method.toUpperCase()} ${path}`;
      if (op.operationId !== undefined) {
        if (operationIds.has(op.operationId)) fail(where, `duplicate operationId ${op.operationId}`);
        operationIds.add(op.operationId);
      }
      const params: Json[] = [...(item.parameters ?? []), ...(op.parameters ?? [])];
      for (const p of params) {
        if (typeof p.name !== "string" || !["query", "header", "path", "cookie"].includes(p.in)) {
          fail(where, `parameter ${JSON.stringify(p)} needs name and in`);
        }
        if (p.in === "path" && p.required !== true) fail(where, `path parameter ${p.name} must be required`);
        if (p.in === "path" && !templated.includes(p.name)) fail(where, `path parameter ${p.name} is not in the path`);
        if ((p.schema === undefined) === (p.content === undefined))
          fail(where, `parameter ${p.name} needs schema or content`);
      }
      for (const name of templated) {
        if (!params.some((p) => p.in === "path" && p.name === name)) fail(where, `{${name}} has no path parameter`);
      }
      if (op.requestBody && typeof op.requestBody.content !== "object") fail(where, "requestBody needs content");
      const responses = op.responses ?? {};
      if (Object.keys(responses).length === 0) fail(where, "needs at least one response");
      for (const [status, response] of Object.entries<Json>(responses)) {
        if (!statusKey.test(status)) fail(where, `response key ${status} is not a status code`);
        if (typeof response.description !== "string" && response.$ref === undefined) {
          fail(`${where} ${status}`, "description is required");
        }
      }
      checkSecurity(where, op.security);
    }
  }
  // Every $ref resolves inside the document.
  const resolve = (ref: string) =>
    ref
      .replace(/^#\//, "")
      .split("/")
      .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"))
      .reduce<Json | undefined>((node, key) => (node === undefined ? undefined : node[key]), doc);
  const walk = (node: unknown, where: string) => {
    if (Array.isArray(node)) {
      for (const [i, n] of node.entries()) walk(n, `${where}[${i}]`);
    } else if (node && typeof node === "object") {
      for (const [k, v] of Object.entries(node)) {
        if (k === "$ref" && typeof v === "string") {
          if (!v.startsWith("#/")) fail(where, `external $ref ${v}`);
          else if (resolve(v) === undefined) fail(where, `$ref ${v} does not resolve`);
        } else walk(v, `${where}.${k}`);
      }
    }
  };
  walk(doc, "#");
  // Every component schema is JSON Schema 2020-12.
  const ajv = new Ajv2020.default({ strict: false, allErrors: true });
  ajv.addSchema({ $id: "doc.json", components: doc.components ?? {} });
  for (const name of Object.keys(doc.components?.schemas ?? {})) {
    try {
      ajv.getSchema(`doc.json#/components/schemas/${name}`);
    } catch (error) {
      fail(`components.schemas.${name}`, (error as Error).message);
    }
  }
  return problems;
}

/** A validator for one component schema of the document (refs resolved inside it). */
export function componentValidator(doc: Json, name: string) {
  const ajv = new Ajv2020.default({ strict: false, allErrors: true });
  ajv.addSchema({ $id: "doc.json", components: doc.components ?? {} });
  const validate = ajv.getSchema(`doc.json#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${name}`);
  return validate;
}
