/**
 * The layers the README describes, checked on the import graph as TypeScript resolves it (static
 * imports, re-exports, `import type`, and dynamic `import()` of a string literal):
 * - the library (`src/` without `src/cli/`) imports neither the simulator (`sim/`) nor the CLI;
 * - the simulator uses the library only through its public entry points (`src/index.ts`, `src/ble.ts`,
 *   `src/testing.ts`), never a module behind them, and never the CLI;
 * - the CLI (`src/cli/`) is the layer on top of both and may import either;
 * - inside the simulator, imports flow one way through its folders: the scenario and the random
 *   generator (`sim/scenario.ts`, `sim/validate.ts`, `sim/random.ts`, and the epidemic's parameter
 *   table, which the scenario's defaults read) → `world/` → `radio/` → `epidemic/` → `app/` →
 *   `evaluation/` → `sim/run.ts` → `report/` → `sweep/` → `sim/index.ts`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const entryPoints = new Set(["src/index.ts", "src/ble.ts", "src/testing.ts"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => /\.(ts|mts|mjs)$/.test(f) && !f.endsWith(".d.ts"))
    .map((f) => `${dir}/${f.split(sep).join("/")}`);
}

const config = ts.getParsedCommandLineOfConfigFile(
  join(root, "tsconfig.json"),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  },
);
if (!config) throw new Error("tsconfig.json did not parse");

/** Repo-relative paths of the repo's own modules that `file` imports (packages left out). */
function importsOf(file: string): string[] {
  return importsOfText(file, readFileSync(join(root, file), "utf8"));
}

function importsOfText(file: string, text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  const out: string[] = [];
  for (const ref of info.importedFiles) {
    if (!ref.fileName.startsWith(".")) continue;
    const resolved = ts.resolveModuleName(
      ref.fileName,
      join(root, file),
      config!.options,
      ts.sys,
    ).resolvedModule;
    // A relative import TypeScript cannot resolve (a .mjs worker script, a JSON file) is kept as written.
    const target = resolved?.resolvedFileName ?? join(root, file, "..", ref.fileName);
    out.push(relative(root, target).split(sep).join("/"));
  }
  return out;
}

function violations(files: string[], allowed: (target: string) => boolean): string[] {
  return files.flatMap((file) =>
    importsOf(file)
      .filter((target) => !allowed(target))
      .map((target) => `${file} → ${target}`),
  );
}

/** What the library may import: anything but the simulator and the CLI. */
const libraryAllows = (t: string) => !t.startsWith("sim/") && !t.startsWith("src/cli/");
/** What the simulator may import: itself, and the library only through an entry point. */
const simulatorAllows = (t: string) =>
  !t.startsWith("src/cli/") && (!t.startsWith("src/") || entryPoints.has(t));

/** The simulator's layers, lowest first (see the header). */
const SIM_LAYERS: readonly ((f: string) => boolean)[] = [
  (f) =>
    ["sim/scenario.ts", "sim/validate.ts", "sim/random.ts", "sim/epidemic/epidemic-params.ts"].includes(f),
  (f) => f.startsWith("sim/world/"),
  (f) => f.startsWith("sim/radio/"),
  (f) => f.startsWith("sim/epidemic/"),
  (f) => f.startsWith("sim/app/"),
  (f) => f.startsWith("sim/evaluation/"),
  (f) => f === "sim/run.ts",
  (f) => f.startsWith("sim/report/"),
  (f) => f.startsWith("sim/sweep/"),
  (f) => f === "sim/index.ts",
];
/** The layer of a simulator module (−1 for a file outside every layer, e.g. the scenarios' JSON). */
const simLayer = (f: string) => SIM_LAYERS.findIndex((inLayer) => inLayer(f));
/** Whether a simulator module may import `target`: the same layer or one below (or a data file). */
const simLayerAllows = (file: string) => (target: string) =>
  !target.startsWith("sim/") || target.endsWith(".json") || simLayer(target) <= simLayer(file);

const library = sourceFiles("src").filter((f) => !f.startsWith("src/cli/"));
const simulator = sourceFiles("sim");

describe("layering", () => {
  it("finds the modules it checks, and their imports", () => {
    expect(library.length).toBeGreaterThan(50);
    expect(simulator.length).toBeGreaterThan(20);
    expect(importsOf("sim/run.ts")).toContain("src/index.ts");
    expect(importsOf("src/cli/commands/sim.ts").some((t) => t.startsWith("sim/"))).toBe(true);
  });

  it("the library imports neither the simulator nor the CLI", () => {
    expect(violations(library, libraryAllows)).toEqual([]);
  });

  it("the simulator uses the library only through its entry points", () => {
    expect(violations(simulator, simulatorAllows)).toEqual([]);
  });

  it("every simulator module is in one of its layers", () => {
    expect(simulator.filter((f) => simLayer(f) < 0)).toEqual([]);
  });

  it("inside the simulator, imports flow one way: world → radio → epidemic → app → evaluation → run → report → sweep", () => {
    expect(simulator.flatMap((f) => violations([f], simLayerAllows(f)))).toEqual([]);
  });

  it("the rules reject what they are meant to reject", () => {
    expect(simLayerAllows("sim/world/mobility.ts")("sim/app/fleet.ts")).toBe(false);
    expect(simLayerAllows("sim/report/report.ts")("sim/run.ts")).toBe(true);
    expect(simLayerAllows("sim/epidemic/epidemic.ts")("sim/run.ts")).toBe(false);
    // A deep import, resolved as the checker resolves one, is refused to the simulator.
    const deep = importsOfText("sim/x.ts", 'import type { ContactLog } from "../src/log/types";');
    expect(deep).toEqual(["src/log/types.ts"]);
    expect(deep.filter((t) => !simulatorAllows(t))).toEqual(["src/log/types.ts"]);
    expect(simulatorAllows("src/index.ts")).toBe(true);
    expect(simulatorAllows("src/cli/run.ts")).toBe(false);
    expect(libraryAllows("sim/run.ts")).toBe(false);
    expect(libraryAllows("src/cli/run.ts")).toBe(false);
    expect(libraryAllows("src/log/types.ts")).toBe(true);
  });
});
