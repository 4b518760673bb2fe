import type { Clock, TimerHandle } from "../clock";
import { BluezoneError, InvalidArgumentError } from "../errors";
import type { ContactLog, Sighting } from "../log/types";
import type { Payload } from "../protocol/payload";
import type { BluezoneSchedule, Broadcast, GaenSchedule } from "../protocol/schedule";
import type { AdapterState, ScanReport, Transport } from "../transport/types";
import { Backoff } from "./backoff";
import {
  BLUEZONE_STATE,
  createTracerCore,
  type LogWrite,
  PURGE_PERIOD_MS,
  type TracerCore,
  type TracerCoreOptions,
} from "./core";
import { checkOptionNames, type OptionNames } from "../options";
import { checkRetentionDays } from "../protocol/retention";
import { checkScheme } from "./scheme";
import { TypedEmitter } from "./emitter";
import { resolveScanCycle } from "./scan-cycle";

/**
 * Options of {@link createTracer}.
 * @public
 */
export interface TracerOptions
  extends Pick<
    TracerCoreOptions,
    "scheme" | "scan" | "retentionDays" | "random" | "jitter" | "metadata" | "model"
  > {
  /** The radio. */
  transport: Transport;
  /** Where sightings and own keys go. */
  log: ContactLog;
  /** The time line (system clock on a device, a virtual clock in tests and the simulator). */
  clock: Clock;
  /** Initial and maximum back-off after a radio failure, ms; default 1 s and 5 min. */
  backoff?: { baseMs?: number; maxMs?: number };
}

/**
 * Events a tracer emits.
 * @public
 */
export interface TracerEvents {
  /** A new identifier went on air. */
  rotation: Broadcast;
  /** A sighting (one identifier, one scan) was written to the log. */
  sighting: Sighting;
  /** Something failed; the tracer keeps going (and retries with back-off where it applies). */
  error: Error;
  /** The tracer's or the adapter's state changed. */
  state: TracerState;
  /** Other event names carry unknown payloads (the emitter's event map is open). */
  [event: string]: unknown;
}

/**
 * What the tracer is doing.
 * @public
 */
export type TracerState = "stopped" | "waiting-for-adapter" | "running";

/**
 * A snapshot of the tracer's status.
 * @public
 */
