/**
 * The tracer: the one orchestrator a host app runs. It rotates keys and identifiers on the schedule,
 * advertises the current payload, runs the scan duty cycle, aggregates packets per scan into
 * sightings, writes them to the contact log, enforces retention, and recovers from radio failures
 * with back-off. Time comes only from the injected clock.
 */
import { randomBytes } from "node:crypto";
import type { RandomBytes } from "../bytes";
import type { Clock, TimerHandle } from "../clock";
import { BluezoneError } from "../errors";
import { createScanAggregator } from "../log/scan-aggregator";
import type { ContactLog, Sighting } from "../log/types";
import { DAY_MS } from "../protocol/intervals";
import type { Metadata } from "../protocol/metadata";
import type { Payload } from "../protocol/payload";
import {
  type Broadcast,
  createBluezoneSchedule,
  createGaenSchedule,
  type KeySchedule,
  type SchemeName,
} from "../protocol/schedule";
import type { AdapterState, ScanReport, Transport } from "../transport/types";
import { Backoff } from "./backoff";
import { TypedEmitter } from "./emitter";
import { resolveScanCycle, type ScanCycle, type ScanCycleName } from "./scan-cycle";

/** Options of {@link createTracer}. */
export interface TracerOptions {
  /** The radio. */
  transport: Transport;
  /** Where sightings and own keys go. */
  log: ContactLog;
  /** The time line (system clock on a device, a virtual clock in tests and the simulator). */
  clock: Clock;
  /** Identifier scheme; default `gaen`. */
  scheme?: SchemeName;
  /** Scan duty cycle preset or custom cycle; default `gaen`. */
  scan?: ScanCycleName | ScanCycle;
  /** Days of sightings and own keys kept; default 14. */
  retentionDays?: number;
  /** Random bytes for keys (and scan jitter unless `jitter` is given); `crypto.randomBytes` by default. */
  random?: RandomBytes;
  /**
   * Uniform [0, 1) source for scan jitter. Separate from `random` so a simulator can replay a phone's
   * key draws elsewhere (a shadow schedule) without replaying its scan timing.
   */
  jitter?: () => number;
  /** Metadata this phone broadcasts (its calibrated tx power and confidence). */
  metadata?: Partial<Metadata>;
  /** Initial and maximum back-off after a radio failure, ms; default 1 s and 5 min. */
  backoff?: { baseMs?: number; maxMs?: number };
}

/** Events a tracer emits. */
export interface TracerEvents {
  /** A new identifier went on air. */
  rotation: Broadcast;
  /** A sighting (one identifier, one scan) was written to the log. */
  sighting: Sighting;
  /** Something failed; the tracer keeps going (and retries with back-off where it applies). */
  error: Error;
  /** The tracer's or the adapter's state changed. */
  state: TracerState;
  [event: string]: unknown;
}

/** What the tracer is doing. */
export type TracerState = "stopped" | "waiting-for-adapter" | "running";

/** A snapshot of the tracer's status. */
export interface TracerStatus {
  /** Tracer state. */
  state: TracerState;
  /** Adapter state as the transport reports it. */
  adapter: AdapterState;
  /** Whether an advertisement is on air. */
  advertising: boolean;
  /** Whether a scan is running. */
  scanning: boolean;
  /** Current broadcast slot and when it ends. */
  slot?: number;
  nextRotationAt?: number;
  /** Scans completed. */
  scans: number;
  /** Sightings written to the log. */
  sightingsLogged: number;
  /** Sightings waiting to be written again after a log failure. */
  pendingSightings: number;
  /** Advertisements with our service UUID but a malformed payload. */
  malformed: number;
  /** Radio operation failures so far. */
  radioFailures: number;
  /** Last error message, if any. */
  lastError?: string;
}

/** A running (or stoppable) tracer. */
export interface Tracer {
  /** Starts advertising, scanning and logging. Resolves once the loop is armed. */
  start(): Promise<void>;
  /** Stops everything, records the current partial scan and waits for pending writes. */
  stop(): Promise<void>;
  /** Subscribes to an event; returns an unsubscribe function. */
  on<K extends keyof TracerEvents>(event: K, listener: (arg: TracerEvents[K]) => void): () => void;
  /** Status snapshot. */
  status(): TracerStatus;
  /** The key schedule (to release own keys for a diagnosis report); available after start(). */
  schedule(): KeySchedule;
}

const BLUEZONE_STATE = "bluezone.base";

