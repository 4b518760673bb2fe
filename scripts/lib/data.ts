/**
 * Where the scripts find the repository's real data (`data/`, see data/README.md). A missing file ends
 * the script with `bluezone: <script>: missing data file …` and exit code 2, never a stack trace.
 */
import { existsSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The project root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Absolute path of `data/<rel>`; exits 2 with a one-line reason when it does not exist. */
export function dataPath(rel: string): string {
  const p = resolve(ROOT, "data", rel);
  if (!existsSync(p)) {
    const script = basename(process.argv[1] ?? "script");
    process.stderr.write(
      `bluezone: ${script}: missing data file ${p} (it ships in the repository's data/ folder; see data/README.md)\n`,
    );
    process.exit(2);
  }
  return p;
}
