import { z } from "@hono/zod-openapi";
import { teamRoles } from "./principal.js";

export const TeamSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    domainId: z.string().nullable(),
    description: z.string().nullable(),
    members: z
      .array(z.object({ username: z.string(), userId: z.string(), role: z.enum(teamRoles) }))
      .openapi({ description: "Who holds the team's rights: granted by an admin or a team owner" }),
    declared: z.array(z.object({ username: z.string(), role: z.string() })).openapi({
      description:
        "Who the team's product documents list (ODPS team.members): documentation of the team, granting nothing",
    }),
  })
  .openapi("Team");

/** One period someone held a role in a team, as its product documents declared it (discover's owners). */
export const MemberPeriodSchema = z.object({
  username: z.string(),
  displayName: z.string().nullable(),
  role: z.string(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
});
