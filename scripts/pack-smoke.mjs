/**
 * `npm run check:pack`: packs the package as npm would publish it, installs the tarball in a scratch
 * project in a temporary folder, and imports every public subpath with ESM (`import`) and CommonJS
 * (`require`), checking each exposes the names a user starts from; runs the exported contact-log
 * conformance suite on the memory log under `node:test` with both (one copy of each error class across
 * subpaths); then runs the installed `bluezone` binary. Exits 1 with `check:pack: <reason>` on the first failure.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "../..");
/** Names each subpath must export (a sample a user starts from, not the whole API). */
const SUBPATHS = {
  bluezone: ["createTracer", "openLevelLog", "createMemoryLog", "readKeyFile", "checkExposure", "deriveRpi"],
  "bluezone/ble": ["createBleTransport"],
  "bluezone/sim": ["runSimulation", "loadScenario"],
  "bluezone/testing": ["keySighting", "matchScenario", "contactLogConformance", "transportConformance"],
};

const work = mkdtempSync(join(tmpdir(), "bluezone-pack-"));
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
try {
  run("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", work], root); // dist/ is built by `npm ci` (prepare)
  const tgz = readdirSync(work).find((f) => f.endsWith(".tgz"));
  if (!tgz) throw new Error("npm pack wrote no tarball");
  const listing = run("tar", ["-tzf", join(work, tgz)], work).split("\n");
  for (const must of [
    "package/LICENSE",
    "package/NOTICE",
    "package/dist/index.js",
    "package/dist/cli/main.js",
  ])
    if (!listing.includes(must)) throw new Error(`the tarball lacks ${must}`);
  const app = join(work, "app");
  execFileSync("mkdir", ["-p", app]);
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "scratch", private: true, version: "0.0.0" }),
  );
  // Without the optional BLE modules: every subpath must import without them (they load lazily).
  run(
    "npm",
    ["install", "--no-audit", "--no-fund", "--omit=optional", "--loglevel=error", join(work, tgz)],
    app,
  );
  for (const [spec, names] of Object.entries(SUBPATHS)) {
    const check = `if (!m || ${JSON.stringify(names)}.some((n) => typeof m[n] !== "function")) { console.error("missing export in ${spec}"); process.exit(1); }`;
    run(
      "node",
      ["--input-type=module", "-e", `const m = await import(${JSON.stringify(spec)}); ${check}`],
      app,
    );
    run("node", ["--input-type=commonjs", "-e", `const m = require(${JSON.stringify(spec)}); ${check}`], app);
    process.stdout.write(`check:pack: ${spec} imports with ESM and CommonJS\n`);
  }
  // A third party's use of the exported conformance suite, under require() and import: the store's
  // error classes (from "bluezone") must be the ones the suite (from "bluezone/testing") checks.
  const suite = (load) => `${load}
contactLogConformance({ describe, it, name: "memory", numRuns: 5,
  factory: async () => ({ open: async () => createMemoryLog(), dispose: async () => undefined }) });`;
  writeFileSync(
    join(app, "conformance.test.cjs"),
    suite(`const { describe, it } = require("node:test");
const { createMemoryLog } = require("bluezone");
const { contactLogConformance } = require("bluezone/testing");`),
  );
  writeFileSync(
    join(app, "conformance.test.mjs"),
    suite(`import { describe, it } from "node:test";
import { createMemoryLog } from "bluezone";
import { contactLogConformance } from "bluezone/testing";`),
  );
  for (const file of ["conformance.test.cjs", "conformance.test.mjs"]) {
    try {
      execFileSync("node", ["--test", "--test-reporter=dot", file], {
        cwd: app,
        stdio: ["ignore", "inherit", "inherit"],
      });
    } catch {
      throw new Error(`the contact-log conformance suite fails on the memory log in ${file}`);
    }
  }
  process.stdout.write("check:pack: contactLogConformance passes on the memory log with CommonJS and ESM\n");
  const help = run(join(app, "node_modules/.bin/bluezone"), ["--help"], app);
  if (!help.includes("Usage: bluezone")) throw new Error("the installed bluezone binary printed no usage");
  process.stdout.write(`check:pack: ${tgz} (${listing.filter(Boolean).length} entries) installs and runs\n`);
} catch (err) {
  process.stderr.write(`check:pack: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
