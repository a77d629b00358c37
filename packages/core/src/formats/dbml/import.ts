import type { Database, Endpoint, Enum, Field, Index, Ref, Table } from "@dbml/core";
import type { Position } from "../../spec/source.js";
import { type CustomProperty, compact, type JsonObject } from "../convert-context.js";
import { formatLimits, type ImportResult } from "../format.js";
import type { TextSource } from "../text-source.js";
import { baseName, logicalOfDbType, maxLengthOf } from "./types.js";

interface Token {
  start: { offset: number; line: number; column: number };
}

interface Diagnostic {
  message: string;
  location?: { start?: { line: number; column: number } };
}

/** The schema DBML puts tables in when none is named. */
const defaultSchema = "public";

/**
 * Reads DBML (the dbdiagram.io language) with @dbml/core into an ODCS contract: one schema object
 * per table, primary keys from `pk` and `Indexes { (a, b) [pk] }`, enums as value sets and every
 * `Ref` (inline, top-level, composite) as a foreign key.
 */
export async function importDbml(src: TextSource): Promise<ImportResult> {
  const { Parser } = await import("@dbml/core");
  let db: Database;
  try {
    db = new Parser().parse(src.text, "dbmlv2");
  } catch (e) {
    const diags = (e as { diags?: Diagnostic[] }).diags;
    if (!Array.isArray(diags)) {
      src.error(0, "dbml-syntax", `not readable DBML: ${e instanceof Error ? e.message : String(e)}`);
    } else {
      for (const d of diags.slice(0, 20)) {
        const at = d.location?.start;
        src.error(at ? { line: at.line, column: at.column } : 0, "dbml-syntax", d.message);
      }
    }
    return { value: {}, issues: src.issues };
  }
  return { value: new DbmlConverter(src, db).contract(), issues: src.issues };
}

function where(token: Token | undefined | null): Position | number {
  return token?.start ? { line: token.start.line, column: token.start.column } : 0;
}

function tokenOf(element: unknown): Token | undefined {
  return (element as { token?: Token }).token;
}

class DbmlConverter {
  /** Object name per table, unique across schemas. */
  private readonly names = new Map<Table, string>();
  private readonly enums = new Map<string, Enum>();
  private readonly properties = new Map<Field, JsonObject>();
  private readonly objects = new Map<Table, JsonObject>();

  constructor(
    private readonly src: TextSource,
    private readonly db: Database,
  ) {}

  contract(): JsonObject {
    // In the order they are written, whatever their schema.
    const tables = this.db.schemas
      .flatMap((s) => s.tables)
      .sort((a, b) => (tokenOf(a)?.start.offset ?? 0) - (tokenOf(b)?.start.offset ?? 0));
    const fieldCount = tables.reduce((n, t) => n + t.fields.length + 1, 0);
    if (fieldCount > formatLimits.maxElements) {
      this.src.error(0, "dbml-too-large", `${fieldCount} tables and columns; the limit is ${formatLimits.maxElements}`);
      return {};
    }
    const taken = new Set<string>();
    for (const table of tables) {
      const qualified = `${table.schema.name}_${table.name}`;
      const name = taken.has(table.name) ? qualified : table.name;
      taken.add(name);
      this.names.set(table, name);
    }
    for (const schema of this.db.schemas) {
      for (const e of schema.enums) this.enums.set(`${schema.name}.${e.name}`, e);
    }
    const schema = tables.map((t) => this.table(t));
    for (const s of this.db.schemas) for (const ref of s.refs) this.ref(ref);
    this.unmapped();

    const projectName = this.db.name || baseName(this.src.file);
    const custom: CustomProperty[] = [];
    if (this.db.databaseType) custom.push({ property: "databaseType", value: this.db.databaseType });
    return compact({
      apiVersion: "v3.1.0",
      kind: "DataContract",
      id: projectName,
      name: this.db.name || undefined,
      version: "1.0.0",
      status: "draft",
      description: this.db.note ? { purpose: this.db.note } : undefined,
      schema,
      customProperties: custom,
    });
  }

