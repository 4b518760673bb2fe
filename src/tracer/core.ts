/**
 * The tracer core: everything a phone decides, as one synchronous state machine without I/O (the
 * pattern of quinn-proto and h11). It holds the key schedule, rotation, the scan duty cycle, scan
 * aggregation and the writes meant for the contact log. A host drives it with the current time and
 * the packets its radio heard, asks it what to advertise and when it next needs waking, and carries out
 * the log writes it queues.
 *
 * Two hosts exist: {@link createTracer} (timers, a real or simulated transport, events, back-off and
 * retry of failed writes) and the simulator's batched fleet (no timers, no promises). Both call the
 * same methods in the same order, so there is one implementation of what a phone does.
 */
import { randomBytes } from "node:crypto";
import type { RandomBytes } from "../bytes";
import type { Clock } from "../clock";
import { InvalidArgumentError } from "../errors";
import { createScanAggregator } from "../log/scan-aggregator";
import { MAX_SECONDS_SINCE_LAST_SCAN } from "../log/validate";
import type { ScanBatch, Sighting } from "../log/types";
import type { TemporaryExposureKey } from "../protocol/gaen";
import { DAY_MS } from "../protocol/intervals";
import type { Metadata } from "../protocol/metadata";
import type { Payload } from "../protocol/payload";
import { lookupCalibration } from "../proximity/calibration";
import {
  type BluezoneSchedule,
  type Broadcast,
  createBluezoneSchedule,
  createGaenSchedule,
  type GaenSchedule,
  type SchemeName,
} from "../protocol/schedule";
import { resolveScanCycle, type ScanCycle, type ScanCycleName } from "./scan-cycle";
import { checkRetentionDays } from "../protocol/retention";
import { checkScheme } from "./scheme";

/**
 * Name under which a Bluezone base key and its day are kept in the log's state.
 * @public
 */
export const BLUEZONE_STATE = "bluezone.base";

/**
 * Purge period of the tracer (ms): retention is enforced once an hour.
 * @public
 */
export const PURGE_PERIOD_MS = 3_600_000;

/**
 * The metadata a GAEN phone broadcasts: the options' fields over its model's calibrated tx power and
 * confidence (the fleet average, confidence 0, without a model).
 */
function broadcastMetadata(options: TracerCoreOptions): Partial<Metadata> {
  const cal = lookupCalibration(options.model);
  return { txPower: cal.txPower, calibrationConfidence: cal.calibrationConfidence, ...options.metadata };
}

/**
 * Options of {@link createTracerCore}.
 * @public
 */
export interface TracerCoreOptions {
  /** Identifier scheme; default `gaen`. */
  scheme?: SchemeName;
  /** Scan duty cycle preset or custom cycle; default `gaen`. */
  scan?: ScanCycleName | ScanCycle;
  /**
   * Days of sightings and own keys kept; default 14 (EN's key retention). An integer ≥ 1, else
   * `createTracerCore` (and `createTracer`) throws InvalidArgumentError.
   */
  retentionDays?: number;
  /** Random bytes for keys (and scan jitter unless `jitter` is given); `crypto.randomBytes` by default. */
  random?: RandomBytes;
  /**
   * Uniform [0, 1) source for scan jitter. Separate from `random` so a simulator can replay a phone's
   * key draws elsewhere (a shadow schedule) without replaying its scan timing.
   */
  jitter?: () => number;
  /**
   * Metadata this phone broadcasts in its AEM (GAEN): its calibrated tx power (dBm) and calibration
   * confidence. Fields not given come from the calibration of {@link TracerCoreOptions.model} (the
   * EN calibration table, `lookupCalibration`), else the fleet average with confidence 0 — never a
   * bare 0 dBm, which receivers would believe (it is within the plausible range) and read close
   * contacts 25–30 dB too far.
   */
  metadata?: Partial<Metadata>;
  /**
   * This phone's model or device name (e.g. `"SM-G973F"`, `"Pixel 4"`), for the calibrated tx power
   * its AEM carries when `metadata` does not give one; default: none (the fleet average).
   */
  model?: string;
  /** GAEN: own keys stored by an earlier run (`ContactLog.ownKeys()`), so the day's key continues. */
  ownKeys?: readonly TemporaryExposureKey[];
  /**
   * Bluezone: the stored state under {@link BLUEZONE_STATE} (32-byte base key ‖ big-endian uint32 day),
   * if any; without it a new base key is drawn and queued as a `state` write.
   */
  bluezoneState?: Uint8Array;
  /**
   * The host's time line, read by the key schedule between calls (e.g. by `releaseKeys()` on
   * {@link TracerCore.schedule}); default: the time of the latest call into the core.
   */
  clock?: Pick<Clock, "now">;
  /**
   * Called after writes were queued (synchronously, also when a release on {@link TracerCore.schedule}
   * queues a truncated key between calls), so a host can carry them out at once with
   * {@link TracerCore.takeWrites}.
   */
  onWrites?: () => void;
  /**
   * The time the core is created at (unix ms); default the host clock's time. A new Bluezone base key
   * belongs to this day, so the Bluezone scheme without a stored state needs one of the two.
   */
  now?: number;
  /**
   * Where a scan's sightings go at its end, in columns (valid only during the call), instead of being
   * queued as a `sightings` write: the simulator's batched fleet appends them to a memory log with
   * `MemoryContactLog.recordScan`, without an object per sighting. {@link TracerCore.endScan} then
   * returns an empty array.
   */
  scanSink?: (batch: ScanBatch) => void;
}

