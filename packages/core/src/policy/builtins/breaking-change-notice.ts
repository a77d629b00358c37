import { diffContracts } from "../../diff/contract-diff.js";
import { versionSatisfies } from "../../diff/version.js";
import { secondsPerUnit } from "../../duration-units.js";
import type { CustomProperty, DataContract, ServiceLevelAgreementProperty } from "../../spec/odcs/model.js";
import type { PolicyFinding } from "../policy-model.js";
import { findingAt } from "../policy-subject.js";
import type { BuiltinRule } from "./builtin-rule.js";
import { list, text } from "./walk.js";

const dayMs = 24 * 60 * 60 * 1000;

/** `P1M`, `P30D`, `P2W`, `P1Y6M` → days (a month counts 30, a year 365); undefined when not one. */
function isoDays(value: string): number | undefined {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/i.exec(value.trim());
  if (!m || value.trim().length < 3) return undefined;
  const [, y, mo, w, d] = m.map((x) => Number(x ?? 0));
  return (y ?? 0) * 365 + (mo ?? 0) * 30 + (w ?? 0) * 7 + (d ?? 0);
}

/**
 * The notice period a contract itself promises: ODCS has no field for it, so it is read from an
 * SLA property `noticePeriod` (value + unit) or a custom property `noticePeriod` (ISO 8601
 * duration; where DCS `terms.noticePeriod` lands after import).
 */
export function contractNoticeDays(contract: DataContract): number | undefined {
  const sla = list<ServiceLevelAgreementProperty>(contract?.slaProperties).find(
    (s) => text(s?.property).toLowerCase() === "noticeperiod",
  );
  if (sla) {
    if (typeof sla.value === "string") return isoDays(sla.value);
    const perUnit = secondsPerUnit(text(sla.unit));
    // Notice is counted in whole days (agreements store days): 36 h is 2 days, never 1.5.
    if (typeof sla.value === "number" && perUnit !== undefined) return Math.ceil((sla.value * perUnit) / 86_400);
  }
  const custom = [
    ...list<CustomProperty>(contract?.customProperties),
    ...list<CustomProperty>(contract?.description?.customProperties),
  ].find((c) => text(c?.property).toLowerCase() === "noticeperiod");
  return typeof custom?.value === "string" ? isoDays(custom.value) : undefined;
}

const dateOf = (value: unknown): Date | undefined => {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
};

export const breakingChangeNotice: BuiltinRule = {
  summary:
    "a contract with breaking changes since its last published version takes a major version and was announced at least the notice period before",
  params: {
    noticeDays: {
      type: "integer",
      description: "notice period in days when the contract promises none (a longer promise in the contract wins)",
      default: 30,
      min: 0,
      tighten: "higher",
    },
    announcementProperty: {
      type: "string",
      description: "custom property of the new contract version holding the date consumers were told (YYYY-MM-DD)",
      default: "breakingChangeAnnounced",
      tighten: "same",
    },
  },
  apply(subject, params) {
    const findings: PolicyFinding[] = [];
    const previous = subject.previous?.contracts ?? [];
    const now = subject.now ?? new Date();
    for (const contract of subject.contracts) {
      const before = previous.find((p) => p.value?.id === contract.value?.id);
      if (!before) continue;
      const breaking = diffContracts(before.value, contract.value).filter((c) => c.severity === "major");
      if (breaking.length === 0) continue;
      const id = contract.value.id;
      const what = `${breaking.length} breaking change(s) since ${before.value.version} (${breaking
        .slice(0, 3)
        .map((c) => c.message)
        .join("; ")}${breaking.length > 3 ? "; …" : ""})`;
      if (!versionSatisfies(text(before.value.version), text(contract.value.version), "major"))
        findings.push(
          findingAt(
            contract,
            ["version"],
            `contract ${id} has ${what} but version ${text(contract.value.version)} is not a major version after ${before.value.version}`,
          ),
        );
      const promised = contractNoticeDays(contract.value);
      const days = Math.max(params.noticeDays as number, promised ?? 0);
      if (days === 0) continue;
      const property = params.announcementProperty as string;
      const customProperties = list<CustomProperty>(contract.value.customProperties);
      const index = customProperties.findIndex((c) => c?.property === property);
      const announced = dateOf(customProperties[index]?.value);
      if (!announced) {
        findings.push(
          findingAt(
            contract,
            index >= 0 ? ["customProperties", index, "value"] : ["version"],
            `contract ${id} has ${what}; announce them at least ${days} days ahead and record the date in customProperties ${property} (YYYY-MM-DD)`,
          ),
        );
        continue;
      }
      const ends = new Date(announced.getTime() + days * dayMs);
      if (ends > now)
        findings.push(
          findingAt(
            contract,
            ["customProperties", index, "value"],
            `contract ${id} has ${what}; announced ${announced.toISOString().slice(0, 10)}, the ${days}-day notice period ends ${ends.toISOString().slice(0, 10)}`,
          ),
        );
    }
    return findings;
  },
};
