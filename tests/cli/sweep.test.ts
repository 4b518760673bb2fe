/**
 * `bluezone sweep` on this machine: the tables, the manifest, the report, resuming, and a typo in a grid
 * path; then the same sweep over Redis + BullMQ with two `bluezone worker`s, one SIGKILLed mid-run,
 * giving the same rows.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HEADLINE_FIGURES } from "../../sim/report/figures";
import { checkQueue, type QueueWorker, startQueueWorker } from "../../sim/sweep/sweep-queue";
import { ROOT } from "../helpers/data";
import { runCli } from "../helpers/cli";

const dir = mkdtempSync(join(tmpdir(), "bluezone-sweep-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** Small runs, so the tests stay fast on a loaded two-core machine. */
const SWEEP = [
  "sweep",
  "--phones",
  "150",
  "--days",
  "3",
  "--grid",
  "adoption=0.2,0.6",
  "--grid",
  "app.response.quarantineDays=7,14",
  "--seeds",
  "2",
];
const cli = (args: string[]) => runCli(args, undefined, 300_000);
const local = join(dir, "local");
const rows = (file: string) =>
  parse(readFileSync(file, "utf8"), { columns: true }) as Record<string, string>[];

// The local sweep every test of this file reads (the tables, resuming, the queue's rows compared), made
// once before any of them, so no test depends on another having run first.
let localSweep: ReturnType<typeof cli>;
beforeAll(() => {
  localSweep = cli([...SWEEP, "--workers", "2", "--json", "--out", local]);
}, 600_000);

