import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkTypePattern, eventTypes, typeMatches } from "./event-types.js";

const root = join(import.meta.dirname, "..");

/** The platform's own sources (no tests, no fixtures). */
function sources(dir = root): { path: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    if (!name.endsWith(".ts") || /\.(test|conformance|e2e)\.ts$|fixtures?\.ts$/.test(name)) return [];
    return [{ path, text: readFileSync(path, "utf8") }];
  });
}

/** The `type` of every publishEvent call: a literal, or a template's fixed head and its file. */
function published(): { path: string; type: string; template: boolean }[] {
  return sources().flatMap(({ path, text }) =>
    [...text.matchAll(/publishEvent\(\s*\w+,\s*\{[^}]*?type(?::\s*("[^"]*"|`[^`]*`|\w+))?/gs)].flatMap((m) => {
      const raw = m[1];
      if (!raw || !/^["`]/.test(raw)) return []; // a variable: its values are literals found below
      const template = raw.startsWith("`");
      const type = template ? raw.slice(1, raw.indexOf("${")) : raw.slice(1, -1);
      return [{ path, type, template }];
    }),
  );
}

describe("the event types table", () => {
  it("lists every type published (a template's head must lead to listed types)", () => {
    const found = published();
    expect(found.length).toBeGreaterThan(20);
    const known = Object.keys(eventTypes);
    const unlisted = found.filter((f) =>
      f.template ? !known.some((t) => t.startsWith(f.type)) : !(f.type in eventTypes),
    );
    expect(unlisted).toEqual([]);
  });

  it("lists only types the platform writes: each one named in some source", () => {
    const all = sources()
      .filter((s) => !s.path.endsWith("event-types.ts"))
      .map((s) => s.text)
      .join("\n");
    const unused = Object.keys(eventTypes).filter((t) => {
      if (all.includes(`"${t}"`)) return false;
      // `product.${kind}`: the head in a template, the tail as a literal
      const dot = t.lastIndexOf(".");
      const head = t.slice(0, dot + 1);
      const tail = t.slice(dot + 1);
      return !(all.includes(`\`${head}\${`) && all.includes(`"${tail}"`));
    });
    expect(unused).toEqual([]);
  });

  it("every event is written through publishEvent, with its audience", () => {
    const direct = sources()
      .filter((s) => /new EventLog\([^)]*\)\s*\.append\(|INSERT INTO events\b|quanta_append_event\(/.test(s.text))
      .map((s) => s.path.slice(root.length + 1))
      .sort();
    // The SQL function (migration 39) holds the feed's floor; publishEvent is its only caller.
    expect(direct).toEqual(["events/publish-event.ts", "storage/migrations/0039-event-feed-floor.ts"]);
  });

  it("is the table docs/events.md shows, type by type", () => {
    const doc = readFileSync(join(root, "../../../docs/events.md"), "utf8");
    const block = doc.split("<!-- event-types:start -->")[1]?.split("<!-- event-types:end -->")[0] ?? "";
    const documented = block
      .split("\n")
      .filter((l) => l.startsWith("| `"))
      .map((l) => l.split("|").map((c) => c.trim()))
      .map(([, type, meaning, to]) => [type?.replaceAll("`", ""), meaning, to !== ""]);
    expect(documented).toEqual(Object.entries(eventTypes).map(([type, meaning]) => [type, meaning, true]));
  });

  it("matches patterns and checks them with a message that helps", () => {
    expect(typeMatches("incident.*", "incident.opened")).toBe(true);
    expect(typeMatches("incident.*", "incidents.opened")).toBe(false);
    expect(typeMatches("*", "team.created")).toBe(true);
    expect(checkTypePattern("dev.quanta.incident.*")).toBe("incident.*");
    expect(() => checkTypePattern("incident.nope")).toThrow(/did you mean one of incident\.opened/);
    expect(() => checkTypePattern("nothing.at-all")).toThrow(/no event type matches "nothing.at-all"; see/);
    expect(() => checkTypePattern("Incident.*")).toThrow(/is not valid/);
    expect(() => checkTypePattern(`${"x".repeat(500)}!`)).toThrow(/^event type pattern "x{100}" is not valid/);
  });
});
