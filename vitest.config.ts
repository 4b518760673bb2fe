import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts", "examples/**/*.test.ts"],
    // fast-check's seed from FC_SEED (random when unset); a failure prints the seed to rerun with.
    setupFiles: ["tests/setup/fast-check-seed.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
