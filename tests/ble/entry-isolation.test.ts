/**
 * Importing `bluezone` or `bluezone/ble` must never load noble or bleno (their native socket module
 * throws on machines without Bluetooth), and `loadBleModules()` on such a machine must throw the typed
 * error with the fix, not crash. Each check runs in a fresh child process (source entries through tsx).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Runs an ESM snippet in a child node with tsx, returns its stdout parsed as JSON. */
function child(script: string): Record<string, unknown> {
  const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: root,
    encoding: "utf8",
    timeout: 30_000,
  });
  return JSON.parse(out.trim().split("\n").at(-1)!) as Record<string, unknown>;
}

const LOADED = `
  import { createRequire } from "node:module";
  const loaded = () => Object.keys(createRequire(import.meta.url).cache)
    .filter((k) => /[\\\\/]@abandonware[\\\\/](noble|bleno|bluetooth-hci-socket)[\\\\/]/.test(k));
`;

describe("entry points never load noble or bleno", () => {
  for (const entry of ["./src/index.ts", "./src/ble.ts"]) {
    it(`import ${entry} loads no noble/bleno module`, () => {
      const r = child(`${LOADED}
        const m = await import("${entry}");
        console.log(JSON.stringify({ exports: Object.keys(m).length, loaded: loaded() }));`);
      expect(r.exports).toBeGreaterThan(10);
      expect(r.loaded).toEqual([]);
    });
  }

  it("the emulator's loader leaves nothing behind in require.cache", () => {
    const r = child(`${LOADED}
      const { EmulatedHciController, emulatedBleModules } = await import("./src/ble.ts");
      const ctl = new EmulatedHciController();
      const m = emulatedBleModules(ctl);
      const during = loaded();
      m.dispose(); ctl.close();
      console.log(JSON.stringify({ during }));`);
    expect(r.during).toEqual([]);
  });

  it("loadBleModules() without a Bluetooth socket throws BluetoothUnavailableError with the fix", () => {
    const r = child(`
      const { loadBleModules, BluetoothUnavailableError } = await import("./src/ble.ts");
      let result;
      try { loadBleModules(); result = { threw: false }; }
      catch (e) { result = { threw: true, typed: e instanceof BluetoothUnavailableError, code: e.code, message: e.message }; }
      await new Promise((r) => setTimeout(r, 200)); // no late crash from a half-initialised socket
      console.log(JSON.stringify(result));`);
    expect(r).toMatchObject({ threw: true, typed: true, code: "ERR_BLUETOOTH_UNAVAILABLE" });
    expect(r.message).toMatch(/EAFNOSUPPORT/);
    expect(r.message).toMatch(/Fix: /);
  });

  // CI builds before testing (.ci/run); locally this runs after `npm run build`.
  it.skipIf(!existsSync(`${root}/dist/ble.cjs`))(
    "built CJS entries: no noble/bleno loaded; typed error",
    () => {
      const out = execFileSync(
        process.execPath,
        [
          "-e",
          `require("./dist/index.cjs"); const m = require("./dist/ble.cjs");
         const loaded = Object.keys(require.cache).filter((k) => k.includes("@abandonware"));
         let code; try { m.loadBleModules(); } catch (e) { code = e instanceof m.BluetoothUnavailableError && e.code; }
         console.log(JSON.stringify({ loaded, code }));`,
        ],
        { cwd: root, encoding: "utf8" },
      );
      expect(JSON.parse(out)).toEqual({ loaded: [], code: "ERR_BLUETOOTH_UNAVAILABLE" });
    },
  );
});