export interface TracerStatus {
  /** Tracer state. */
  state: TracerState;
  /** Adapter state as the transport reports it. */
  adapter: AdapterState;
  /** Whether an advertisement is on air. */
  advertising: boolean;
  /** Whether a scan is running. */
  scanning: boolean;
  /** Current broadcast slot while advertising: ENIntervalNumber (EN) or days·96 + slot (Bluezone). */
  slot?: number;
  /** Unix ms when the current slot ends and the identifier rotates. */
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

/**
 * A running (or stoppable) tracer.
 * @public
 */
export interface Tracer {
  /**
   * Starts advertising, scanning and logging. Resolves once the loop is armed.
   * @throws TracerStateError (`ERR_TRACER_STATE`) when a start is under way or the tracer is not stopped
   */
  start(): Promise<void>;
  /** Stops everything, records the current partial scan and waits for pending writes. */
  stop(): Promise<void>;
  /** Subscribes to an event; returns an unsubscribe function. */
  on<K extends keyof TracerEvents>(event: K, listener: (arg: TracerEvents[K]) => void): () => void;
  /** Status snapshot. */
  status(): TracerStatus;
  /**
   * The key schedule (to release own keys for a diagnosis report), narrowed by its `scheme`:
   * `const s = tracer.schedule(); if (s.scheme === "gaen") s.releaseKeys({ includeToday: true })`.
   * @throws TracerStateError before the first start()
   */
  schedule(): GaenSchedule | BluezoneSchedule;
}

/**
 * Error raised when a tracer method is used in the wrong state.
 * @public
 */
export class TracerStateError extends BluezoneError {
  /** @param message - what was wrong */
  constructor(message: string) {
    super("ERR_TRACER_STATE", message);
  }
}

/** The names of {@link TracerOptions} and of its `backoff` (misspelt ones are refused). */
const TRACER_OPTIONS = {
  transport: true,
  log: true,
  clock: true,
  backoff: true,
  scheme: true,
  scan: true,
  retentionDays: true,
  random: true,
  jitter: true,
  metadata: true,
  model: true,
} as const satisfies OptionNames<TracerOptions>;
const BACKOFF_OPTIONS = { baseMs: true, maxMs: true } as const satisfies OptionNames<
  NonNullable<TracerOptions["backoff"]>
>;

/**
 * Creates a tracer; nothing happens until {@link Tracer.start}.
 * @throws InvalidArgumentError when `transport`, `log` or `clock` is missing, `scheme` is neither
 *   `gaen` nor `bluezone` (or `scan` names no cycle), `retentionDays` is not an integer ≥ 1, or an
 *   option's name is not one of {@link TracerOptions} (a misspelling: `unknown option "x"`, with the
 *   nearest name)
 * @public
 */
export function createTracer(options: TracerOptions): Tracer {
  checkOptionNames(options, TRACER_OPTIONS, "createTracer");
  checkOptionNames(options?.backoff, BACKOFF_OPTIONS, "createTracer backoff");
  const { transport, log, clock } = options;
  for (const [name, value] of [
    ["transport", transport],
    ["log", log],
    ["clock", clock],
  ] as const)
    if (typeof value !== "object" || value === null)
      throw new InvalidArgumentError(`createTracer needs options.${name}`);
  const scheme = checkScheme(options.scheme);
  const cycle = resolveScanCycle(options.scan ?? "gaen");
  checkRetentionDays(options.retentionDays);
  const events = new TypedEmitter<TracerEvents>();
  const radioBackoff = new Backoff(options.backoff?.baseMs, options.backoff?.maxMs);

  let core: TracerCore | undefined;
  let state: TracerState = "stopped";
  let starting = false;
  let advertising = false;
  let scanning = false;
  const timers = new Set<TimerHandle>();
  let unsubscribeState: (() => void) | undefined;
  let pending: Sighting[] = [];
  let writes: Promise<void> = Promise.resolve();
  const counts = { sightingsLogged: 0, malformed: 0, radioFailures: 0 };
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
  const radioFailed = (err: unknown, retry: () => Promise<void>) => {
    counts.radioFailures++;
    fail(err);
    after(radioBackoff.fail(), retry);
  };

  // --- the core's log writes, carried out in order on one promise chain --------------------------
  const carryOut = (w: LogWrite) => {
    switch (w.kind) {
      case "sightings":
        // Written by flush(), which keeps a failed batch for the next attempt.
        for (const s of w.sightings) pending.push(s);
        return;
      case "own-key":
        writes = writes.then(() => log.putOwnKeys([w.key])).catch(fail);
        return;
      case "state":
        writes = writes.then(() => log.putState(w.name, w.value)).catch(fail);
        return;
      case "purge":
        writes = writes.then(() => log.purge(w.before).then(() => undefined)).catch(fail);
        return;
    }
  };
  const drain = () => {
    if (core) for (const w of core.takeWrites()) carryOut(w);
  };

  const loadCore = async (): Promise<TracerCore> => {
    const common = {
      scheme,
      scan: cycle,
      clock,
      onWrites: drain,
      ...(options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {}),
      ...(options.random ? { random: options.random } : {}),
      ...(options.jitter ? { jitter: options.jitter } : {}),
      ...(options.metadata ? { metadata: options.metadata } : {}),
      ...(options.model !== undefined ? { model: options.model } : {}),
    };
    const c =
      scheme === "gaen"
        ? createTracerCore({ ...common, ownKeys: await log.ownKeys() })
        : createTracerCore({ ...common, bluezoneState: await log.getState(BLUEZONE_STATE) });
    // A new Bluezone base key must be stored before the tracer goes on air.
    for (const w of c.takeWrites()) {
      if (w.kind === "state") await log.putState(w.name, w.value);
      else carryOut(w);
    }
    return c;
  };

  // --- advertising and rotation -------------------------------------------------------------
  const advertise = async (): Promise<void> => {
    if (state !== "running" || !core) return;
    const b = core.broadcast(clock.now());
    try {
      await transport.startAdvertising(b.payload as Payload);
      radioBackoff.succeed();
      advertising = true;
      if (core.onAir(b)) events.emit("rotation", b);
    } catch (err) {
      advertising = false;
      radioFailed(err, advertise);
    }
  };
  const armRotation = () => {
    if (!core) return;
    after(core.rotationDelay(clock.now()), () => {
      // Every timer is armed synchronously at its own virtual time, so a simulator may let
      // asynchronous work settle only now and then without shifting the schedule.
      armRotation();
      return advertise();
    });
  };

  // --- scanning ---------------------------------------------------------------------------------
  const onReport = (r: ScanReport) => {
    core?.hear(r.payload, r.rssi);
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
    if (!core?.scanning) return;
    try {
      await transport.stopScanning();
    } catch (err) {
      fail(err);
    }
    scanning = false;
    core.endScan(); // its sightings reach `pending` through drain()
    if (pending.length === 0) return;
    writes = writes.then(flush).catch(fail);
    await writes;
  };
  let scanDone: Promise<void> = Promise.resolve();
  const scanOnce = (): Promise<void> => {
    if (state !== "running" || !core) return Promise.resolve();
    const c = core;
    // The previous scan's stop has not resolved yet: collect it first.
    if (c.scanning) return scanDone.then(scanOnce);
    c.beginScan(clock.now());
    let ended = false;
    const end = after(cycle.durationMs, () => {
      ended = true;
      // Continuous mode restarts at once (which also restarts scans that stopped silently).
      after(c.nextScanDelay(clock.now()), scanOnce);
      scanDone = endScan();
      return scanDone;
    });
    return transport.startScanning(listener).then(
      () => {
        radioBackoff.succeed();
        scanning = c.scanning;
      },
      (err) => {
        counts.radioFailures++;
        fail(err);
        if (ended) return; // the cycle already moved on to the next scan
        cancel(end);
        c.abandonScan();
        after(radioBackoff.fail(), scanOnce);
      },
    );
  };

  // --- retention ----------------------------------------------------------------------------------
  const purge = async (): Promise<void> => {
    core?.purge(clock.now());
    await writes;
  };
  const armPurge = () => {
    // Re-armed before the purge's write, so the hourly timeline does not drift with the write's time.
    after(PURGE_PERIOD_MS, () => {
      armPurge();
      return purge();
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
      core?.abandonScan();
      setState("waiting-for-adapter");
      armPurge();
    }
  };

  return {
    on: (event, l) => events.on(event, l),
    schedule() {
      if (!core) throw new TracerStateError("the tracer has not been started");
      return core.schedule;
    },
    async start() {
      // A second start while one is under way or done would arm a second scan loop over the first.
      if (starting || state !== "stopped")
        throw new TracerStateError(
          starting ? "start() is already under way" : `start() on a tracer that is ${state}: stop() it first`,
        );
      starting = true;
      try {
        core ??= await loadCore();
        unsubscribeState = transport.onStateChange(onAdapter);
        await purge();
        armPurge();
        if (transport.state() === "poweredOn") await run();
        else setState("waiting-for-adapter");
      } finally {
        starting = false;
      }
    },
    async stop() {
      if (state === "stopped") return;
      clearTimers();
      unsubscribeState?.();
      if (core?.scanning) await endScan();
      // Sightings kept after a failed write get one more attempt now, not at a next scan that will
      // not come; if it fails too they stay counted in status().pendingSightings.
      if (pending.length > 0) writes = writes.then(flush).catch(fail);
      setState("stopped");
      advertising = false;
      try {
        await transport.stopAdvertising();
      } catch (err) {
        fail(err);
      }
      await writes;
    },
    status: () => {
      const current = core?.advertising();
      return {
        state,
        adapter: transport.state(),
        advertising,
        scanning,
        ...(current ? { slot: current.slot, nextRotationAt: current.end } : {}),
        scans: core?.scans ?? 0,
        sightingsLogged: counts.sightingsLogged,
        pendingSightings: pending.length,
        malformed: counts.malformed,
        radioFailures: counts.radioFailures,
        ...(lastError ? { lastError } : {}),
      };
    },
  };
}
