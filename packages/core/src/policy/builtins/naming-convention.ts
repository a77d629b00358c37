import type { Path } from "../../issues.js";
import type { PolicyFinding } from "../policy-model.js";
import { findingAt, type PolicyDocument } from "../policy-subject.js";
import type { BuiltinRule } from "./builtin-rule.js";
import { list, outputPorts, portContracts, properties, text } from "./walk.js";

/** Names are short; a longer one is refused before any pattern runs on it. */
const maxNameLength = 256;

type Check = (doc: PolicyDocument<unknown>, path: Path, what: string, value: unknown) => void;

export const namingConvention: BuiltinRule = {
  summary: "product ids, output port names, schema object and property names follow the naming patterns",
  params: {
    productId: {
      type: "regex",
      description: "pattern for the product id (dot-separated kebab-case by default: domain.product)",
      default: "^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*$",
      tighten: "same",
    },
    portName: {
      type: "regex",
      description: "pattern for output port names (kebab-case by default)",
      default: "^[a-z][a-z0-9-]*$",
      tighten: "same",
    },
    objectName: {
      type: "regex",
      description: "pattern for schema object names (snake_case by default)",
      default: "^[a-z][a-z0-9_]*$",
      tighten: "same",
    },
    propertyName: {
      type: "regex",
      description: "pattern for property names (snake_case by default)",
      default: "^[a-z][a-z0-9_]*$",
      tighten: "same",
    },
  },
  apply(subject, params) {
    const findings: PolicyFinding[] = [];
    const pattern = (name: string) => new RegExp(params[name] as string, "u");
    const checker =
      (param: string): Check =>
      (doc, path, what, value) => {
        const name = text(value);
        if (name === "") return;
        if (name.length > maxNameLength) {
          findings.push(
            findingAt(doc, path, `${what} is ${name.length} characters long; the limit is ${maxNameLength}`),
          );
          return;
        }
        if (!pattern(param).test(name))
          findings.push(findingAt(doc, path, `${what} "${name}" does not match ${param} ${params[param] as string}`));
      };
    const product = subject.product;
    checker("productId")(product, ["id"], "product id", product.value?.id);
    const port = checker("portName");
    for (const p of outputPorts(subject))
      port(product, ["outputPorts", p.portIndex, "name"], "output port name", p.port?.name);
    const object = checker("objectName");
    const property = checker("propertyName");
    for (const contract of portContracts(subject)) {
      list<{ name?: unknown }>(contract.value.schema).forEach((o, i) => {
        object(contract, ["schema", i, "name"], "schema object name", o?.name);
      });
      for (const p of properties(contract.value))
        property(contract, [...p.path, "name"], "property name", p.property.name);
    }
    return findings;
  },
};