  private table(table: Table): JsonObject {
    const name = this.names.get(table) ?? table.name;
    const path = name;
    if (table.alias) {
      this.src.warn(where(tokenOf(table)), "dbml-unmapped", `table alias ${table.alias} is not kept`, path);
    }
    const properties = table.fields.map((f) => this.field(f, `${path}.${f.name}`));
    const object: JsonObject = compact({
      name,
      physicalName: table.schema.name === defaultSchema ? undefined : `${table.schema.name}.${table.name}`,
      physicalType: "table",
      description: table.note || undefined,
      properties,
    });
    this.objects.set(table, object);
    this.indexes(table, object, path);
    for (const check of table.checks ?? []) {
      this.src.warn(
        where(tokenOf(check)),
        "dbml-unmapped",
        `check ${JSON.stringify(check.expression)} is not kept`,
        path,
      );
    }
    return object;
  }

  private field(field: Field, path: string): JsonObject {
    const type = field.type as { schemaName: string | null; type_name: string };
    const typeName = String(type.type_name);
    const enumKey = `${type.schemaName ?? defaultSchema}.${typeName}`;
    const anEnum = this.enums.get(enumKey);
    const custom: CustomProperty[] = [];
    if (field.dbdefault) custom.push({ property: "default", value: field.dbdefault.value });
    if (field.increment) custom.push({ property: "autoIncrement", value: true });
    for (const check of field.checks ?? []) {
      this.src.warn(
        where(tokenOf(check)),
        "dbml-unmapped",
        `check ${JSON.stringify(check.expression)} is not kept`,
        path,
      );
    }
    const physicalType = type.schemaName ? `${type.schemaName}.${typeName}` : typeName;
    const logical = anEnum ? { logicalType: "string" as const, items: undefined } : logicalOfDbType(typeName);
    const maxLength = anEnum ? undefined : maxLengthOf(typeName);
    const property: JsonObject = compact({
      name: field.name,
      logicalType: logical.logicalType,
      physicalType,
      description: field.note || undefined,
      required: field.not_null || field.pk ? true : undefined,
      unique: field.unique || undefined,
      primaryKey: field.pk || undefined,
      primaryKeyPosition: field.pk ? 1 : undefined,
      logicalTypeOptions: maxLength !== undefined ? { maxLength } : undefined,
      items: logical.items,
      customProperties: custom,
      quality: anEnum ? [this.valueSet(anEnum, path)] : undefined,
    });
    this.properties.set(field, property);
    return property;
  }

  private valueSet(anEnum: Enum, path: string): JsonObject {
    for (const value of anEnum.values) {
      if (value.note) {
        this.src.warn(
          where(tokenOf(value)),
          "dbml-unmapped",
          `the note of enum value ${value.name} is not kept (a value set has no notes)`,
          path,
        );
      }
    }
    return { metric: "invalidValues", arguments: { validValues: anEnum.values.map((v) => v.name) }, mustBe: 0 };
  }

  /** `pk` indexes become the primary key; a single-column unique index marks the column unique. */
  private indexes(table: Table, object: JsonObject, path: string): void {
    const byName = new Map(table.fields.map((f) => [f.name, f]));
    const composite: Index[] = [];
    for (const index of table.indexes) {
      const columns = index.columns.map((c) => ({ type: String(c.type), value: String(c.value) }));
      const plain = columns.every((c) => c.type === "column" && byName.has(c.value));
      if (index.pk && plain) {
        if (table.fields.some((f) => f.pk) || composite.length > 0) {
          this.src.error(
            where(tokenOf(index)),
            "dbml-two-primary-keys",
            `${table.name} has more than one primary key`,
            path,
          );
          continue;
        }
        columns.forEach((c, i) => {
          const property = this.properties.get(byName.get(c.value) as Field);
          if (!property) return;
          property.required = true;
          property.primaryKey = true;
          property.primaryKeyPosition = i + 1;
        });
        composite.push(index);
        continue;
      }
      if (index.unique && plain && columns.length === 1) {
        const property = this.properties.get(byName.get(columns[0]?.value ?? "") as Field);
        if (property) property.unique = true;
        continue;
      }
      if (index.unique && plain) {
        const rules = (object.quality as JsonObject[] | undefined) ?? [];
        rules.push({
          metric: "duplicateValues",
          arguments: { properties: columns.map((c) => c.value) },
          mustBe: 0,
          ...(index.name ? { name: index.name } : {}),
        });
        object.quality = rules;
        continue;
      }
      const spelled = columns.map((c) => (c.type === "expression" ? `\`${c.value}\`` : c.value)).join(", ");
      this.src.warn(
        where(tokenOf(index)),
        "dbml-unmapped",
        `index (${spelled})${index.name ? ` ${index.name}` : ""} is not kept: ODCS has no plain indexes`,
        path,
      );
    }
  }

