/**
 * Simulator throughput: phone-days per second (app users × days) and peak memory for growing
 * populations at the scenario's density (venue counts scale with the population), with the full radio
 * model and the real tracer, log and matcher on every phone.
 *
 * `npm run bench:sim` runs 1,000 and 10,000 people for one day each; `SIM_BENCH_SIZES=1000,10000,100000`
 * and `SIM_BENCH_DAYS=2` change that, and `SIM_BENCH_WORKERS=1,2,3` runs each size with each number of
 * worker threads (the app users' phones split over them; default 1). `SIM_BENCH_RADIO=scan,packets`
 * (the default) runs each with per-scan and per-packet radio sampling, and reports their speed ratio.
 */
import { availableParallelism } from "node:os";
import type { RadioSampling } from "../sim/radio";
import { runSimulation } from "../sim/run";
import { loadScenario } from "../sim/scenario";
import { type Bench, sig3 } from "./harness";

const sizes = (process.env.SIM_BENCH_SIZES ?? "1000,10000").split(",").map(Number);
const days = Number(process.env.SIM_BENCH_DAYS ?? 1);
const workerCounts = (process.env.SIM_BENCH_WORKERS ?? "1").split(",").map(Number);
const radios = (process.env.SIM_BENCH_RADIO ?? "scan,packets").split(",") as RadioSampling[];

const bench: Bench = {
  name: "sim",
  heavy: true,
  async run() {
    const scenario = loadScenario("hanoi-ward");
    const rows = [];
    for (const people of sizes)
      for (const workers of workerCounts) {
        const speeds: Partial<Record<RadioSampling, number>> = {};
        for (const radio of radios) {
          globalThis.gc?.();
          let peakRss = process.memoryUsage().rss;
          const timer = setInterval(() => {
            peakRss = Math.max(peakRss, process.memoryUsage().rss);
          }, 200);
          const t0 = process.hrtime.bigint();
          const r = await runSimulation({
            scenario,
            phones: people,
            days,
            workers,
            radio,
            counterfactual: false,
          });
          const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
          clearInterval(timer);
          peakRss = Math.max(peakRss, process.memoryUsage().rss);
          const phoneDays = r.summary.appUsers * days;
          speeds[radio] = phoneDays / seconds;
          rows.push({
            people,
            workers,
            radio,
            appUsers: r.summary.appUsers,
            days,
            seconds: sig3(seconds),
            phoneDaysPerSecond: sig3(phoneDays / seconds),
            peopleDaysPerSecond: sig3((people * days) / seconds),
            sightingsPerPhoneDay: sig3(r.summary.sightingsLogged / phoneDays),
            peakRssMB: sig3(peakRss / 2 ** 20),
            rssPerPhoneDayKB: sig3(peakRss / 1024 / phoneDays),
            ...(radio === "scan" && speeds.packets !== undefined
              ? { speedVsPackets: sig3(phoneDays / seconds / speeds.packets) }
              : {}),
          });
        }
        const last = rows[rows.length - 1]!;
        if (speeds.scan !== undefined && speeds.packets !== undefined && !("speedVsPackets" in last))
          Object.assign(
            rows.find((x) => x.people === people && x.workers === workers && x.radio === "scan")!,
            {
              speedVsPackets: sig3(speeds.scan / speeds.packets),
            },
          );
      }
    return {
      scenario: "hanoi-ward",
      target: "≥ 5,000 phone-days/s per core",
      cores: availableParallelism(),
      rows,
    };
  },
};
export default bench;
