import { fileURLToPath } from "node:url";
import { defaultClientConditions, defineConfig } from "vite";

// The API the dev server forwards /api to: a running `quanta serve` (default port 8080).
const api = process.env.QUANTA_API ?? "http://localhost:8080";

export default defineConfig(({ mode }) => ({
  root: fileURLToPath(new URL(".", import.meta.url)),
  // esbuild's automatic JSX runtime: no React plugin needed (no fast refresh; a reload is quick).
  esbuild: { jsx: "automatic", jsxDev: mode !== "production" },
  // React picks its production build from NODE_ENV; pin it (and esbuild's JSX calls) to the mode so a
  // NODE_ENV inherited from the shell or a test runner never ships the slow development build.
  define: { "process.env.NODE_ENV": JSON.stringify(mode === "production" ? "production" : "development") },
  // Bundle @quanta/core from its TypeScript source, the same code the platform runs.
  resolve: { conditions: ["@quanta/source", ...defaultClientConditions] },
  // xfwd: the platform sees the browser's address through the dev proxy (its demo sign-in refuses proxied requests).
  server: { proxy: { "/api": { target: api, changeOrigin: true, xfwd: true } } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
}));