  private ref(ref: Ref): void {
    const [a, b] = ref.endpoints as [Endpoint, Endpoint];
    if (!a || !b) return;
    if (a.relation === "*" && b.relation === "*") {
      this.src.warn(where(tokenOf(ref)), "dbml-many-to-many", "a many-to-many Ref (<>) is not a foreign key; not kept");
      return;
    }
    // The many side holds the foreign key; for one-to-one (`-`) DBML reads the first endpoint as it.
    const [from, to] = b.relation === "*" && a.relation !== "*" ? [b, a] : [a, b];
    const fromTable = from.fields[0]?.table;
    const toTable = to.fields[0]?.table;
    const fromObject = fromTable ? this.objects.get(fromTable) : undefined;
    const toName = toTable ? this.names.get(toTable) : undefined;
    if (!fromObject || !toName || !fromTable) return;
    const fromName = this.names.get(fromTable) ?? fromTable.name;
    const refNames = [toName, ...to.fieldNames, ...(from.fieldNames.length > 1 ? [fromName, ...from.fieldNames] : [])];
    const unsafe = refNames.find((n) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n));
    if (unsafe !== undefined) {
      // ODCS writes a reference as `object.property`, which only holds plain identifiers.
      this.src.warn(
        where(tokenOf(ref)),
        "dbml-ref-unmapped",
        `this Ref is not kept: ODCS relationships cannot name ${JSON.stringify(unsafe)} (letters, digits and _ only)`,
      );
      return;
    }
    const custom: CustomProperty[] = compactCustom({
      name: ref.name,
      onDelete: ref.onDelete,
      onUpdate: ref.onUpdate,
    });
    if (from.fieldNames.length === 1) {
      const property = this.properties.get(from.fields[0] as Field);
      if (!property) return;
      const rels = (property.relationships as JsonObject[] | undefined) ?? [];
      rels.push(compact({ type: "foreignKey", to: `${toName}.${to.fieldNames[0]}`, customProperties: custom }));
      property.relationships = rels;
      return;
    }
    const rels = (fromObject.relationships as JsonObject[] | undefined) ?? [];
    rels.push(
      compact({
        type: "foreignKey",
        from: from.fieldNames.map((f) => `${fromName}.${f}`),
        to: to.fieldNames.map((f) => `${toName}.${f}`),
        customProperties: custom,
      }),
    );
    fromObject.relationships = rels;
  }

  /** What DBML holds beyond tables, columns, enums and refs: reported where it is written. */
  private unmapped(): void {
    for (const schema of this.db.schemas) {
      for (const group of schema.tableGroups) {
        this.src.warn(
          where(tokenOf(group)),
          "dbml-unmapped",
          `TableGroup ${group.name} is not kept: ODCS has no table groups`,
        );
      }
    }
    for (const note of this.db.notes ?? []) {
      this.src.warn(where(tokenOf(note)), "dbml-unmapped", `sticky note ${note.name} is not kept`);
    }
    for (const record of this.db.records ?? []) {
      this.src.warn(
        where(tokenOf(record)),
        "dbml-unmapped",
        `records of ${record.tableName} are not kept: a contract holds no rows`,
      );
    }
    const deps = this.db.schemas.flatMap((s) => s.deps ?? []);
    for (const dep of deps) this.src.warn(where(tokenOf(dep)), "dbml-unmapped", "a dependency (Dep) is not kept");
  }
}

function compactCustom(values: Record<string, string | undefined | null>): CustomProperty[] {
  return Object.entries(values)
    .filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== "")
    .map(([property, value]) => ({ property, value }));
}
