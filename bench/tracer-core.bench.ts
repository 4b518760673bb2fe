/**
 * What a phone costs per simulated day, the device tracer against the tracer core stepped in a batch:
 * phones in groups of 5 (each hears the other 4 at 1–4 m, ≈ 1,100 sightings per phone-day, the
 * simulator's order of magnitude), one day.
 *
 * - `device`: the previous engine — `createTracer` on a virtual clock and the simulated medium, radio
 *   drawn per packet, asynchronous work settled every simulated minute.
 * - `core`: the same phones as {@link createTracerCore}s stepped in time order without timers or
 *   promises, one per-scan radio draw per (scanner, advertiser, scan) handed to the core, log writes
 *   applied to the memory log synchronously.
 *
 * The ratio of the two, measured in the same run, is the speed-up available to a batched fleet (item 2
 * of issue #16) before any world, mobility or epidemic cost.
 */
import {
  createMemoryLog,
  createSimulatedMedium,
  createTracer,
  createTracerCore,
  type LogWrite,
  type MemoryContactLog,
  settle,
  type TracerCore,
  virtualClock,
} from "../src/index";
import { seededBytes } from "../sim/app/phones";
import { createLinkFunction, createRadioModel, type RadioStation, summaryPackets } from "../sim/radio/radio";
import { createRng, hash32 } from "../sim/random";
import { type Bench, sig3 } from "./harness";

const T0 = Date.UTC(2021, 6, 24);
const DAY = 86_400_000;
const GROUP = 5;
const PHONES = Number(process.env.CORE_BENCH_PHONES ?? 200);

const station = (i: number): RadioStation => ({ seed: hash32(i, 0x5eed), carriage: "hand" });
const distance = (a: number, b: number) => 1 + ((a + b) % 4);
const group = (i: number) => Math.floor(i / GROUP);

async function device(phones: number) {
  const clock = virtualClock(T0);
  const model = createRadioModel(1);
  const stations = Array.from({ length: phones }, (_, i) => station(i));
  const medium = createSimulatedMedium({
    clock,
    random: seededBytes(1),
    link: createLinkFunction({
      model,
      station: (id) => stations[Number(id)]!,
      distance: (a, s) => distance(Number(a), Number(s)),
      sampling: "packets",
    }),
    candidates: (s) => {
      const g = group(Number(s));
      const out: string[] = [];
      for (let j = g * GROUP; j < Math.min(phones, (g + 1) * GROUP); j++) out.push(String(j));
      return out;
    },
  });
  const logs: MemoryContactLog[] = [];
  const tracers = [];
  for (let i = 0; i < phones; i++) {
    const log = createMemoryLog();
    logs.push(log);
    const jitter = createRng(hash32(i, 2));
    tracers.push(
      createTracer({
        transport: medium.createTransport(String(i)),
        log,
        clock,
        random: seededBytes(hash32(i, 1)),
        jitter: () => jitter.uniform(),
      }),
    );
  }
  const t0 = process.hrtime.bigint();
  for (const t of tracers) await t.start();
  for (let m = 1; m <= DAY / 60_000; m++) {
    clock.advanceTo(T0 + m * 60_000);
    await settle();
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  let sightings = 0;
  for (const l of logs) sightings += l.rangeSync(0, 2 ** 53).length;
  return { seconds, sightings };
}

function core(phones: number) {
  const model = createRadioModel(1);
  const stations = Array.from({ length: phones }, (_, i) => station(i));
  const logs: MemoryContactLog[] = [];
  const cores: TracerCore[] = [];
  const t0 = process.hrtime.bigint();
  const apply = (log: MemoryContactLog, writes: LogWrite[]) => {
    for (const w of writes) {
      if (w.kind === "sightings") log.recordSync(w.sightings);
      else if (w.kind === "purge") log.purgeSync(w.before);
      else if (w.kind === "own-key") void log.putOwnKeys([w.key]);
    }
  };
  for (let i = 0; i < phones; i++) {
    const jitter = createRng(hash32(i, 2));
    const c = createTracerCore({
      now: T0,
      random: seededBytes(hash32(i, 1)),
      jitter: () => jitter.uniform(),
    });
    c.start(T0);
    cores.push(c);
    const log = createMemoryLog();
    logs.push(log);
    apply(log, c.takeWrites());
  }
  // Phones in time order: a binary heap of (next event time, phone).
  const heap = Array.from({ length: phones }, (_, i) => i);
  const at = (i: number) => cores[i]!.next()!.at;
  const keys = new Float64Array(phones);
  for (let i = 0; i < phones; i++) keys[i] = at(i);
  const less = (a: number, b: number) => keys[a]! < keys[b]! || (keys[a] === keys[b] && a < b);
  const down = (k: number) => {
    for (;;) {
      const l = 2 * k + 1;
      if (l >= heap.length) return;
      const r = l + 1;
      const m = r < heap.length && less(heap[r]!, heap[l]!) ? r : l;
      if (!less(heap[m]!, heap[k]!)) return;
      [heap[m], heap[k]] = [heap[k]!, heap[m]!];
      k = m;
    }
  };
  for (let k = (heap.length >> 1) - 1; k >= 0; k--) down(k);
  const end = T0 + DAY;
  for (;;) {
    const i = heap[0]!;
    const c = cores[i]!;
    const e = c.next()!;
    if (e.at > end) break;
    if (e.kind === "scan-end") {
      const g = group(i);
      const from = c.scanStart!;
      for (let j = g * GROUP; j < Math.min(phones, (g + 1) * GROUP); j++) {
        if (j === i) continue;
        const b = cores[j]!.advertising();
        if (!b) continue;
        const s = model.scan(stations[j]!, stations[i]!, Math.max(from, b.start), e.at, () => distance(i, j));
        if (s) c.hear(b.payload, summaryPackets(s));
      }
    }
    c.step();
    apply(logs[i]!, c.takeWrites());
    keys[i] = at(i);
    down(0);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  let sightings = 0;
  for (const l of logs) sightings += l.rangeSync(0, 2 ** 53).length;
  return { seconds, sightings };
}

const bench: Bench = {
  name: "tracer-core",
  async run() {
    core(GROUP * 4); // warm-up (JIT)
    const d = await device(PHONES);
    const c = core(PHONES);
    const row = (r: { seconds: number; sightings: number }) => ({
      seconds: sig3(r.seconds),
      phoneDaysPerSecond: sig3(PHONES / r.seconds),
      sightingsPerPhoneDay: sig3(r.sightings / PHONES),
    });
    return {
      phones: PHONES,
      days: 1,
      device: row(d),
      core: row(c),
      coreVsDevice: sig3(d.seconds / c.seconds),
      note: "phones in groups of 5 at 1–4 m; core = tracer core stepped in a batch with per-scan radio",
    };
  },
};
export default bench;
