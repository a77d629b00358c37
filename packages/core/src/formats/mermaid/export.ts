import type { SchemaProperty } from "../../spec/odcs/model.js";
import { foreignKeysOf, logicalTypeOf, primaryKeyOf, selectObjects } from "../contract-view.js";
import { ConvertContext } from "../convert-context.js";
import type { ExportInput, ExportResult } from "../format.js";
import { quoteString } from "../names.js";
import { fileName, noObjectsMessage } from "../typescript/export.js";

/**
 * ODCS → Mermaid `erDiagram`: an entity per schema object with its attributes (nested object
 * properties flattened as `parent_child`), PK/FK/UK markers, and a relationship per foreign key.
 * Mermaid takes entity and attribute names only from `[A-Za-z0-9_-]`: other names get an
 * identifier, and the original is shown (the entity's label, the attribute's comment).
 */

const safeName = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Text inside a Mermaid double-quoted string: quotes as the `#quot;` entity code, one line. */
export function mermaidText(text: string): string {
  return text
    .replace(/[\r\n\u2028\u2029\t]+/g, " ")
    .replaceAll("#", "#35;")
    .replaceAll('"', "#quot;")
    .trim();
}

function identifier(name: string, taken: Set<string>): string {
  let base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (base === "") base = "x";
  if (!/^[A-Za-z_]/.test(base)) base = `_${base}`;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
  taken.add(id);
  return id;
}

interface Attribute {
  type: string;
  name: string;
  /** The contract's (dotted) name. */
  original: string;
  keys: string[];
  description?: string;
}

function attributes(properties: SchemaProperty[] | undefined, prefix: string, out: Attribute[], depth = 0): void {
  for (const p of Array.isArray(properties) ? properties : []) {
    if (typeof p?.name !== "string") continue;
    const original = prefix ? `${prefix}.${p.name}` : p.name;
    const type = logicalTypeOf(p);
    out.push({
      type,
      name: original,
      original,
      keys: [],
      ...(p.description ? { description: p.description } : {}),
    });
    if (type === "object" && depth < 8) attributes(p.properties, original, out, depth + 1);
  }
}

export function exportMermaid(input: ExportInput): ExportResult {
  const ctx = new ConvertContext(input.source);
  const { contract } = input;
  const objects = selectObjects(contract, input.options.schema);
  if (objects.length === 0) {
    ctx.error(["schema"], "export-no-schema", noObjectsMessage(input.options.schema));
    return { files: [], issues: ctx.issues };
  }
  const entityIds = new Set<string>();
  const ids = new Map(objects.map((o) => [o.name, safeName.test(o.name) ? o.name : ""]));
  for (const name of ids.values()) if (name) entityIds.add(name);
  for (const [name, id] of ids) if (!id) ids.set(name, identifier(name, entityIds));
  const lines = ["erDiagram"];
  const relations: string[] = [];
  for (const object of objects) {
    const id = ids.get(object.name)!;
    const list: Attribute[] = [];
    attributes(object.properties, "", list);
    const pk = new Set(primaryKeyOf(object).map((p) => p.name));
    const fks = foreignKeysOf(object);
    const fkColumns = new Set(fks.flatMap((fk) => fk.from));
    const unique = new Set(
      (object.properties ?? []).filter((p) => p?.unique === true && !pk.has(p.name)).map((p) => p.name),
    );
    const taken = new Set<string>();
    for (const a of list) {
      a.name = safeName.test(a.original) ? a.original : "";
      if (a.name) taken.add(a.name);
      if (pk.has(a.original)) a.keys.push("PK");
      if (fkColumns.has(a.original)) a.keys.push("FK");
      if (unique.has(a.original)) a.keys.push("UK");
    }
    for (const a of list) if (!a.name) a.name = identifier(a.original.replaceAll(".", "_"), taken);
    const label = id === object.name ? id : `${id}["${mermaidText(object.name)}"]`;
    lines.push(`    ${label} {`);
    for (const a of list) {
      const comment = [a.name !== a.original ? a.original : "", a.description ?? ""].filter(Boolean).join(": ");
      lines.push(
        `        ${a.type} ${a.name}${a.keys.length ? ` ${a.keys.join(", ")}` : ""}${comment ? ` "${mermaidText(comment)}"` : ""}`,
      );
    }
    lines.push("    }");
    for (const fk of fks) {
      const parent = ids.get(fk.toObject);
      if (!parent) {
        ctx.warn(
          ["schema", (contract.schema ?? []).indexOf(object)],
          "export-not-representable",
          `the foreign key to ${quoteString(fk.toObject)} points outside the exported objects; it is not drawn`,
        );
        continue;
      }
      const required = fk.from.every((name) => object.properties?.find((p) => p.name === name)?.required === true);
      relations.push(`    ${parent} ${required ? "||" : "|o"}--o{ ${id} : "${mermaidText(fk.from.join(", "))}"`);
    }
  }
  const title = contract.name ?? contract.id;
  const content = `---\ntitle: ${JSON.stringify(title)}\n---\n${[...lines, ...relations].join("\n")}\n`;
  return {
    files: [{ path: fileName(contract.id, "mmd"), content, mediaType: "text/vnd.mermaid" }],
    issues: ctx.issues,
  };
}
