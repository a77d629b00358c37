import type { z } from "@hono/zod-openapi";
import { ConflictError, InputError, NotFoundError, teamIdOf } from "@quanta/core";
import { publishEvent } from "../events/publish-event.js";
import type { Database } from "../storage/database.js";
import type { TeamRole } from "./principal.js";
import { TeamRepository } from "./team-repository.js";
import type { TeamSchema } from "./team-schema.js";
import type { UserStore } from "./user-store.js";

export type TeamInfo = z.infer<typeof TeamSchema>;

/**
 * Teams as admins and team owners manage them: created here, and the members granted their rights
 * (`team_grants`, with every period kept). A change of grants calls `principalsChanged`.
 */
export class TeamStore {
  constructor(
    private readonly db: Database,
    private readonly users: UserStore,
    private readonly principalsChanged: () => void = () => {},
  ) {}

  async createTeam(
    input: { name: string; id?: string | undefined; domain?: string | undefined; description?: string | undefined },
    actor?: string,
  ): Promise<TeamInfo> {
    const id = input.id ?? teamIdOf(input.name);
    if (!id || !/^[a-z0-9][a-z0-9._-]{0,199}$/.test(id)) {
      throw new InputError(`team id "${id}" must be lowercase letters, digits, . _ - (default: the name as a slug)`);
    }
    await this.db.transaction(async (tx) => {
      const teams = new TeamRepository(tx);
      if (await teams.exists(id)) throw new ConflictError(`team "${id}" already exists`);
      if (input.domain) await teams.ensureDomain(input.domain);
      await teams.ensureTeam({
        id,
        name: input.name,
        domainId: input.domain ?? null,
        description: input.description ?? null,
      });
      await publishEvent(
        tx,
        { type: "team.created", subject: id, actor, payload: { name: input.name } },
        { teams: [id] },
      );
    });
    return this.team(id);
  }

  teamExists(id: string): Promise<boolean> {
    return new TeamRepository(this.db).exists(id);
  }

  async team(id: string): Promise<TeamInfo> {
    const found = (await this.listTeams(id))[0];
    if (!found) throw new NotFoundError(`no team "${id}"`);
    return found;
  }

  async listTeams(only?: string): Promise<TeamInfo[]> {
    const { rows: teams } = await this.db.query<{
      id: string;
      name: string;
      domainId: string | null;
      description: string | null;
    }>(
      `SELECT id, name, domain_id AS "domainId", description FROM teams WHERE $1::text IS NULL OR id = $1 ORDER BY id LIMIT 1000`,
      [only ?? null],
    );
    const { rows: members } = await this.db.query<TeamInfo["members"][number] & { teamId: string }>(
      `SELECT g.team_id AS "teamId", u.username, u.id AS "userId", g.role
       FROM team_grants g JOIN users u ON u.id = g.user_id
       WHERE g.valid_to IS NULL AND ($1::text IS NULL OR g.team_id = $1)
       ORDER BY 1, 2`,
      [only ?? null],
    );
    const { rows: declared } = await this.db.query<TeamInfo["declared"][number] & { teamId: string }>(
      `SELECT DISTINCT team_id AS "teamId", username, role FROM team_members
       WHERE valid_to IS NULL AND ($1::text IS NULL OR team_id = $1)
       ORDER BY 1, 2, 3`,
      [only ?? null],
    );
    const of = <T extends { teamId: string }>(rows: T[], team: string) =>
      rows.filter((m) => m.teamId === team).map(({ teamId: _, ...m }) => m);
    return teams.map((t) => ({ ...t, members: of(members, t.id), declared: of(declared, t.id) }));
  }

  /** Makes `userId` a member (or owner) of `teamId`; a change of role closes the previous period. */
  async setTeamMember(teamId: string, userId: string, role: TeamRole, actor?: string): Promise<TeamInfo> {
    if (role !== "owner" && role !== "member")
      throw new InputError(`team role must be owner or member (got "${role}")`);
    await this.team(teamId);
    await this.users.user(userId);
    await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ role: string }>(
        "SELECT role FROM team_grants WHERE team_id = $1 AND user_id = $2 AND valid_to IS NULL FOR UPDATE",
        [teamId, userId],
      );
      if (rows[0]?.role === role) return;
      await tx.query(
        "UPDATE team_grants SET valid_to = GREATEST(valid_from, now()) WHERE team_id = $1 AND user_id = $2 AND valid_to IS NULL",
        [teamId, userId],
      );
      await tx.query("INSERT INTO team_grants (team_id, user_id, role, granted_by) VALUES ($1, $2, $3, $4)", [
        teamId,
        userId,
        role,
        actor ?? null,
      ]);
      await publishEvent(
        tx,
        { type: "team.member.granted", subject: teamId, actor, payload: { userId, role } },
        { teams: [teamId] },
      );
    });
    this.principalsChanged();
    return this.team(teamId);
  }

  async removeTeamMember(teamId: string, userId: string, actor?: string): Promise<TeamInfo> {
    await this.team(teamId);
    await this.db.transaction(async (tx) => {
      const { rowCount } = await tx.query(
        "UPDATE team_grants SET valid_to = GREATEST(valid_from, now()) WHERE team_id = $1 AND user_id = $2 AND valid_to IS NULL",
        [teamId, userId],
      );
      if (rowCount === 0) throw new NotFoundError(`user "${userId}" holds no granted membership of team "${teamId}"`);
      await publishEvent(
        tx,
        { type: "team.member.removed", subject: teamId, actor, payload: { userId } },
        { teams: [teamId] },
      );
    });
    this.principalsChanged();
    return this.team(teamId);
  }

  /** Who held which granted role in the team, every period, oldest first. */
  async teamGrantHistory(
    teamId: string,
  ): Promise<{ userId: string; role: TeamRole; validFrom: string; validTo: string | null }[]> {
    const { rows } = await this.db.query<{ userId: string; role: TeamRole; validFrom: string; validTo: string | null }>(
      `SELECT user_id AS "userId", role, valid_from AS "validFrom", valid_to AS "validTo"
       FROM team_grants WHERE team_id = $1 ORDER BY id`,
      [teamId],
    );
    return rows;
  }
}
