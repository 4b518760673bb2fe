/** Locates the shared real-data directory (`../shared/data` from the project root). */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Project root (the directory holding package.json). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Absolute path of a file under `../shared/data`. Throws if the data directory is missing. */
export function sharedData(rel: string): string {
  const p = resolve(ROOT, "../shared/data", rel);
  if (!existsSync(p))
    throw new Error(`shared data file missing: ${p} (expected ../shared/data beside the project)`);
  return p;
}
