import type { EngineManifest } from "./engine-manifest.js";

/** The installed engines, by the server `type`s they serve. One instance is built from one list. */
export class EngineRegistry {
  private readonly byType = new Map<string, EngineManifest>();

  constructor(readonly manifests: readonly EngineManifest[]) {
    for (const engine of manifests) {
      for (const type of engine.serverTypes) {
        const taken = this.byType.get(type);
        if (taken) throw new Error(`engines ${taken.name} and ${engine.name} both serve server type "${type}"`);
        this.byType.set(type, engine);
      }
    }
  }

  /** The engine serving a server `type`, if one is installed. */
  forType(type: unknown): EngineManifest | undefined {
    return typeof type === "string" ? this.byType.get(type) : undefined;
  }

  /** Every server `type` an installed engine serves, in registration order. */
  get serverTypes(): string[] {
    return [...this.byType.keys()];
  }
}
