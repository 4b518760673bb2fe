/**
 * Every error code the library and the simulator raise is documented in the README's error table
 * (`| \`ERR_…\` | \`Class\` | …`), and the table names no code that is no longer raised.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/data";

/** Every `.ts` file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/**
 * Codes passed to a BluezoneError constructor — `super("ERR_X", …)` inside `class C extends …`, or
 * `new BluezoneError("ERR_X", …)` — mapped to the class that raises them.
 */
function raisedCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  for (const file of [...sources(join(ROOT, "src")), ...sources(join(ROOT, "sim"))]) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(
      /class (\w+) extends \w+ \{(?:(?!\bclass )[\s\S])*?super\(\s*"(ERR_[A-Z0-9_]+)"/g,
    ))
      codes.set(m[2]!, m[1]!);
    for (const m of text.matchAll(/new BluezoneError\(\s*"(ERR_[A-Z0-9_]+)"/g))
      if (!codes.has(m[1]!)) codes.set(m[1]!, "BluezoneError");
  }
  return codes;
}

describe("README error table", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const documented = new Map(
    [...readme.matchAll(/^\| `(ERR_[A-Z0-9_]+)` \| `(\w+)` \|/gm)].map((m) => [m[1]!, m[2]!] as const),
  );

  it("documents every raised code with its class, and only raised codes", () => {
    const raised = raisedCodes();
    expect(raised.size).toBeGreaterThan(20);
    expect([...raised.keys()].filter((c) => !documented.has(c)).sort()).toEqual([]);
    expect([...documented.keys()].filter((c) => !raised.has(c)).sort()).toEqual([]);
    for (const [code, cls] of raised) expect(`${code} ${documented.get(code)}`).toBe(`${code} ${cls}`);
  });
});
