import type { Path } from "../issues.js";
import { asArray, asObj, type Obj } from "./read.js";

export interface SchemaObjectRef {
  node: Obj;
  path: Path;
}

export interface PropertyListRef {
  /** Path of the `properties` array. */
  path: Path;
  items: readonly unknown[];
  /** The schema object the list belongs to (nested lists keep their top-level object). */
  object: SchemaObjectRef;
}

export interface PropertyRef {
  node: Obj;
  path: Path;
  object: SchemaObjectRef;
}

export interface QualityRef {
  node: Obj;
  path: Path;
  level: "object" | "property";
  object: SchemaObjectRef;
  /** Set for property-level rules. */
  property?: PropertyRef;
}

/** The readable entries of `schema[]`. */
export function schemaObjects(doc: unknown): SchemaObjectRef[] {
  const out: SchemaObjectRef[] = [];
  asArray(asObj(doc)?.schema).forEach((item, i) => {
    const node = asObj(item);
    if (node) out.push({ node, path: ["schema", i] });
  });
  return out;
}

/** Every `properties` list: of objects, of nested object properties, of array `items`. */
export function propertyLists(doc: unknown): PropertyListRef[] {
  const out: PropertyListRef[] = [];
  const visit = (owner: Obj, ownerPath: Path, object: SchemaObjectRef) => {
    if (Array.isArray(owner.properties)) {
      const path = [...ownerPath, "properties"];
      out.push({ path, items: owner.properties, object });
      owner.properties.forEach((p, i) => {
        const prop = asObj(p);
        if (prop) visit(prop, [...path, i], object);
      });
    }
    const items = asObj(owner.items);
    if (items) visit(items, [...ownerPath, "items"], object);
  };
  for (const object of schemaObjects(doc)) visit(object.node, object.path, object);
  return out;
}

/** Every property (at any depth) and every array `items` definition, which are property-like. */
export function allProperties(doc: unknown): PropertyRef[] {
  const out: PropertyRef[] = [];
  const visit = (node: Obj, path: Path, object: SchemaObjectRef) => {
    out.push({ node, path, object });
    asArray(node.properties).forEach((p, i) => {
      const prop = asObj(p);
      if (prop) visit(prop, [...path, "properties", i], object);
    });
    const items = asObj(node.items);
    if (items) visit(items, [...path, "items"], object);
  };
  for (const object of schemaObjects(doc)) {
    asArray(object.node.properties).forEach((p, i) => {
      const prop = asObj(p);
      if (prop) visit(prop, [...object.path, "properties", i], object);
    });
  }
  return out;
}

/** Every quality rule, at object level and at property level. */
export function qualityRules(doc: unknown): QualityRef[] {
  const out: QualityRef[] = [];
  for (const object of schemaObjects(doc)) {
    asArray(object.node.quality).forEach((q, i) => {
      const node = asObj(q);
      if (node) out.push({ node, path: [...object.path, "quality", i], level: "object", object });
    });
  }
  for (const property of allProperties(doc)) {
    asArray(property.node.quality).forEach((q, i) => {
      const node = asObj(q);
      if (node)
        out.push({
          node,
          path: [...property.path, "quality", i],
          level: "property",
          object: property.object,
          property,
        });
    });
  }
  return out;
}
