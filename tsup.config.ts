import { defineConfig } from "tsup";

const external = ["@abandonware/noble", "@abandonware/bleno", "@abandonware/bluetooth-hci-socket"];

/** One entry per public subpath, plus the simulator's and the matcher's worker scripts and the CLI. */
export default defineConfig([
  {
    // Public subpaths: ESM and CJS with declarations for both.
    entry: { index: "src/index.ts", ble: "src/ble.ts", sim: "sim/index.ts", testing: "src/testing.ts" },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    // The CJS build needs import.meta.url (createRequire in loadBleModules and the emulator's loader).
    shims: true,
    // Shared chunks for CJS too (ESM splits by default), so every subpath uses one copy of each module:
    // an error class thrown by a store built on `bluezone` is the one `bluezone/testing` checks with
    // instanceof, under require() as under import.
    splitting: true,
    external: [...external, "fast-check"],
  },
  {
    // The simulator's and the matcher's worker thread scripts, found next to the code that starts them.
    entry: {
      "sim-worker": "sim/app/worker-entry.ts",
      "sim-run-worker": "sim/sweep/run-pool-entry.ts",
      "match-worker": "src/match/match-worker-entry.ts",
    },
    format: ["esm"],
    sourcemap: true,
    target: "node20",
    external,
  },
  {
    entry: { "cli/main": "src/cli/main.ts" },
    format: ["esm"],
    sourcemap: true,
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
    external,
  },
]);
