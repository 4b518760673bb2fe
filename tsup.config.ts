import { defineConfig } from "tsup";

/** One entry per public subpath, plus the CLI. ESM and CJS with declarations for both. */
export default defineConfig([
  {
    entry: { index: "src/index.ts", ble: "src/ble.ts", sim: "sim/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    // The CJS build needs import.meta.url (createRequire in loadBleModules and the emulator's loader).
    shims: true,
    external: ["@abandonware/noble", "@abandonware/bleno", "@abandonware/bluetooth-hci-socket"],
  },
  {
    // The simulator's worker thread script, found next to the code that starts it.
    entry: { "sim-worker": "sim/worker-entry.ts" },
    format: ["esm"],
    sourcemap: true,
    target: "node20",
    external: ["@abandonware/noble", "@abandonware/bleno", "@abandonware/bluetooth-hci-socket"],
  },
  {
    entry: { "cli/main": "src/cli/main.ts" },
    format: ["esm"],
    sourcemap: true,
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
    external: ["@abandonware/noble", "@abandonware/bleno", "@abandonware/bluetooth-hci-socket"],
  },
]);
