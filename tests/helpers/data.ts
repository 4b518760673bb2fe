/** Locates the repository's real-data directory (`data/`, see data/README.md for sources and licences). */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Project root (the directory holding package.json). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Absolute path of a file under the repository's `data/`. Throws, naming the file, if it is missing. */
export function repoData(rel: string): string {
  const p = resolve(ROOT, "data", rel);
  if (!existsSync(p)) throw new Error(`data file missing: ${p} (it ships in the repository's data/ folder)`);
  return p;
}
