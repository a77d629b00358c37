import { InputError } from "../errors.js";
import type { EngineManifest } from "./engine-manifest.js";
import type { EngineRegistry } from "./engine-registry.js";

type Server = Record<string, unknown>;

export interface ServerChoice {
  /** The name (`server`) of the contract's server to use; otherwise the first one an engine serves. */
  name?: string | undefined;
  /** Prefer servers of this `environment` (e.g. `prod`) when no name is given. */
  environment?: string | undefined;
}

export interface SelectedServer {
  server: Server;
  engine: EngineManifest;
}

const isServer = (v: unknown): v is Server => typeof v === "object" && v !== null && !Array.isArray(v);

/** How a server is named in messages: `local (local)`. */
export const describeServer = (s: Server): string =>
  `${String(s.server ?? s.id ?? "?")} (${String(s.type ?? "no type")})`;

/**
 * The server of a contract (its ODCS `servers`) where a test or a read runs, and the engine that
 * serves it: the one named, else the first an installed engine serves (of the wanted environment
 * when there is one). An `InputError` says why none fits and what the contract and engines offer.
 */
export function selectServer(servers: unknown, engines: EngineRegistry, choice: ServerChoice = {}): SelectedServer {
  const list = (Array.isArray(servers) ? servers : []).filter(isServer);
  const served = engines.serverTypes.join(", ");
  if (choice.name !== undefined) {
    const found = list.find((s) => s.server === choice.name || s.id === choice.name);
    if (!found) {
      throw new InputError(
        `no server named ${JSON.stringify(choice.name)} in the contract (servers: ${list.map(describeServer).join(", ") || "none"})`,
      );
    }
    const engine = engines.forType(found.type);
    if (!engine) {
      throw new InputError(
        `server ${describeServer(found)}: no installed engine for type ${JSON.stringify(found.type)} (engines serve: ${served})`,
      );
    }
    return { server: found, engine };
  }
  const usable = list.filter((s) => engines.forType(s.type));
  const preferred =
    choice.environment === undefined ? usable : usable.filter((s) => s.environment === choice.environment);
  const server = preferred[0] ?? usable[0];
  if (!server) {
    throw new InputError(
      list.length === 0
        ? "the contract has no servers: add one (e.g. type: local, path: data.parquet, format: parquet)"
        : `no server of a type an installed engine serves (${served}); servers: ${list.map(describeServer).join(", ")}`,
    );
  }
  return { server, engine: engines.forType(server.type) as EngineManifest };
}
