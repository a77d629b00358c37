// The platform server the throughput benchmark loads, in its own process: the built registry,
// harness (runJobs off: no background contract tests competing with the load) and HTTP app on
// 127.0.0.1, with every product folder under MESH published into an in-memory PGlite store.
// Reads of data need a signed-in user: a consumer with an API token is created and its token is
// printed with the URL, so the load carries the real authentication (a token lookup per request).
// Prints one JSON line {url, token, published} on stdout when listening; SIGTERM stops it.
//   node bench/platform/bench-server.mjs MESH
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { built, root } from "./stats.mjs";

const mesh = process.argv[2];
const platform = await built("platform");
const { startHarness } = await built("platform", "harness/start-harness.js");
const { serve } = await import("@hono/node-server");

const dataDir = mkdtempSync(join(tmpdir(), "quanta-bench-server-"));
const db = await platform.openDatabase({ memory: true });
const registry = new platform.Registry(db);
const productFolders = new Map();
for (const folder of await platform.findProductFolders(mesh)) {
  const { product } = await registry.publish({
    files: await platform.readProductFolder(folder),
    publishedBy: "bench",
  });
  productFolders.set(product.id, folder);
}
let token;
const identityFile = join(root, "packages", "platform", "dist", "identity", "identity-store.js");
if (existsSync(identityFile)) {
  const { IdentityStore } = await import(identityFile);
  const identity = new IdentityStore(db);
  const user = await identity.users.createUser({ username: "bench-consumer", roles: ["consumer"] });
  token = (await identity.tokens.createToken(user.id, { name: "bench" })).token;
  // Reads need an agreement (ADR 0014): the consumer's team asks for the readings port and its
  // owner team approves it, so every consume carries the real access decision and its views.
  const agreements = join(root, "packages", "platform", "dist", "access", "agreement-service.js");
  if (existsSync(agreements)) {
    const { AgreementService } = await import(agreements);
    const owner = await identity.users.createUser({ username: "bench-owner", roles: ["consumer"] });
    const ownerTeam = (await new platform.ProductRepository(db).get("climate.weather-station-readings"))?.team;
    await identity.teams.setTeamMember(ownerTeam, owner.id, "owner");
    await identity.teams.createTeam({ name: "bench-consumers" });
    await identity.teams.setTeamMember("bench-consumers", user.id, "member");
    const service = new AgreementService(db);
    const asked = await service.request(
      {
        productId: "climate.weather-station-readings",
        port: "readings",
        consumerTeam: "bench-consumers",
        purpose: "benchmark",
      },
      await identity.users.principal(user.id),
    );
    if (asked.state !== "active") await service.act(asked.id, "approve", await identity.users.principal(owner.id));
  }
}
const runtime = startHarness({ db, registry, dataDir, productFolders, runJobs: false });
const app = platform.createApp({ registry, harness: runtime.harness, logError: (e) => console.error(e) });
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
await new Promise((resolve) => server.once("listening", resolve));
console.log(
  JSON.stringify({ url: `http://127.0.0.1:${server.address().port}`, token, published: [...productFolders.keys()] }),
);

process.once("SIGTERM", async () => {
  server.closeAllConnections?.();
  await new Promise((resolve) => server.close(resolve));
  await runtime.stop();
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