/** Error raised when a tracer method is used in the wrong state. */
export class TracerStateError extends BluezoneError {
  /** @param message - what was wrong */
  constructor(message: string) {
    super("ERR_TRACER_STATE", message);
  }
}

/** Creates a tracer; nothing happens until {@link Tracer.start}. */
export function createTracer(options: TracerOptions): Tracer {
  const { transport, log, clock } = options;
  const scheme = options.scheme ?? "gaen";
  const cycle = resolveScanCycle(options.scan ?? "gaen");
  const retentionDays = options.retentionDays ?? 14;
  const random = options.random ?? randomBytes;
  const events = new TypedEmitter<TracerEvents>();
  const aggregator = createScanAggregator();
  const radioBackoff = new Backoff(options.backoff?.baseMs, options.backoff?.maxMs);

  let schedule: KeySchedule | undefined;
  let state: TracerState = "stopped";
  let advertising = false;
  let scanning = false;
  let current: Broadcast | undefined;
  const timers = new Set<TimerHandle>();
  let unsubscribeState: (() => void) | undefined;
  let pending: Sighting[] = [];
  let writes: Promise<void> = Promise.resolve();
  const counts = { scans: 0, sightingsLogged: 0, malformed: 0, radioFailures: 0 };
  let lastError: string | undefined;

  const setState = (s: TracerState) => {
    if (s === state) return;
    state = s;
    events.emit("state", s);
  };
  const fail = (err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    lastError = e.message;
    events.emit("error", e);
  };
  const after = (ms: number, fn: () => void | Promise<void>): TimerHandle => {
    const h = clock.setTimeout(() => {
      timers.delete(h);
      if (state === "stopped") return;
      // Called synchronously, so the work's synchronous part happens at the timer's exact time.
      try {
        const r = fn();
        if (r !== undefined) r.catch(fail);
      } catch (err) {
        fail(err);
      }
    }, ms);
    timers.add(h);
    return h;
  };
  const cancel = (h: TimerHandle) => {
    clock.clearTimeout(h);
    timers.delete(h);
  };
  const clearTimers = () => {
    for (const h of timers) clock.clearTimeout(h);
    timers.clear();
  };
  const uniform =
    options.jitter ??
    (() => {
      const b = random(4);
      return (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) / 2 ** 32;
    });
  const jitter = () => (cycle.jitterMs === 0 ? 0 : Math.floor(uniform() * cycle.jitterMs));
  const radioFailed = (err: unknown, retry: () => Promise<void>) => {
    counts.radioFailures++;
    fail(err);
    after(radioBackoff.fail(), retry);
  };

  const loadSchedule = async (): Promise<KeySchedule> => {
    if (scheme === "gaen") {
      return createGaenSchedule({
        clock,
        random,
        retentionDays,
        metadata: options.metadata,
        keys: await log.ownKeys(),
        onKeyChange: (k) => {
          writes = writes.then(() => log.putOwnKeys([k])).catch(fail);
        },
      });
    }
    const stored = await log.getState(BLUEZONE_STATE);
    if (stored && stored.length === 36) {
      const day = new DataView(stored.buffer, stored.byteOffset).getUint32(32);
      return createBluezoneSchedule({ clock, baseKey: stored.slice(0, 32), baseDay: day, retentionDays });
    }
    const s = createBluezoneSchedule({ clock, random, retentionDays });
    const rec = new Uint8Array(36);
    rec.set(s.base.key);
    new DataView(rec.buffer).setUint32(32, s.base.day);
    await log.putState(BLUEZONE_STATE, rec);
    return s;
  };

  // --- advertising and rotation -------------------------------------------------------------
  const advertise = async (): Promise<void> => {
    if (state !== "running" || !schedule) return;
    const b = schedule.current();
    try {
      await transport.startAdvertising(b.payload as Payload);
      radioBackoff.succeed();
      advertising = true;
      if (current?.slot !== b.slot) events.emit("rotation", b);
      current = b;
    } catch (err) {
      advertising = false;
      radioFailed(err, advertise);
    }
  };
  const armRotation = () => {
    if (!schedule) return;
    after(Math.max(1, schedule.nextRotationAt() - clock.now()), () => {
      // Every timer is armed synchronously at its own virtual time, so a simulator may let
      // asynchronous work settle only now and then without shifting the schedule.
      armRotation();
      return advertise();
    });
  };

  // --- scanning ---------------------------------------------------------------------------------
  const onReport = (r: ScanReport) => {
    const p = r.payload;
    const id = p.scheme === "gaen" ? p.rpi : p.id;
    const aem = p.scheme === "gaen" ? p.aem : EMPTY;
    aggregator.addPackets(id, aem, r.rssi);
  };
  const listener = {
    onReport,
    onMalformed: () => {
      counts.malformed++;
    },
  };
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    try {
      await log.record(batch);
      counts.sightingsLogged += batch.length;
      if (events.has("sighting")) for (const s of batch) events.emit("sighting", s);
    } catch (err) {
      pending = batch.concat(pending); // keep them for the next attempt: nothing is lost
      fail(err);
    }
  };
  const endScan = async (): Promise<void> => {
    if (!aggregator.scanning) return;
    try {
      await transport.stopScanning();
    } catch (err) {
      fail(err);
    }
    scanning = false;
    counts.scans++;
    const sightings = aggregator.endScan();
    if (sightings.length === 0 && pending.length === 0) return;
    for (const s of sightings) pending.push(s);
    writes = writes.then(flush).catch(fail);
    await writes;
  };
  let scanDone: Promise<void> = Promise.resolve();
  const scanOnce = (): Promise<void> => {
    if (state !== "running") return Promise.resolve();
    // The previous scan's stop has not resolved yet: collect it first.
    if (aggregator.scanning) return scanDone.then(scanOnce);
    const start = clock.now();
    aggregator.beginScan(start);
    let ended = false;
    const end = after(cycle.durationMs, () => {
      ended = true;
      // Continuous mode restarts at once (which also restarts scans that stopped silently).
      after(Math.max(0, start + cycle.periodMs + jitter() - clock.now()), scanOnce);
      scanDone = endScan();
      return scanDone;
    });
    return transport.startScanning(listener).then(
      () => {
        radioBackoff.succeed();
        scanning = aggregator.scanning;
      },
      (err) => {
        counts.radioFailures++;
        fail(err);
        if (ended) return; // the cycle already moved on to the next scan
        cancel(end);
        if (aggregator.scanning) aggregator.endScan();
        after(radioBackoff.fail(), scanOnce);
      },
    );
  };

  // --- retention ----------------------------------------------------------------------------------
  const purge = async (): Promise<void> => {
    schedule?.purge();
    writes = writes
      .then(() => log.purge(clock.now() - retentionDays * DAY_MS).then(() => undefined))
      .catch(fail);
    await writes;
  };
  const armPurge = () => {
    after(3600_000, async () => {
      await purge();
      armPurge();
    });
  };

  // --- lifecycle ----------------------------------------------------------------------------------
  const run = async () => {
    setState("running");
    await advertise();
    armRotation();
    await scanOnce();
  };
  const onAdapter = (s: AdapterState) => {
    if (state === "stopped") return;
    if (s === "poweredOn" && state === "waiting-for-adapter") {
      run().catch(fail);
    } else if (s !== "poweredOn" && state === "running") {
      clearTimers();
      advertising = false;
      scanning = false;
      if (aggregator.scanning) aggregator.endScan();
      setState("waiting-for-adapter");
      armPurge();
    }
  };

  return {
    on: (event, l) => events.on(event, l),
    schedule() {
      if (!schedule) throw new TracerStateError("the tracer has not been started");
      return schedule;
    },
    async start() {
      if (state !== "stopped") return;
      schedule ??= await loadSchedule();
      unsubscribeState = transport.onStateChange(onAdapter);
      await purge();
      armPurge();
      if (transport.state() === "poweredOn") await run();
      else setState("waiting-for-adapter");
    },
    async stop() {
      if (state === "stopped") return;
      clearTimers();
      unsubscribeState?.();
      if (aggregator.scanning) await endScan();
      setState("stopped");
      advertising = false;
      try {
        await transport.stopAdvertising();
      } catch (err) {
        fail(err);
      }
      await writes;
    },
    status: () => ({
      state,
      adapter: transport.state(),
      advertising,
      scanning,
      ...(current ? { slot: current.slot, nextRotationAt: current.end } : {}),
      scans: counts.scans,
      sightingsLogged: counts.sightingsLogged,
      pendingSightings: pending.length,
      malformed: counts.malformed,
      radioFailures: counts.radioFailures,
      ...(lastError ? { lastError } : {}),
    }),
  };
}

const EMPTY = new Uint8Array(0);
