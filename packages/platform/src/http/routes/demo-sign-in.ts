import { getConnInfo } from "@hono/node-server/conninfo";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { NotFoundError } from "@quanta/core";
import type { Context } from "hono";
import type { DemoTokens } from "../../identity/demo-identities.js";
import { DemoUserSchema } from "../../identity/demo-user-schema.js";
import { errorContent } from "../schemas.js";

const loopback = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);
/** Host names a browser on this machine reaches the server by; any other is a rebound DNS name. */
const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);
/** Headers proxies and relays add: behind one, every request would seem to come from this machine. */
const proxied = [
  "forwarded",
  "via",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-forwarded-port",
  "x-real-ip",
  "x-client-ip",
  "true-client-ip",
  "cf-connecting-ip",
];

/** The host name of a `Host` header or an `Origin` URL, without the port; undefined when unreadable. */
function hostNameOf(value: string | undefined, asOrigin: boolean): string | undefined {
  if (value === undefined) return undefined;
  try {
    return new URL(asOrigin ? value : `http://${value}`).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Whether the request comes straight from this machine and names it: the demo's "sign in as"
 * hands out tokens (the admin's among them), which is fine on a laptop and never over a network,
 * through a proxy, or to a page of another site. The socket's address must be loopback, no proxy
 * header may be present, the `Host` must be a loopback name (a DNS name rebound to 127.0.0.1 is
 * refused), and an `Origin`, when a browser sends one, must be a loopback origin too.
 */
function fromThisMachine(c: Context): boolean {
  if (proxied.some((h) => c.req.header(h) !== undefined)) return false;
  const host = hostNameOf(c.req.header("host"), false);
  if (host === undefined || !loopbackHosts.has(host)) return false;
  const origin = c.req.header("origin");
  if (origin !== undefined && !loopbackHosts.has(hostNameOf(origin, true) ?? "")) return false;
  try {
    return loopback.has(getConnInfo(c).remote.address ?? "");
  } catch {
    return false; // not served by the Node server (e.g. app.request in tests): no address to trust
  }
}

const tags = ["Identity"];
const hidden = errorContent("Not a demo server, or not asked from the machine it runs on");

const listRoute = createRoute({
  method: "get",
  path: "/api/demo/users",
  operationId: "demoUsers",
  tags,
  summary: "The demo's users, for the marketplace's 'sign in as' (a `--demo` server, asked from its own machine)",
  responses: {
    200: {
      description: "The demo users",
      content: { "application/json": { schema: z.object({ items: z.array(DemoUserSchema) }) } },
    },
    404: hidden,
  },
});

const signInRoute = createRoute({
  method: "post",
  path: "/api/demo/users/{username}/sign-in",
  operationId: "demoSignIn",
  tags,
  summary: "A demo user's API token (a `--demo` server, asked from its own machine)",
  request: { params: z.object({ username: z.string().min(1).max(200) }) },
  responses: {
    200: {
      description: "The user's token",
      content: { "application/json": { schema: z.object({ token: z.string() }) } },
    },
    404: hidden,
  },
});

/**
 * "Sign in as" for the demo mesh: only on a server started with demo identities, and only for
 * requests from the machine it runs on with no proxy between. Anywhere else the routes do not
 * exist (404, as for any unknown route), so they reveal nothing.
 */
export function registerDemoSignIn(app: OpenAPIHono, demo: (() => DemoTokens | undefined) | undefined): void {
  const guard = (c: Context): DemoTokens => {
    const tokens = demo?.();
    if (!tokens || !fromThisMachine(c)) throw new NotFoundError(`no route ${c.req.method} ${c.req.path}`);
    return tokens;
  };
  app.openapi(listRoute, (c) => {
    const tokens = guard(c);
    const items = Object.entries(tokens).map(([username, t]) => ({ username, role: t.role, team: t.team }));
    return c.json({ items }, 200);
  });
  app.openapi(signInRoute, (c) => {
    const tokens = guard(c);
    const { username } = c.req.valid("param");
    const entry = Object.hasOwn(tokens, username) ? tokens[username] : undefined;
    if (!entry) throw new NotFoundError(`no demo user ${JSON.stringify(username)}`);
    return c.json({ token: entry.token }, 200);
  });
}
