import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

/**
 * Test files that read the official standards (schemas and examples) beside the repository, in
 * `../shared/standards`. A clone without them leaves these files out and says so; CI always has
 * them, so there they run (and fail loudly if the standards ever go missing).
 */
const needStandards = [
  "packages/cli/src/commands/diff.test.ts",
  "packages/cli/src/commands/import.test.ts",
  "packages/core/src/diff/contract-diff.test.ts",
  "packages/core/src/diff/diff-documents.test.ts",
  "packages/core/src/examples.test.ts",
  "packages/core/src/formats/dcs/examples.test.ts",
  "packages/core/src/formats/dcs/import.test.ts",
  "packages/core/src/formats/dps/import.test.ts",
  "packages/core/src/lint/lint-document.test.ts",
];
const standards = fileURLToPath(new URL("../shared/standards/README.md", import.meta.url));
const withoutStandards = !existsSync(standards) && !process.env.CI;
if (withoutStandards) {
  console.warn(
    `quanta: the official standards are not at ${standards.replace(/README\.md$/, "")}; ` +
      `skipping the ${needStandards.length} test files that read them (CI runs them)`,
  );
}

export default defineConfig({
  resolve: { conditions: ["@quanta/source"] },
  ssr: { resolve: { conditions: ["@quanta/source"] } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "bench/**/*.test.ts"],
    exclude: [...configDefaults.exclude, ...(withoutStandards ? needStandards : [])],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    globalSetup: ["test/global-setup.ts"],
  },
});
