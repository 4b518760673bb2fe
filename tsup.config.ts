import { defineConfig } from "tsup";

/** One entry per public subpath, plus the CLI. ESM and CJS with declarations for both. */
export default defineConfig([
  {
    entry: { index: "src/index.ts", ble: "src/ble.ts", testing: "src/testing.ts" },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    external: ["@abandonware/noble", "@abandonware/bleno", "@abandonware/bluetooth-hci-socket", "fast-check"],
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