describe("bluezone sweep (local)", () => {
  it("writes runs.csv, runs.parquet, daily.parquet, sweep.json and report.html", async () => {
    const r = localSweep;
    expect(r.stderr).not.toMatch(/bluezone:/);
    expect(r.status).toBe(0);
    const outcome = JSON.parse(r.stdout);
    expect(outcome).toMatchObject({ runs: 8, ran: 8, skipped: 0 });
    // One row per run: 2 adoption levels × 2 quarantine lengths × 2 seeds, grid values and seed as columns.
    const csv = rows(join(local, "runs.csv"));
    expect(csv).toHaveLength(8);
    expect(csv.map((x) => [x.adoption, x["app.response.quarantineDays"], x.seed])).toEqual([
      ["0.2", "7", "2021"],
      ["0.2", "7", "2022"],
      ["0.2", "14", "2021"],
      ["0.2", "14", "2022"],
      ["0.6", "7", "2021"],
      ["0.6", "7", "2022"],
      ["0.6", "14", "2021"],
      ["0.6", "14", "2022"],
    ]);
    // Every row is the summary stored for its run; the share of app users follows the adoption level.
    for (const row of csv) {
      const stored = JSON.parse(readFileSync(join(local, "runs", `${row.run}.json`), "utf8"));
      expect(Number(row.infections)).toBe(stored.summary.infections);
      expect(Number(row["detection.trueCloseContacts"])).toBe(stored.summary.detection.trueCloseContacts);
      expect(Math.abs(Number(row.appUsers) / 150 - Number(row.adoption))).toBeLessThan(0.15);
    }
    // runs.parquet holds the same rows; daily.parquet one row per run and day.
    const parquet = await parquetReadObjects({
      file: await asyncBufferFromFile(join(local, "runs.parquet")),
    });
    expect(parquet).toHaveLength(8);
    parquet.forEach((p, i) => {
      expect(p.run).toBe(csv[i]!.run);
      expect(p.adoption).toBe(Number(csv[i]!.adoption));
      expect(p.infections).toBe(Number(csv[i]!.infections));
      expect(p.f1Precision ?? "").toBe(csv[i]!.f1Precision === "" ? "" : Number(csv[i]!.f1Precision));
    });
    const daily = await parquetReadObjects({ file: await asyncBufferFromFile(join(local, "daily.parquet")) });
    expect(daily).toHaveLength(8 * 3);
    expect(daily.slice(0, 3).map((d) => [d.run, d.day, d.date])).toEqual([
      [csv[0]!.run, 0, "2021-07-12"],
      [csv[0]!.run, 1, "2021-07-13"],
      [csv[0]!.run, 2, "2021-07-14"],
    ]);
    // Daily new infections add up to the run's total.
    const first = daily
      .filter((d) => d.run === csv[0]!.run)
      .reduce((s, d) => s + (d.infections as number), 0);
    expect(first).toBe(Number(csv[0]!.infections));
    // The manifest: grid, seeds, the package's version and the scenario's hash.
    const manifest = JSON.parse(readFileSync(join(local, "sweep.json"), "utf8"));
    // Grid values typed as the runs used them (read as JSON): numbers, not their text.
    expect(manifest.grid).toEqual([
      { path: "adoption", values: [0.2, 0.6] },
      { path: "app.response.quarantineDays", values: [7, 14] },
    ]);
    expect(manifest.runs[0].grid).toEqual({ adoption: 0.2, "app.response.quarantineDays": 7 });
    expect(manifest.seeds).toEqual([2021, 2022]);
    expect(manifest.version).toBe(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
    expect(manifest.scenarioHash).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.runs.map((x: { key: string }) => x.key)).toEqual(csv.map((x) => x.run));
    // The report: each headline figure against each of the two axes.
    const html = readFileSync(join(local, "report.html"), "utf8");
    expect(html.match(/data-chart="/g)).toHaveLength(HEADLINE_FIGURES.length * 2);
    expect(html).toContain("Infections averted against adoption");
    expect(html).toContain("Infections averted against app.response.quarantineDays");
    expect(html).not.toMatch(/NaN|undefined|<script/);
  }, 600_000);

  it("skips finished runs on a rerun and redoes a missing one, with the same rows", () => {
    const before = readFileSync(join(local, "runs.csv"), "utf8");
    const again = cli([...SWEEP, "--json", "--out", local]);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ ran: 0, skipped: 8 });
    const files = readdirSync(join(local, "runs"));
    unlinkSync(join(local, "runs", files[3]!));
    const redo = cli([...SWEEP, "--json", "--out", local]);
    expect(redo.status).toBe(0);
    expect(JSON.parse(redo.stdout)).toMatchObject({ ran: 1, skipped: 7 });
    expect(readFileSync(join(local, "runs.csv"), "utf8")).toBe(before);
    // A damaged record (emptied, cut short) is moved aside and its run goes again: same rows.
    const damaged = join(local, "runs", files[5]!);
    writeFileSync(damaged, '{"key":');
    const repaired = cli([...SWEEP, "--json", "--out", local]);
    expect(repaired.status).toBe(0);
    expect(JSON.parse(repaired.stdout)).toMatchObject({ ran: 1, skipped: 7 });
    expect(repaired.stderr).toContain(`${damaged} is not JSON`);
    expect(existsSync(`${damaged}.damaged`)).toBe(true);
    expect(readFileSync(join(local, "runs.csv"), "utf8")).toBe(before);
    // An edited record (a figure changed, still valid JSON with its key) is caught by its digest.
    const edited = join(local, "runs", files[6]!);
    const record = JSON.parse(readFileSync(edited, "utf8"));
    record.summary.infections += 1;
    writeFileSync(edited, JSON.stringify(record));
    const checked = cli([...SWEEP, "--json", "--out", local]);
    expect(checked.status).toBe(0);
    expect(JSON.parse(checked.stdout)).toMatchObject({ ran: 1, skipped: 7 });
    expect(checked.stderr).toContain(`${edited} is changed since it was stored`);
    expect(readFileSync(join(local, "runs.csv"), "utf8")).toBe(before);
  }, 600_000);

  it("draws a progress bar with an ETA on a terminal, none with --json", async () => {
    // util-linux `script` gives the CLI a pseudo-terminal.
    const onTty = async (extra: string) => {
      const cmd = `'${process.execPath}' --import tsx src/cli/main.ts sweep --phones 120 --days 2 --seeds 2 --workers 2 ${extra}`;
      const child = spawn("script", ["-qfec", cmd, "/dev/null"], { cwd: ROOT });
      children.push(child);
      let tty = "";
      child.stdout.on("data", (d) => {
        tty += d;
      });
      const code = await new Promise<number | null>((done) => child.on("close", (c) => done(c)));
      return { code, tty };
    };
    const bar = await onTty(`--out '${join(dir, "tty")}'`);
    expect(bar.code).toBe(0);
    expect(bar.tty).toMatch(/sweep \|[█░]+\| \d\/2 runs \| .* elapsed, ETA /);
    expect(bar.tty.indexOf("\x1b[?25h", bar.tty.lastIndexOf("\x1b[?25l"))).toBeGreaterThan(0);
    const quiet = await onTty(`--json --out '${join(dir, "tty-json")}'`);
    expect(quiet.code).toBe(0);
    expect(quiet.tty).not.toMatch(/sweep \||ETA/);
    expect(quiet.tty).not.toContain("\x1b[?25l"); // the bar hides the cursor
    expect(JSON.parse(quiet.tty.slice(quiet.tty.indexOf("{")))).toMatchObject({ runs: 2, ran: 2 });
  }, 600_000);

  it("refuses a typo in a grid path, naming the field (exit 2)", () => {
    const r = runCli(["sweep", "--grid", "app.response.quarantineDay=7,14", "--out", join(dir, "typo")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'bluezone: app.response.quarantineDay: unknown field (did you mean "quarantineDays"?) (grid point app.response.quarantineDay=7)\n',
    );
    const bad = runCli(["sweep", "--grid", "adoption"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^bluezone: --grid "adoption" must have the form path=value1,value2,…/);
    // A value repeated as a value (7 and 7.0 are one run twice), an axis the sweep sets itself (the runs
    // would be labelled with values never used), a report name taken by a directory: exit 2 before any run.
    const twice = runCli([
      "sweep",
      "--grid",
      "app.response.quarantineDays=7,7.0",
      "--out",
      join(dir, "twice"),
    ]);
    expect(twice.status).toBe(2);
    expect(twice.stderr).toMatch(/^bluezone: --grid app\.response\.quarantineDays: a value is repeated/);
    for (const [axis, option] of [
      ["seed=1,2", "--seed and --seeds"],
      ["days=1,2", "--days"],
      ["population=40,60", "--phones"],
    ])
      expect(runCli(["sweep", "--grid", axis!, "--out", join(dir, "own")]).stderr).toContain(
        `the sweep sets ${axis!.split("=")[0]} itself (${option}); it cannot be a grid axis`,
      );
    const taken = join(dir, "taken");
    mkdirSync(join(taken, "report.html"), { recursive: true });
    const t = runCli(["sweep", "--phones", "50", "--days", "1", "--grid", "adoption=0,1", "--out", taken]);
    expect(t.status).toBe(2);
    expect(t.stderr).toMatch(/^bluezone: --out .*taken: .*report\.html exists and is not a file$/m);
    expect(existsSync(join(taken, "runs"))).toBe(false);
  }, 120_000);
});

/** A free TCP port on the loopback interface. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Starts `bluezone …` from source; its stderr is collected in `log`. */
function start(args: string[]): { child: ChildProcess; log: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/main.ts"), ...args], {
    cwd: ROOT,
  });
  children.push(child);
  let log = "";
  child.stderr!.on("data", (d) => {
    log += d;
  });
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, log: () => log, exited };
}