/**
 * A write the core asks its host to make to the contact log, in the order queued.
 * @public
 */
export type LogWrite =
  | { kind: "sightings"; sightings: Sighting[] }
  | { kind: "own-key"; key: TemporaryExposureKey }
  | { kind: "state"; name: string; value: Uint8Array }
  | { kind: "purge"; before: number };

/**
 * What the core's own timeline does next (see {@link TracerCore.next}).
 * @public
 */
export type CoreEventKind = "rotate" | "scan-start" | "scan-end" | "purge";

/**
 * One event of the core's own timeline: its kind and its due time (unix ms).
 * @public
 */
export interface CoreEvent {
  /** What happens. */
  kind: CoreEventKind;
  /** When it is due (unix ms). */
  at: number;
}

/**
 * Result of {@link TracerCore.step}.
 * @public
 */
export interface CoreStep extends CoreEvent {
  /** `rotate` (and the start): the broadcast now on air, when it is a new identifier. */
  rotation?: Broadcast;
  /** `scan-end`: the scan's sightings (also queued as a `sightings` write). */
  sightings?: Sighting[];
}

/**
 * The synchronous tracer state machine. Times are integer unix ms and never go back: every method
 * taking `now` throws InvalidArgumentError when it is before the latest call's time.
 * @public
 */
export interface TracerCore {
  /**
   * The key schedule (to release own keys for a diagnosis report): narrowed by its `scheme`, so
   * `if (core.schedule.scheme === "gaen") core.schedule.releaseKeys()` needs no cast.
   */
  readonly schedule: GaenSchedule | BluezoneSchedule;
  /** The scan duty cycle in use. */
  readonly cycle: ScanCycle;
  /** Time of the latest call (unix ms). */
  now(): number;
  /** Scans completed. */
  readonly scans: number;
  /** Whether a scan is open (between {@link TracerCore.beginScan} and {@link TracerCore.endScan}). */
  readonly scanning: boolean;
  /** Start of the open scan, or undefined. */
  readonly scanStart: number | undefined;

