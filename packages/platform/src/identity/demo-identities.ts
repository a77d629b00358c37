import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { z } from "@hono/zod-openapi";
import type { DemoUserSchema } from "./demo-user-schema.js";
import type { IdentityStore } from "./identity-store.js";
import type { GlobalRole, TeamRole } from "./principal.js";

/** One entry of `DIR/demo-tokens.json`: `{ "<user>": { token, role, team } }` (listed without the token). */
export type DemoToken = Omit<z.infer<typeof DemoUserSchema>, "username"> & { token: string };
export type DemoTokens = Record<string, DemoToken>;

interface DemoUser {
  username: string;
  displayName: string;
  role: DemoToken["role"];
  globalRoles: GlobalRole[];
  /** The team they are granted (the first of `teams`, for the token file). */
  teams: { id: string; name: string; role: TeamRole }[];
}

/** People who run and govern the demo mesh, and two consumer teams that read from it. */
const staff: DemoUser[] = [
  { username: "admin@quanta.example", displayName: "Quanta Admin", role: "admin", globalRoles: ["admin"], teams: [] },
  {
    username: "governance@quanta.example",
    displayName: "Grace Governance",
    role: "governance",
    globalRoles: ["governance"],
    teams: [],
  },
  {
    username: "mia.chen@marketing.example",
    displayName: "Mia Chen",
    role: "consumer",
    globalRoles: ["consumer"],
    teams: [{ id: "marketing-analytics", name: "Marketing Analytics", role: "member" }],
  },
  {
    username: "omar.haddad@insurance.example",
    displayName: "Omar Haddad",
    role: "consumer",
    globalRoles: ["consumer"],
    teams: [{ id: "insurance-underwriting", name: "Insurance Underwriting", role: "member" }],
  },
];

async function readExisting(file: string): Promise<DemoTokens> {
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as unknown;
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as DemoTokens) : {};
  } catch {
    return {};
  }
}

/**
 * The demo identities of `quanta serve --demo`: an admin, a governance user, the owner each
 * published team declares, and two consumers in consumer teams, each with an API token, written to
 * `file` (mode 0600) when given. Idempotent: a live token already in the file is kept, a dead one
 * replaced (without a file, each start issues new tokens; the old ones stay valid until revoked).
 */
export async function ensureDemoIdentities(identity: IdentityStore, file?: string): Promise<DemoTokens> {
  // The owners the demo's (trusted) product files name; their rights come from a grant, as for
  // everyone (ADR 0020).
  const { rows: owners } = await identity.db.query<{ username: string; display_name: string | null; team_id: string }>(
    `SELECT DISTINCT ON (lower(m.username), m.team_id) m.username, m.display_name, m.team_id
     FROM team_members m JOIN data_products p ON p.team_id = m.team_id
     WHERE m.valid_to IS NULL AND lower(m.role) = 'owner'
     ORDER BY lower(m.username), m.team_id`,
  );
  const people: DemoUser[] = staff.map((p) => ({ ...p, teams: [...p.teams] }));
  for (const o of owners) {
    const known = people.find((p) => p.username.toLowerCase() === o.username.toLowerCase());
    const team = { id: o.team_id, name: o.team_id, role: "owner" as const };
    if (known) known.teams.push(team);
    else
      people.push({
        username: o.username,
        displayName: o.display_name ?? o.username,
        role: "owner",
        globalRoles: ["consumer"],
        teams: [team],
      });
  }
  const existing = file ? await readExisting(file) : {};
  const out: DemoTokens = {};
  for (const person of people) {
    const user =
      (await identity.users.findUser({ username: person.username })) ??
      (await identity.users.createUser(
        { username: person.username, displayName: person.displayName, roles: person.globalRoles },
        "quanta-demo",
      ));
    for (const team of person.teams) {
      if (!(await identity.teams.teamExists(team.id))) {
        await identity.teams.createTeam({ id: team.id, name: team.name }, "quanta-demo");
      }
      if (!user.teams.some((t) => t.team === team.id && t.role === team.role)) {
        await identity.teams.setTeamMember(team.id, user.id, team.role, "quanta-demo");
      }
    }
    const team = person.teams[0]?.id ?? null;
    const kept = existing[person.username]?.token;
    const token =
      kept &&
      (await identity.tokens.authenticateToken(kept).then(
        (p) => p.userId === user.id,
        () => false,
      ))
        ? kept
        : (await identity.tokens.createToken(user.id, { name: "demo", expiresInDays: 365 }, "quanta-demo")).token;
    out[person.username] = { token, role: person.role, team };
  }
  if (file) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(out, null, 2)}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
  }
  return out;
}