async function until(what: string, test: () => boolean, ms = 240_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A Redis server of its own on a free loopback port, without persistence. */
async function startRedis(): Promise<{ redis: ChildProcess; url: string }> {
  const which = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  expect(which.error, "redis-server is needed (Debian: apt-get install -y redis-server)").toBeUndefined();
  const port = await freePort();
  const redis = spawn("redis-server", [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
  ]);
  children.push(redis);
  await until(
    "redis",
    () =>
      spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" }).stdout?.trim() === "PONG",
    20_000,
  );
  return { redis, url: `redis://127.0.0.1:${port}` };
}

describe("bluezone sweep --queue with bluezone worker (Redis + BullMQ)", () => {
  it("loses nothing when a worker is SIGKILLed mid-run: the rows equal the local sweep's", async () => {
    const { redis, url } = await startRedis();
    try {
      // Short locks, so the killed worker's run is retried within seconds.
      const a = start(["worker", "--queue", url, "--lock-ms", "1500"]);
      const b = start(["worker", "--queue", url, "--lock-ms", "1500"]);
      const out = join(dir, "queue");
      const coordinator = start([...SWEEP, "--queue", url, "--out", out]);
      // Kill worker a as soon as it has taken a run.
      await until("worker a to take a run", () => /start run ([0-9a-f]+)/.test(a.log()));
      const killed = a.log().match(/start run ([0-9a-f]+)/)![1]!;
      a.child.kill("SIGKILL");
      expect(await a.exited).toBeNull();
      expect(await coordinator.exited).toBe(0);
      // The killed worker's run was finished by the other worker, and every row equals the local sweep's.
      expect(b.log()).toContain(`done run ${killed}`);
      expect(readFileSync(join(out, "runs.csv"), "utf8")).toBe(readFileSync(join(local, "runs.csv"), "utf8"));
      const hash = (f: string) => createHash("sha256").update(readFileSync(f)).digest("hex");
      expect(hash(join(out, "daily.parquet"))).toBe(hash(join(local, "daily.parquet")));
      b.child.kill("SIGTERM");
      expect(await b.exited).toBe(0);
    } finally {
      redis.kill("SIGTERM");
    }
  }, 600_000);

  it("a worker of another version refuses the runs (exit 3, naming both); the rerun with the right worker completes", async () => {
    const { redis, url } = await startRedis();
    // A worker of another version, as a machine not yet upgraded would run it (the same code, told it is
    // another version: the check compares the versions only).
    let stale: QueueWorker | undefined = await startQueueWorker(url, {
      version: "0.0.1-stale",
      concurrency: 1,
    });
    const out = join(dir, "versions");
    const one = ["sweep", "--phones", "100", "--days", "2", "--queue", url, "--out", out];
    try {
      // Spawned, not run synchronously: the stale worker lives in this process's event loop.
      const refused = start(one);
      expect(await refused.exited).toBe(3);
      expect(refused.log()).toMatch(
        /^bluezone: sweep: worker .+ runs bluezone 0\.0\.1-stale, but run [0-9a-f]{20} was planned by bluezone \d+\.\d+\.\d+.*: run the same version on every machine \(EVERSION\)$/m,
      );
      expect(existsSync(join(out, "runs")) ? readdirSync(join(out, "runs")) : []).toEqual([]);
      await stale.close();
      stale = undefined;
      // The same command with a worker of this version: the refused run is asked for again and done.
      const current = start(["worker", "--queue", url]);
      const rerun = runCli([...one, "--json"], undefined, 240_000);
      expect(rerun.stderr).not.toMatch(/bluezone:/);
      expect(rerun.status).toBe(0);
      expect(JSON.parse(rerun.stdout)).toMatchObject({ runs: 1, ran: 1 });
      // (Its stderr reaches this process once the synchronous run above has returned.)
      await until("the worker's log of the run", () => /done run [0-9a-f]{20}/.test(current.log()), 20_000);
      current.child.kill("SIGTERM");
      expect(await current.exited).toBe(0);
    } finally {
      await stale?.close();
      redis.kill("SIGTERM");
    }
  }, 600_000);

  it("refuses, as bad input, wrong credentials, a server that is not Redis, and an eviction policy", async () => {
    const { redis, url } = await startRedis();
    const port = new URL(url).port;
    const cli = (...args: string[]) => spawnSync("redis-cli", ["-p", port, ...args], { encoding: "utf8" });
    try {
      cli("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
      await expect(checkQueue(url)).rejects.toThrow(
        `--queue ${url}: Redis's maxmemory-policy is allkeys-lru; a sweep queue needs noeviction`,
      );
      cli("CONFIG", "SET", "maxmemory-policy", "noeviction");
      await expect(checkQueue(url)).resolves.toBeUndefined();
      cli("CONFIG", "SET", "requirepass", "secret");
      const wrong = `redis://:wrong@127.0.0.1:${port}`;
      await expect(checkQueue(wrong)).rejects.toMatchObject({
        code: "ERR_INVALID_ARGUMENT",
        message: expect.stringContaining(
          `--queue redis://:***@127.0.0.1:${port}: Redis refused the credentials`,
        ),
      });
      await expect(checkQueue(`redis://:secret@127.0.0.1:${port}`)).resolves.toBeUndefined();
    } finally {
      redis.kill();
    }
    // An HTTP server where Redis was expected.
    const http = createServer((socket) => socket.end("HTTP/1.1 400 Bad Request\r\n\r\n"));
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    try {
      const at = `redis://127.0.0.1:${(http.address() as { port: number }).port}`;
      await expect(checkQueue(at)).rejects.toMatchObject({
        code: "ERR_INVALID_ARGUMENT",
        message: expect.stringContaining("does not speak Redis's protocol"),
      });
    } finally {
      http.close();
    }
  });

  it("says so when Redis cannot be reached (exit 3)", async () => {
    const port = await freePort();
    const r = runCli(["sweep", "--queue", `redis://127.0.0.1:${port}`, "--out", join(dir, "unreachable")]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(
      new RegExp(
        `^bluezone: connect: cannot reach the queue at redis://127.0.0.1:${port}: .*\\(ECONNREFUSED\\)$`,
        "m",
      ),
    );
    expect(runCli(["worker", "--queue", "http://x"]).stderr).toMatch(
      /^bluezone: --queue must be a redis:\/\/HOST:PORT URL/,
    );
    // A server that accepts the connection and never answers (this process's event loop is blocked by
    // the synchronous spawn, so the kernel accepts and nobody reads): exit 3 after the 5-s deadline,
    // not a hang; the URL's password is not printed.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const address = silent.address() as { port: number };
      for (const args of [["sweep", "--out", join(dir, "silent")], ["worker"]]) {
        const command = args[0]!;
        const hung = runCli([...args, "--queue", `redis://:secret@127.0.0.1:${address.port}`]);
        expect(hung.status, command).toBe(3);
        expect(hung.stderr).toMatch(
          /^bluezone: connect: cannot reach the queue at redis:\/\/:\*\*\*@127\.0\.0\.1:/,
        );
        expect(hung.stderr).not.toContain("secret");
      }
    } finally {
      silent.close();
    }
  }, 120_000);
});
