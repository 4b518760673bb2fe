/**
 * The layers the README describes, checked on the import graph as TypeScript resolves it (static
 * imports, re-exports, `import type`, and dynamic `import()` of a string literal):
 * - the library (`src/` without `src/cli/`) imports neither the simulator (`sim/`) nor the CLI;
 * - the simulator uses the library only through its public entry points (`src/index.ts`, `src/ble.ts`,
 *   `src/testing.ts`), never a module behind them, and never the CLI;
 * - the CLI (`src/cli/`) is the layer on top of both and may import either.
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

  it("the rules reject what they are meant to reject", () => {
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
