import type { z } from "@hono/zod-openapi";
import type { Queryable } from "../storage/database.js";
import type { MemberPeriodSchema } from "./team-schema.js";

export interface MemberInput {
  username: string;
  name?: string | undefined;
  role: string;
  /** ISO date or timestamp the person took the role; default now. */
  dateIn?: string | undefined;
  /** ISO date or timestamp the person left the role; absent while they hold it. */
  dateOut?: string | undefined;
}

export type MemberPeriod = z.infer<typeof MemberPeriodSchema>;

const isoDate = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;
const dateOrNull = (d: string | undefined): string | null => (d && isoDate.test(d) ? d : null);

/** Domains, teams and the history of who held which role in a team. */
export class TeamRepository {
  constructor(private readonly q: Queryable) {}

  async exists(id: string): Promise<boolean> {
    return (await this.q.query("SELECT 1 FROM teams WHERE id = $1", [id])).rows.length > 0;
  }

  async ensureDomain(id: string, name = id): Promise<void> {
    await this.q.query("INSERT INTO domains (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING", [id, name]);
  }

  /** The domains these teams belong to (a domain once, teams without one left out). */
  async domainsOf(teamIds: readonly string[]): Promise<string[]> {
    const { rows } = await this.q.query<{ domain_id: string }>(
      "SELECT DISTINCT domain_id FROM teams WHERE id = ANY($1::text[]) AND domain_id IS NOT NULL",
      [teamIds],
    );
    return rows.map((r) => r.domain_id);
  }

  /**
   * Creates the team, or updates its name and description. An existing team keeps its domain: an
   * owner's rights over a domain's policies follow it, so no product document may move it.
   */
  async ensureTeam(team: {
    id: string;
    name: string;
    domainId?: string | null;
    description?: string | null;
  }): Promise<void> {
    await this.q.query(
      `INSERT INTO teams (id, name, domain_id, description) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name,
         description = COALESCE(EXCLUDED.description, teams.description)`,
      [team.id, team.name, team.domainId ?? null, team.description ?? null],
    );
  }

  /**
   * Makes the team's current membership match `members`: a newcomer opens a period, a person who
   * left (a `dateOut`, or no longer listed) gets their period closed. Closed periods stay: history.
   */
  async syncMembers(teamId: string, members: readonly MemberInput[]): Promise<{ joined: number; left: number }> {
    const { rows: current } = await this.q.query<{ id: number; username: string; role: string }>(
      "SELECT id, username, role FROM team_members WHERE team_id = $1 AND valid_to IS NULL",
      [teamId],
    );
    const key = (m: { username: string; role: string }) => `${m.username}\u0000${m.role}`;
    const open = new Map(current.map((r) => [key(r), r]));
    const active = new Set(members.filter((m) => !dateOrNull(m.dateOut)).map(key));
    let joined = 0;
    let left = 0;
    for (const m of members) {
      const out = dateOrNull(m.dateOut);
      const existing = open.get(key(m));
      if (existing && out) {
        await this.q.query("UPDATE team_members SET valid_to = GREATEST(valid_from, $2::timestamptz) WHERE id = $1", [
          existing.id,
          out,
        ]);
        left++;
      } else if (!existing && !out) {
        await this.q.query(
          "INSERT INTO team_members (team_id, username, display_name, role, valid_from) VALUES ($1, $2, $3, $4, COALESCE($5::timestamptz, now()))",
          [teamId, m.username, m.name ?? null, m.role, dateOrNull(m.dateIn)],
        );
        joined++;
      } else if (!existing && out) {
        // A past period we never saw open: record it once so the history is complete.
        await this.q.query(
          `INSERT INTO team_members (team_id, username, display_name, role, valid_from, valid_to)
           SELECT $1, $2, $3, $4, COALESCE($5::timestamptz, $6::timestamptz), $6::timestamptz
           WHERE NOT EXISTS (SELECT 1 FROM team_members WHERE team_id = $1 AND username = $2 AND role = $4 AND valid_to IS NOT NULL)`,
          [teamId, m.username, m.name ?? null, m.role, dateOrNull(m.dateIn), out],
        );
      }
    }
    for (const [k, row] of open) {
      if (!active.has(k) && !members.some((m) => key(m) === k)) {
        await this.q.query("UPDATE team_members SET valid_to = GREATEST(valid_from, now()) WHERE id = $1", [row.id]);
        left++;
      }
    }
    return { joined, left };
  }

  /** Who held which role at `at` (default: now). */
  async membersAt(teamId: string, at?: string): Promise<MemberPeriod[]> {
    const { rows } = await this.q.query<MemberPeriod>(
      `SELECT username, display_name AS "displayName", role, valid_from AS "validFrom", valid_to AS "validTo"
       FROM team_members
       WHERE team_id = $1 AND valid_from <= COALESCE($2::timestamptz, now())
         AND (valid_to IS NULL OR valid_to > COALESCE($2::timestamptz, now()))
       ORDER BY role, username`,
      [teamId, at ?? null],
    );
    return rows;
  }

  async history(teamId: string): Promise<MemberPeriod[]> {
    const { rows } = await this.q.query<MemberPeriod>(
      `SELECT username, display_name AS "displayName", role, valid_from AS "validFrom", valid_to AS "validTo"
       FROM team_members WHERE team_id = $1 ORDER BY valid_from, username, role`,
      [teamId],
    );
    return rows;
  }
}
