import { z } from "@hono/zod-openapi";
import { globalRoles, TeamMembershipSchema } from "./principal.js";

export const UserSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    displayName: z.string().nullable(),
    email: z.string().nullable(),
    kind: z.enum(["user", "service"]),
    roles: z.array(z.enum(globalRoles)),
    teams: z.array(TeamMembershipSchema),
    createdAt: z.string(),
    disabledAt: z.string().nullable(),
  })
  .openapi("User");
