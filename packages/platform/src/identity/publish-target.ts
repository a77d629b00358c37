import { detectKind, SourceDocument } from "@quanta/core";
import type { ProductFile } from "../registry/publish-product.js";
import { arr, obj, str } from "../registry/read.js";
import type { Queryable } from "../storage/database.js";
import { authorize, type PublishTarget } from "./authorize.js";
import type { Principal } from "./principal.js";
import { UnauthenticatedError } from "./unauthenticated-error.js";

/** The registry's team id for a team name (the same slug publish stores; a test keeps them equal). */
export const teamIdOf = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "") || "team";

/**
 * What publishing `files` would touch, for `authorize(…, "product.publish", …)`: the product, the
 * team owning it now and the team its new version declares. Undefined when the folder has no ODPS
 * file with an id: publish refuses such a folder itself (422), after authentication.
 */
export async function publishTarget(
  q: Queryable,
  files: readonly ProductFile[],
  principal: Principal | undefined,
): Promise<PublishTarget | undefined> {
  const product = files
    .filter((f) => /\.(ya?ml|json)$/i.test(f.path))
    .map((f) => SourceDocument.parse(f.text, f.path))
    .find((s) => s.readable && detectKind(s.value)?.kind === "odps");
  const doc = obj(product?.value);
  const productId = str(doc?.id);
  if (!doc || !productId) return undefined;
  const team = obj(doc.team);
  const teamName = str(team?.name);
  const declaredTeam = teamName ? teamIdOf(teamName) : null;
  const { rows } = await q.query<{ owner: string | null; declared: boolean }>(
    `SELECT (SELECT team_id FROM data_products WHERE id = $1) AS owner,
            EXISTS (SELECT 1 FROM teams WHERE id = $2) AS declared`,
    [productId, declaredTeam],
  );
  const me = principal?.name.toLowerCase();
  const listsCaller =
    me !== undefined &&
    arr(team?.members).some((m) => str(obj(m)?.username)?.toLowerCase() === me && !str(obj(m)?.dateOut));
  return {
    productId,
    ownerTeam: rows[0]?.owner ?? null,
    declaredTeam,
    declaredTeamExists: rows[0]?.declared ?? false,
    listsCaller,
  };
}

/** A product's owner team, or undefined when there is no such product. */
export async function productRef(
  q: Queryable,
  id: string,
): Promise<{ id: string; ownerTeam: string | null } | undefined> {
  const { rows } = await q.query<{ team_id: string | null }>("SELECT team_id FROM data_products WHERE id = $1", [id]);
  return rows[0] ? { id, ownerTeam: rows[0].team_id } : undefined;
}

/** Authorizes a publish before anything is parsed for real (401 anonymous, 403 not the owner team). */
export async function authorizePublish(
  q: Queryable,
  files: readonly ProductFile[],
  principal: Principal | undefined,
): Promise<void> {
  if (!principal) throw new UnauthenticatedError("sign in (an API token or an OpenID Connect bearer token) to publish");
  const target = await publishTarget(q, files, principal);
  if (target) authorize(principal, "product.publish", target);
}
