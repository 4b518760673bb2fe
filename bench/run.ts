/**
 * `npm run bench [-- name …]`: runs the benchmark modules (all by default), prints one JSON document on
 * stdout and writes it to `bench/results/<timestamp>.json`.
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Bench } from "./harness";

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .sort();

const results: Record<string, unknown> = {};
for (const f of files) {
  const bench = (await import(join(here, f))).default as Bench;
  if (wanted.length > 0 ? !wanted.includes(bench.name) : bench.heavy) continue;
  process.stderr.write(`bench ${bench.name}…\n`);
  results[bench.name] = await bench.run();
}
const doc = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  results,
};
const json = JSON.stringify(doc, null, 2);
process.stdout.write(`${json}\n`);
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(join(here, "results", `${doc.date.replace(/[:.]/g, "-")}.json`), `${json}\n`);
