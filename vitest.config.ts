import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@quanta/source"] },
  ssr: { resolve: { conditions: ["@quanta/source"] } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "bench/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    globalSetup: ["test/global-setup.ts"],
  },
});
