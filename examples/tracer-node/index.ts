/**
 * A runnable tracer for a Linux machine with a Bluetooth LE adapter (see README.md next to this file).
 *
 *   npx tsx examples/tracer-node/index.ts [--db DIR] [--scan gaen|bluezone|continuous] [--minutes N] [--model NAME]
 *   npx tsx examples/tracer-node/index.ts --emulate [--distance M] [--minutes N] [--db DIR]
 *
 * Real mode: one tracer on the adapter (noble scans, bleno advertises), sightings logged to LevelDB
 * and printed one per line; Ctrl-C prints the status and shuts down cleanly. `--emulate`: two phones on
 * emulated HCI controllers in one process (each loads its own noble + bleno), `--distance` metres
 * apart, on a virtual clock, so `--minutes 60` finishes in seconds; prints what each logs, then exits.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  advanceAndSettle,
  type Clock,
  type ContactLog,
  createTracer,
  openLevelLog,
  type ScanCycleName,
  SCAN_CYCLES,
  type Sighting,
  systemClock,
  type Tracer,
  toHex,
  virtualClock,
} from "../../src/index";
import {
  BluetoothUnavailableError,
  createBleTransport,
  EmulatedHciController,
  emulatedBleModules,
  RadioMedium,
} from "../../src/ble";
import type { Transport } from "../../src/transport/types";
import { parseOptions, runMain } from "../run-main";

const { values: args } = parseOptions("tracer-node", {
  options: {
    db: { type: "string" },
    scan: { type: "string", default: "gaen" },
    emulate: { type: "boolean", default: false },
    minutes: { type: "string" },
    distance: { type: "string", default: "1.5" },
    model: { type: "string" },
  },
});
/** The phone model whose calibrated tx power the AEM carries (EN calibration table); else the fleet's. */
const model = args.model;

const scan = args.scan as ScanCycleName;
if (!(scan in SCAN_CYCLES)) fail(`--scan must be one of ${Object.keys(SCAN_CYCLES).join(", ")}`);
const minutes = args.minutes === undefined ? undefined : Number(args.minutes);
if (minutes !== undefined && !(minutes > 0)) fail("--minutes must be a positive number");
const dbDir = args.db ?? mkdtempSync(join(tmpdir(), "bluezone-tracer-"));

function fail(message: string): never {
  console.error(`tracer-node: ${message}`);
  process.exit(2);
}

/** One line per sighting: time, who heard, identifier prefix, RSSI, packets. */
function printSighting(who: string, s: Sighting): void {
  const t = new Date(s.time).toISOString().slice(11, 19);
  console.log(
    `${t} ${who} heard ${toHex(s.identifier).slice(0, 12)}… rssi mean ${s.meanRssi.toFixed(1)} max ${s.maxRssi} dBm, ${s.packets} packets`,
  );
}

/** A tracer on `transport` logging to LevelDB under `dir`, printing its sightings and errors. */
async function phone(who: string, transport: Transport, clock: Clock, dir: string) {
  const log: ContactLog = await openLevelLog(dir);
  const tracer = createTracer({ transport, log, clock, scan, ...(model ? { model } : {}) });
  tracer.on("sighting", (s) => printSighting(who, s));
  tracer.on("error", (e) => console.error(`${who}: ${e.message}`));
  return { who, log, tracer };
}

function printStatus(who: string, tracer: Tracer): void {
  const s = tracer.status();
  console.log(
    `${who}: ${s.state}, adapter ${s.adapter}, scans ${s.scans}, sightings ${s.sightingsLogged}, radio failures ${s.radioFailures}${s.lastError ? `, last error: ${s.lastError}` : ""}`,
  );
}

async function runReal(): Promise<void> {
  let transport: Transport;
  try {
    transport = createBleTransport();
  } catch (err) {
    console.error(`tracer-node: ${(err as Error).message}`);
    process.exit(err instanceof BluetoothUnavailableError ? 3 : 1);
  }
  const clock = systemClock();
  const p = await phone("me", transport, clock, dbDir);
  console.log(`logging to ${dbDir}; scan cycle ${scan}; adapter ${transport.state()} (Ctrl-C to stop)`);
  await p.tracer.start();
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    printStatus(p.who, p.tracer);
    await p.tracer.stop();
    await transport.close();
    await p.log.close();
    console.log("stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
  // noble and bleno keep the event loop alive; --minutes bounds the run.
  if (minutes !== undefined) setTimeout(() => void shutdown(), minutes * 60_000);
}

async function runEmulated(): Promise<void> {
  const metres = Number(args.distance);
  if (!(metres >= 0)) fail("--distance must be ≥ 0 metres");
  const runMinutes = minutes ?? 60;
  const clock = virtualClock(Date.now());
  const medium = new RadioMedium({ clock, seed: 1, pathLoss: { pathLossExponent: 3, noiseSigma: 2 } });
  console.log(
    `emulating two phones ${metres} m apart for ${runMinutes} min (virtual time), expected RSSI ≈ ${medium.pathLoss.meanRssi(metres).toFixed(0)} dBm; logs in ${dbDir}`,
  );
  const phones = await Promise.all(
    ["alice", "bob"].map(async (who, i) => {
      const controller = new EmulatedHciController({ medium, name: who, seed: i + 1, rotateAddress: false });
      const modules = emulatedBleModules(controller);
      const transport = createBleTransport({ modules, clock });
      return { ...(await phone(who, transport, clock, join(dbDir, who))), controller, modules, transport };
    }),
  );
  medium.setDistance("alice", "bob", metres);
  await advanceAndSettle(clock, 0); // let noble and bleno reach poweredOn
  for (const p of phones) await p.tracer.start();
  await advanceAndSettle(clock, runMinutes * 60_000);
  for (const p of phones) {
    await p.tracer.stop();
    printStatus(p.who, p.tracer);
    const heard = await p.log.range(0, Number.MAX_SAFE_INTEGER);
    console.log(
      `${p.who} logged ${heard.length} sightings of ${new Set(heard.map((s) => toHex(s.identifier))).size} identifiers`,
    );
    await p.transport.close();
    await p.log.close();
    p.modules.dispose();
    p.controller.close();
  }
}

await runMain("tracer-node", () => (args.emulate ? runEmulated() : runReal()));
