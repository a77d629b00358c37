import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { IdentityStore } from "./identity-store.js";
import type { GlobalRole, TeamRole } from "./principal.js";

/** One entry of `DIR/demo-tokens.json`: `{ "<user>": { token, role, team } }`. */
export interface DemoToken {
  token: string;
  role: "admin" | "governance" | "owner" | "consumer";
  team: string | null;
}
export type DemoTokens = Record<string, DemoToken>;

interface DemoUser {
  username: string;
  displayName: string;
  role: DemoToken["role"];
  globalRoles: GlobalRole[];
  team: { id: string; name: string; role: TeamRole } | null;
}

/** People who run and govern the demo mesh, and two consumer teams that read from it. */
const staff: DemoUser[] = [
  { username: "admin@quanta.example", displayName: "Quanta Admin", role: "admin", globalRoles: ["admin"], team: null },
  {
    username: "governance@quanta.example",
    displayName: "Grace Governance",
    role: "governance",
    globalRoles: ["governance"],
    team: null,
  },
  {
    username: "mia.chen@marketing.example",
    displayName: "Mia Chen",
    role: "consumer",
    globalRoles: ["consumer"],
    team: { id: "marketing-analytics", name: "Marketing Analytics", role: "member" },
  },
  {
    username: "omar.haddad@insurance.example",
    displayName: "Omar Haddad",
    role: "consumer",
    globalRoles: ["consumer"],
    team: { id: "insurance-underwriting", name: "Insurance Underwriting", role: "member" },
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
  const { rows: owners } = await identity.db.query<{ username: string; display_name: string | null; team_id: string }>(
    `SELECT DISTINCT ON (lower(m.username)) m.username, m.display_name, m.team_id
     FROM team_members m JOIN data_products p ON p.team_id = m.team_id
     WHERE m.valid_to IS NULL AND lower(m.role) = 'owner'
     ORDER BY lower(m.username), m.team_id`,
  );
  const people: DemoUser[] = [
    ...staff,
    ...owners.map(
      (o): DemoUser => ({
        username: o.username,
        displayName: o.display_name ?? o.username,
        role: "owner",
        globalRoles: ["consumer"],
        // Declared in the products' team sections: no grant needed, the registry knows them.
        team: null,
      }),
    ),
  ];
  const teamOf = new Map(owners.map((o) => [o.username, o.team_id]));
  const existing = file ? await readExisting(file) : {};
  const out: DemoTokens = {};
  for (const person of people) {
    const user =
      (await identity.findUser({ username: person.username })) ??
      (await identity.createUser(
        { username: person.username, displayName: person.displayName, roles: person.globalRoles },
        "quanta-demo",
      ));
    if (person.team) {
      if (!(await identity.teamExists(person.team.id))) {
        await identity.createTeam({ id: person.team.id, name: person.team.name }, "quanta-demo");
      }
      if (!user.teams.some((t) => t.team === person.team?.id)) {
        await identity.setTeamMember(person.team.id, user.id, person.team.role, "quanta-demo");
      }
    }
    const team = person.team?.id ?? teamOf.get(person.username) ?? null;
    const kept = existing[person.username]?.token;
    const token =
      kept &&
      (await identity.authenticateToken(kept).then(
        (p) => p.userId === user.id,
        () => false,
      ))
        ? kept
        : (await identity.createToken(user.id, { name: "demo", expiresInDays: 365 }, "quanta-demo")).token;
    out[person.username] = { token, role: person.role, team };
  }
  if (file) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(out, null, 2)}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
  }
  return out;
}
