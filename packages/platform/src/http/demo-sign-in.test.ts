import { request } from "node:http";
import { networkInterfaces } from "node:os";
import { describe, expect, it } from "vitest";
import { type RunningPlatform, startPlatform } from "../server/start-platform.js";

/** An address of this machine that is not loopback, to ask as another machine would. */
const outside = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && !i.internal && i.family === "IPv4")?.address;

/** A POST with exactly these headers (fetch will not send another `Host`). */
function rawPost(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: "127.0.0.1", port, path, method: "POST", headers }, (res) => {
      let body = "";
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", fail);
    req.end();
  });
}

async function withPlatform<T>(
  options: { demo: boolean; hostname: string },
  run: (p: RunningPlatform) => Promise<T>,
): Promise<T> {
  const platform = await startPlatform({
    store: { memory: true },
    port: 0,
    hostname: options.hostname,
    runJobs: false,
    ...(options.demo ? { demoIdentities: {} } : {}),
  });
  try {
    return await run(platform);
  } finally {
    await platform.close();
  }
}

describe("the demo's sign in as", () => {
  it("lists the demo users and signs in as one, from the server's own machine", async () => {
    await withPlatform({ demo: true, hostname: "127.0.0.1" }, async (p) => {
      const list = await fetch(`${p.url}/api/demo/users`);
      expect(list.status).toBe(200);
      const { items } = (await list.json()) as { items: { username: string; role: string; team: string | null }[] };
      expect(items).toContainEqual({
        username: "mia.chen@marketing.example",
        role: "consumer",
        team: "marketing-analytics",
      });
      expect(JSON.stringify(items)).not.toContain("qnt_"); // the list holds no token
      const signIn = await fetch(
        `${p.url}/api/demo/users/${encodeURIComponent("mia.chen@marketing.example")}/sign-in`,
        {
          method: "POST",
        },
      );
      expect(signIn.status).toBe(200);
      const { token } = (await signIn.json()) as { token: string };
      const me = await fetch(`${p.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(((await me.json()) as { name: string }).name).toBe("mia.chen@marketing.example");
      const unknown = await fetch(`${p.url}/api/demo/users/nobody/sign-in`, { method: "POST" });
      expect(unknown.status).toBe(404);
    });
  });

  it("does not exist behind a proxy, on a server without the demo, or asked from another machine", async () => {
    await withPlatform({ demo: true, hostname: "127.0.0.1" }, async (p) => {
      const signIn = `${p.url}/api/demo/users/admin@quanta.example/sign-in`;
      for (const header of ["x-forwarded-for", "forwarded", "x-real-ip", "via", "x-forwarded-host"]) {
        const res = await fetch(`${p.url}/api/demo/users`, { headers: { [header]: "203.0.113.7" } });
        expect(res.status).toBe(404);
        expect(await res.json()).toEqual({ error: { code: "not-found", message: "no route GET /api/demo/users" } });
        expect((await fetch(signIn, { method: "POST", headers: { [header]: "203.0.113.7" } })).status).toBe(404);
      }
      // A DNS name rebound to 127.0.0.1 reaches the socket from loopback, but names another host.
      const rebound = await rawPost(p.port, "/api/demo/users/admin@quanta.example/sign-in", {
        host: "evil.example:80",
      });
      expect(rebound.status).toBe(404);
      expect(rebound.body).not.toContain("qnt_");
      expect(
        (await rawPost(p.port, "/api/demo/users/admin@quanta.example/sign-in", { host: `localhost:${p.port}` })).status,
      ).toBe(200);
      // A page of another site (a browser sends its Origin) gets nothing either.
      expect((await fetch(signIn, { method: "POST", headers: { origin: "https://evil.example" } })).status).toBe(404);
      expect((await fetch(signIn, { method: "POST", headers: { origin: p.url } })).status).toBe(200);
    });
    await withPlatform({ demo: false, hostname: "127.0.0.1" }, async (p) => {
      expect((await fetch(`${p.url}/api/demo/users`)).status).toBe(404);
      expect((await fetch(`${p.url}/api/demo/users/admin@quanta.example/sign-in`, { method: "POST" })).status).toBe(
        404,
      );
    });
    // Asked from another machine (this one's non-loopback address stands in for it).
    expect(outside, "the machine has a non-loopback IPv4 address to ask from").toBeDefined();
    if (outside) {
      await withPlatform({ demo: true, hostname: "0.0.0.0" }, async (p) => {
        const res = await fetch(`http://${outside}:${p.port}/api/demo/users/admin@quanta.example/sign-in`, {
          method: "POST",
        });
        expect(res.status).toBe(404);
      });
    }
  });
});
