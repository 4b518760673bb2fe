/**
 * Simulator throughput (#16): app-phone-days per second and per CPU-second, whole process (world,
 * epidemic, mobility, every phone's tracer core and log, the radio, matching, the detection measure
 * and the evaluation), and peak memory.
 *
 * Rows (each a separate `runSimulation` in this process, hanoi-ward, `adoption 1`, `workers 1`,
 * per-scan radio unless named):
 * - `engines`: 1,000 people × 1 day with the batched engine and with the previous engine (the device
 *   tracer on timers; `--engine device`), and their speed ratio — the baseline measured in the same run;
 * - `target`: 10,000 people × 3 days, batched — the issue's target of ≥ 5,000 app-phone-days/s per core;
 * - `scaling` (only when `SIM_BENCH_SCALE=1`): 100,000 people × 1 day against 10,000 × 1 day, the
 *   per-phone-day time ratio (target ≤ 1.3), at adoption `SIM_BENCH_SCALE_ADOPTION` (default 1; 0.25
 *   makes the 100,000-people row a quarter as long).
 * - `floor`: CPU-nanoseconds per sighting of the least work a sighting needs in JavaScript (`sim-floor.ts`),
 *   against the target row's CPU-nanoseconds per sighting all in (`cpuNsPerSighting`); the target of
 *   5,000 app-phone-days per CPU-second at ≈ 1,000 sightings per phone-day is ≈ 200 ns all in.
 * Every row gives `logKBPerPhoneDay`: the phones' contact logs (the summary's `logBytes`, allocated
 * capacity included) per app-phone-day, in kB (target ≤ 20).
 * It runs the built package (`dist/`, built by `npm run bench:sim`), not the sources.
 * `SIM_BENCH_TARGET=people,days` changes the target row's size (e.g. `2000,1` for a quick look);
 * `SIM_BENCH_WORKERS=2` runs the target row with that many worker threads too.
 */
import { availableParallelism } from "node:os";
// The built package, as `bluezone sim` and `import "bluezone/sim"` run it (`npm run bench:sim` builds
// first). Not the sources through tsx: tsx compiles with esbuild's keepNames, which gives every
// closure made at run time a `name` property through a helper call, 256 bytes of heap and a slow path
// each — a third more CPU time and several KB of heap per phone in this benchmark.
import { loadScenario, type RadioSampling, runSimulation, type SimEngine } from "../dist/sim.js";
import { type Bench, sig3 } from "./harness";
import { measureSightingFloor } from "./sim-floor";

interface Row {
  label: string;
  people: number;
  days: number;
  workers: number;
  engine: SimEngine;
  radio: RadioSampling;
  appUsers: number;
  seconds: number;
  cpuSeconds: number;
  phoneDaysPerSecond: number;
  phoneDaysPerCpuSecond: number;
  sightingsPerPhoneDay: number;
  peakRssMB: number;
  rssPerPhoneDayKB: number;
  adoption: number;
  logKBPerPhoneDay: number;
  /** CPU time per sighting logged, all work of the run included, in ns. */
  cpuNsPerSighting: number;
}

async function measureRun(
  label: string,
  people: number,
  days: number,
  engine: SimEngine,
  workers = 1,
  radio: RadioSampling = "scan",
  adoption = 1,
): Promise<Row> {
  const scenario = loadScenario("hanoi-ward");
  globalThis.gc?.();
  const rss0 = process.memoryUsage().rss;
  let peakRss = rss0;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 200);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const r = await runSimulation({
    scenario,
    phones: people,
    days,
    adoption,
    workers,
    radio,
    engine,
    counterfactual: false,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(timer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  // CPU of this process's threads (workers included); with 1 worker ≈ one core plus the GC's helpers.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const phoneDays = r.summary.appUsers * days;
  return {
    label,
    people,
    days,
    workers,
    engine,
    radio,
    appUsers: r.summary.appUsers,
    seconds: sig3(seconds),
    cpuSeconds: sig3(cpuSeconds),
    phoneDaysPerSecond: sig3(phoneDays / seconds),
    phoneDaysPerCpuSecond: sig3(phoneDays / cpuSeconds),
    sightingsPerPhoneDay: sig3(r.summary.sightingsLogged / phoneDays),
    peakRssMB: sig3(peakRss / 2 ** 20),
    rssPerPhoneDayKB: sig3((peakRss - rss0) / 1024 / phoneDays),
    adoption,
    logKBPerPhoneDay: sig3(r.summary.logBytes / phoneDays / 1000),
    cpuNsPerSighting: sig3((cpuSeconds * 1e9) / r.summary.sightingsLogged),
  };
}

const bench: Bench = {
  name: "sim",
  heavy: true,
  async run() {
    const rows: Row[] = [];
    // The previous engine as the baseline, measured in this run on the same small city.
    const batched = await measureRun("engines", 1000, 1, "batched");
    const device = await measureRun("engines", 1000, 1, "device");
    rows.push(batched, device);
    const [people, days] = (process.env.SIM_BENCH_TARGET ?? "10000,3").split(",").map(Number) as [
      number,
      number,
    ];
    rows.push(await measureRun("target", people, days, "batched"));
    for (const w of (process.env.SIM_BENCH_WORKERS ?? "").split(",").filter(Boolean).map(Number))
      rows.push(await measureRun("target", people, days, "batched", w));
    let scaling: Record<string, number> | undefined;
    if (process.env.SIM_BENCH_SCALE === "1") {
      const adoption = Number(process.env.SIM_BENCH_SCALE_ADOPTION ?? 1);
      const small = await measureRun("scaling", 10_000, 1, "batched", 1, "scan", adoption);
      const large = await measureRun("scaling", 100_000, 1, "batched", 1, "scan", adoption);
      rows.push(small, large);
      scaling = {
        perPhoneDayTimeRatio100kTo10k: sig3(small.phoneDaysPerCpuSecond / large.phoneDaysPerCpuSecond),
      };
    }
    const target = rows.find((r) => r.label === "target" && r.workers === 1)!;
    const floor = measureSightingFloor();
    return {
      scenario: "hanoi-ward, adoption 1, per-scan radio",
      target: "≥ 5,000 app-phone-days/s per core (10,000 people × 3 days, 1 worker)",
      cores: availableParallelism(),
      batchedVsDevice: sig3(batched.phoneDaysPerCpuSecond / device.phoneDaysPerCpuSecond),
      targetPhoneDaysPerCpuSecond: target.phoneDaysPerCpuSecond,
      targetReached: target.phoneDaysPerCpuSecond >= 5000,
      floor: {
        nsPerSighting: sig3(floor.nsPerSighting),
        targetNsPerSighting: target.cpuNsPerSighting,
        targetToFloor: sig3(target.cpuNsPerSighting / floor.nsPerSighting),
      },
      ...(scaling ? { scaling } : {}),
      rows,
    };
  },
};
export default bench;
