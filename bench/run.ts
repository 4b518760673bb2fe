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

const benches: Bench[] = [];
for (const f of files) benches.push((await import(join(here, f))).default as Bench);
const unknown = wanted.filter((w) => !benches.some((b) => b.name === w));
if (unknown.length > 0) {
  const known = benches.map((b) => b.name + (b.heavy ? " (heavy: only when named)" : "")).join(", ");
  process.stderr.write(
    `bluezone bench: unknown benchmark ${unknown.map((u) => `"${u}"`).join(", ")}; known: ${known}\n`,
  );
  process.exit(2);
}

const results: Record<string, unknown> = {};
for (const bench of benches) {
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