  // --- the steps, each a synchronous decision at time `now` -------------------------------------
  /** Enforces retention at `now`: drops old own keys and queues a `purge` write. */
  purge(now: number): void;
  /** The broadcast to put on air at `now` (draws and queues the day's key when it is new). */
  broadcast(now: number): Broadcast;
  /** Records that `b` is on air; returns true when it is a new identifier (a rotation). */
  onAir(b: Broadcast): boolean;
  /** What is on air, if anything. */
  advertising(): Broadcast | undefined;
  /**
   * The `slot` of what is on air (NaN when nothing is): whether the identifier changed, known without
   * the broadcast object, which {@link TracerCore.advance} makes only when asked for (see `GaenSchedule.identifierInto`).
   */
  advertisingSlot(): number;
  /** Delay (ms, ≥ 1) from `now` to the next identifier rotation. */
  rotationDelay(now: number): number;
  /** Opens a scan at `now`. */
  beginScan(now: number): void;
  /** Adds packets of one advertiser heard during the open scan (ignored outside a scan). */
  hear(payload: Payload, rssi: readonly number[]): void;
  /** Adds packets of one identifier (an RPI or Bluezone ID, and the AEM or empty) during the open scan. */
  hearIdentifier(identifier: Uint8Array, aem: Uint8Array, rssi: readonly number[]): void;
  /**
   * Adds one identifier's packets known by their summary (count, integer mean and maximum RSSI, dBm)
   * during the open scan (ignored outside a scan): what a simulated radio that draws a scan's summary
   * hands over; see `ScanAggregator.addSummary`.
   * @throws InvalidArgumentError on a wrong identifier or AEM length, or an impossible summary
   */
  hearSummary(
    identifier: Uint8Array,
    aem: Uint8Array,
    packets: number,
    meanRssi: number,
    maxRssi: number,
  ): void;
  /**
   * {@link TracerCore.hearSummary} with the identifier read from `bytes` and the AEM from `aemBytes` at the given
   * offsets (see `ScanAggregator.addSummaryAt`): for a host that keeps many phones' identifiers in a few
   * buffers.
   * @throws InvalidArgumentError as {@link TracerCore.hearSummary}, and when a range is not inside its buffer
   */
  hearSummaryAt(
    bytes: Uint8Array,
    identifierOffset: number,
    identifierLength: number,
    aemBytes: Uint8Array,
    aemOffset: number,
    aemLength: number,
    packets: number,
    meanRssi: number,
    maxRssi: number,
  ): void;
  /**
   * Delay (ms, ≥ 0) from `now` (the open scan's end) to the next scan's start: one period after this
   * scan's start plus a jitter draw.
   */
  nextScanDelay(now: number): number;
  /**
   * Closes the open scan: its sightings, also queued as a `sightings` write when there are any (a
   * frozen empty array when no scan was open, or when they went to the `scanSink`).
   */
  endScan(): Sighting[];
  /** Closes the open scan without keeping what it heard (the radio failed or went away). */
  abandonScan(): void;
  /** Removes and returns the queued log writes, oldest first (a frozen empty array when none are queued). */
  takeWrites(): LogWrite[];

  // --- the core's own timeline, for hosts without timers -----------------------------------------
  /**
   * Starts the timeline at `now`: purge, advertise, arm the rotation and the purge, open the first
   * scan (what `Tracer.start()` does on a powered radio). Returns the broadcast put on air.
   */
  start(now: number): Broadcast;
  /** The next event and its due time; undefined before {@link TracerCore.start}. */
  next(): CoreEvent | undefined;
  /** Due time (unix ms) of the next event, NaN before {@link TracerCore.start}; {@link TracerCore.next} without an object. */
  nextDue(): number;
  /** Kind of the next event, undefined before {@link TracerCore.start}. */
  nextKind(): CoreEventKind | undefined;
  /**
   * Performs the next event at its due time (the host feeds a scan's packets with {@link TracerCore.hear}
   * before its `scan-end`). Events due at the same time run in the order they were armed, as on a clock.
   * @throws InvalidArgumentError before {@link TracerCore.start}
   */
  step(): CoreStep;
  /**
   * {@link TracerCore.step} without making its result: performs the next event and returns its kind. A host
   * stepping many cores reads what it needs from the core instead ({@link TracerCore.advertising} after a
   * `rotate`; a `scan-end`'s sightings go to the scan sink or the queued writes).
   * @throws InvalidArgumentError before {@link TracerCore.start}
   */
  advance(): CoreEventKind;
}

/**
 * Creates a {@link TracerCore}.
 * @public
 */
export function createTracerCore(options: TracerCoreOptions = {}): TracerCore {
  const scheme = checkScheme(options.scheme);
  const cycle = resolveScanCycle(options.scan ?? "gaen");
  // Checked here, not first when the schedule is made: a bad value fails where it was given.
  const retentionDays = checkRetentionDays(options.retentionDays);
  const random = options.random ?? randomBytes;
  // The first scan stands for one scan period, as every later scan at the cycle's cadence does (300 s,
  // the cap, for GAEN's; 60 s for continuous scanning, where 300 s overstated a restart's first scan).
  const aggregator = createScanAggregator({
    firstScanSeconds: Math.min(MAX_SECONDS_SINCE_LAST_SCAN, Math.round(cycle.periodMs / 1000)),
  });
  const host = options.clock;
  let time = options.now ?? host?.now() ?? Number.NEGATIVE_INFINITY;
  // Inside a call the schedule sees the call's time; between calls, the host's clock if there is one.
  let inCall = false;
  const clock = { now: () => (inCall || !host ? time : host.now()) };
  // Runs one of the schedule calls below with the schedule's clock pinned to `now` (the calls are made
  // once here, not as a closure per step).
  const pinned = <T>(now: number, fn: () => T): T => {
    at(now);
    inCall = true;
    try {
      return fn();
    } finally {
      inCall = false;
    }
  };
  const at = (now: number) => {
    if (!(now >= time)) throw new InvalidArgumentError(`time went back: ${now} < ${time}`);
    time = now;
  };
  let writes: LogWrite[] = [];
  const queue = (w: LogWrite) => {
    writes.push(w);
    options.onWrites?.();
  };

  const makeSchedule = (): GaenSchedule | BluezoneSchedule => {
    if (scheme === "gaen") {
      return createGaenSchedule({
        clock,
        random,
        retentionDays,
        metadata: broadcastMetadata(options),
        keys: options.ownKeys ?? [],
        onKeyChange: (key) => {
          queue({ kind: "own-key", key });
        },
      });
    }
    const stored = options.bluezoneState;
    if (stored && stored.length === 36) {
      const day = new DataView(stored.buffer, stored.byteOffset).getUint32(32);
      return createBluezoneSchedule({ clock, baseKey: stored.slice(0, 32), baseDay: day, retentionDays });
    }
    if (!Number.isFinite(time)) {
      throw new InvalidArgumentError(
        "a new Bluezone base key needs the creation time: give `now` or `clock`",
      );
    }
    const s = createBluezoneSchedule({ clock, random, retentionDays });
    const rec = new Uint8Array(36);
    rec.set(s.base.key);
    new DataView(rec.buffer).setUint32(32, s.base.day);
    queue({ kind: "state", name: BLUEZONE_STATE, value: rec });
    return s;
  };
  const schedule = makeSchedule();
  const purgeKeys = () => schedule.purge();
  const currentBroadcast = () => schedule.current();
  const currentSlot = () => schedule.slotAt(clock.now());
  const nextRotationAt = () => schedule.nextRotationAt();

  const uniform =
    options.jitter ??
    (() => {
      const b = random(4);
      return (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) / 2 ** 32;
    });
  // What is on air: its slot, since when, and the broadcast (made on demand after a rotation by
  // `advance`: a phone rotates 144 times a day, and objects kept for an interval outlive the young
  // generation, so the collector copied every one).
  let current: Broadcast | undefined;
  let onAirSlot = Number.NaN;
  let onAirSince = 0;
  // What the last `advance` did, for `step` to return: whether it rotated, a scan's sightings.
  let rotated = false;
  let ended: Sighting[] = NO_SIGHTINGS;
  let scanStart: number | undefined;
  let scans = 0;

  // The core's own timeline: one slot per kind, ordered by (due, arm sequence) like a clock's timers.
  const KINDS: CoreEventKind[] = ["rotate", "scan-start", "scan-end", "purge"];
  const due = [Number.NaN, Number.NaN, Number.NaN, Number.NaN];
  const seq = [0, 0, 0, 0];
  let armed = 0;
  // The next event's slot, cached between changes of the timeline (-2: to be found again).
  let cached = -2;
  const arm = (k: number, when: number) => {
    due[k] = when;
    seq[k] = ++armed;
    cached = -2;
  };
  const nextIndex = (): number => {
    if (cached === -2) cached = findNext();
    return cached;
  };
  const findNext = (): number => {
    let best = -1;
    for (let k = 0; k < 4; k++) {
      if (Number.isNaN(due[k]!)) continue;
      if (best < 0 || due[k]! < due[best]! || (due[k] === due[best] && seq[k]! < seq[best]!)) best = k;
    }
    return best;
  };

  const core: TracerCore = {
    schedule,
    cycle,
    now: () => time,
    get scans() {
      return scans;
    },
    get scanning() {
      return scanStart !== undefined;
    },
    get scanStart() {
      return scanStart;
    },
    purge(now) {
      pinned(now, purgeKeys);
      queue({ kind: "purge", before: now - retentionDays * DAY_MS });
    },
    broadcast(now) {
      return pinned(now, currentBroadcast);
    },
    onAir(b) {
      const rotation = onAirSlot !== b.slot;
      current = b;
      onAirSlot = b.slot;
      onAirSince = time;
      return rotation;
    },
    advertising() {
      if (current === undefined && !Number.isNaN(onAirSlot)) current = schedule.at(onAirSince);
      return current;
    },
    advertisingSlot: () => onAirSlot,
    rotationDelay(now) {
      return Math.max(1, pinned(now, nextRotationAt) - now);
    },
    beginScan(now) {
      at(now);
      aggregator.beginScan(now);
      scanStart = now;
    },
    hear(payload, rssi) {
      if (scanStart === undefined) return;
      if (payload.scheme === "gaen") aggregator.addPackets(payload.rpi, payload.aem, rssi);
      else aggregator.addPackets(payload.id, EMPTY, rssi);
    },
    hearIdentifier(identifier, aem, rssi) {
      if (scanStart !== undefined) aggregator.addPackets(identifier, aem, rssi);
    },
    hearSummary(identifier, aem, packets, meanRssi, maxRssi) {
      if (scanStart !== undefined) aggregator.addSummary(identifier, aem, packets, meanRssi, maxRssi);
    },
    hearSummaryAt(
      bytes,
      identifierOffset,
      identifierLength,
      aemBytes,
      aemOffset,
      aemLength,
      packets,
      meanRssi,
      maxRssi,
    ) {
      if (scanStart !== undefined)
        aggregator.addSummaryAt(
          bytes,
          identifierOffset,
          identifierLength,
          aemBytes,
          aemOffset,
          aemLength,
          packets,
          meanRssi,
          maxRssi,
        );
    },
    nextScanDelay(now) {
      at(now);
      const jitter = cycle.jitterMs === 0 ? 0 : Math.floor(uniform() * cycle.jitterMs);
      return Math.max(0, (scanStart ?? now) + cycle.periodMs + jitter - now);
    },
    endScan() {
      if (scanStart === undefined) return NO_SIGHTINGS;
      scanStart = undefined;
      scans++;
      if (options.scanSink) {
        aggregator.endScanInto(options.scanSink);
        return NO_SIGHTINGS;
      }
      const sightings = aggregator.endScan();
      if (sightings.length > 0) queue({ kind: "sightings", sightings });
      return sightings;
    },
    abandonScan() {
      if (scanStart === undefined) return;
      scanStart = undefined;
      aggregator.endScan();
    },
    takeWrites() {
      // Most steps queue nothing: hand out one shared empty array then, not a new one per call.
      if (writes.length === 0) return NO_WRITES as LogWrite[];
      const out = writes;
      writes = [];
      return out;
    },

    start(now) {
      core.purge(now);
      arm(3, now + PURGE_PERIOD_MS);
      const b = core.broadcast(now);
      core.onAir(b);
      arm(0, now + core.rotationDelay(now));
      core.beginScan(now);
      arm(2, now + cycle.durationMs);
      return b;
    },
    next() {
      const k = nextIndex();
      return k < 0 ? undefined : { kind: KINDS[k]!, at: due[k]! };
    },
    nextDue() {
      const k = nextIndex();
      return k < 0 ? Number.NaN : due[k]!;
    },
    nextKind() {
      const k = nextIndex();
      return k < 0 ? undefined : KINDS[k];
    },
    step() {
      const at = core.nextDue();
      const kind = core.advance();
      if (kind === "rotate") {
        if (!rotated) return { kind, at };
        rotated = false;
        return { kind, at, rotation: core.advertising()! };
      }
      if (kind === "scan-end") {
        const sightings = ended;
        ended = NO_SIGHTINGS;
        return { kind, at, sightings };
      }
      return { kind, at };
    },
    advance() {
      const k = nextIndex();
      if (k < 0) throw new InvalidArgumentError("the tracer core has not been started");
      const now = due[k]!;
      due[k] = Number.NaN;
      cached = -2;
      switch (k) {
        case 0: {
          // As the device tracer: re-arm first, then advertise what is current (the broadcast object
          // is made when asked for: by `step`, `advertising`).
          arm(0, now + core.rotationDelay(now));
          const slot = pinned(now, currentSlot);
          rotated = slot !== onAirSlot;
          if (rotated) {
            current = undefined;
            onAirSlot = slot;
            onAirSince = now;
          }
          return "rotate";
        }
        case 2: {
          arm(1, now + core.nextScanDelay(now));
          ended = core.endScan();
          return "scan-end";
        }
        case 1: {
          core.beginScan(now);
          arm(2, now + cycle.durationMs);
          return "scan-start";
        }
        default: {
          arm(3, now + PURGE_PERIOD_MS);
          core.purge(now);
          return "purge";
        }
      }
    },
  };
  return core;
}

const EMPTY = new Uint8Array(0);
/** No sightings (frozen: callers only read it). */
const NO_SIGHTINGS: Sighting[] = Object.freeze([]) as unknown as Sighting[];
/** What {@link TracerCore.takeWrites} returns when nothing is queued (frozen: callers only read it). */
const NO_WRITES: readonly LogWrite[] = Object.freeze([]);
