/**
 * Key schedules: which key and identifier a phone broadcasts at a given time, when the next rotation is,
 * and which of its own keys it keeps for a later diagnosis report. Time comes from an injected clock.
 */
import { randomBytes } from "node:crypto";
import type { RandomBytes } from "../bytes";
import type { Clock } from "../clock";
import { InvalidArgumentError } from "../errors";
import {
  BLUEZONE_ID_LENGTH,
  BLUEZONE_SLOT_MS,
  bluezoneDayKey,
  bluezoneSlot,
  deriveBluezoneIds,
  generateBluezoneBaseKey,
} from "./bluezone-compat";
import {
  aes128Ecb,
  deriveAemk,
  deriveRpik,
  deriveRpis,
  generateTek,
  type TemporaryExposureKey,
} from "./gaen";
import {
  DAY_MS,
  INTERVAL_MS,
  INTERVALS_PER_DAY,
  dayStartInterval,
  intervalNumber,
  utcDay,
} from "./intervals";
import { encodeMetadata, type Metadata } from "./metadata";
import type { Payload } from "./payload";
import { checkRetentionDays } from "./retention";

/**
 * Names of the identifier schemes.
 * @public
 */
export type SchemeName = "gaen" | "bluezone";

/**
 * What to broadcast during one rotation slot.
 * @public
 */
export interface Broadcast {
  /**
   * The payload to advertise. Its byte arrays may be views of the schedule's own derived identifiers:
   * read them, copy them to keep them past the key's retention, never write to them.
   */
  payload: Payload;
  /** The rotating identifier alone (RPI or Bluezone ID). */
  identifier: Uint8Array;
  /** Slot number: ENIntervalNumber (EN) or days·96 + slot (Bluezone). */
  slot: number;
  /** Unix ms at which this broadcast became current. */
  start: number;
  /** Unix ms at which the next identifier takes over (exclusive end). */
  end: number;
}

/**
 * The part every schedule offers to an orchestrator.
 * @public
 */
export interface KeySchedule {
  /** Which scheme this schedule speaks. */
  readonly scheme: SchemeName;
  /** The broadcast current at the clock's time. */
  current(): Broadcast;
  /** The broadcast for a given unix-ms time (creates the day's key when needed). */
  at(unixMs: number): Broadcast;
  /**
   * The `slot` of the broadcast for a given unix-ms time, without making the broadcast (creates the
   * day's key when needed, as {@link KeySchedule.at}): a host that only needs to know whether the identifier
   * changed, many times a day on many phones, allocates nothing.
   * @throws InvalidArgumentError as {@link KeySchedule.at}
   */
  slotAt(unixMs: number): number;
  /** Unix ms of the next identifier rotation after the clock's time. */
  nextRotationAt(): number;
  /** Drops keys older than the retention window; returns how many were dropped. */
  purge(): number;
}

/**
 * Options of {@link createGaenSchedule}.
 * @public
 */
export interface GaenScheduleOptions {
  /** Injected time source. */
  clock: Pick<Clock, "now">;
  /** Random source for new TEKs; `crypto.randomBytes` by default. */
  random?: RandomBytes;
  /** Days of own keys kept for a report, the current day included; default 14. */
  retentionDays?: number;
  /** Metadata broadcast in the AEM (tx power, calibration confidence). */
  metadata?: Partial<Metadata>;
  /** Previously stored own keys (after a restart), so the day's key continues. */
  keys?: readonly TemporaryExposureKey[];
  /** Called with each new TEK and each TEK whose period was truncated by a release (to persist it). */
  onKeyChange?: (key: TemporaryExposureKey) => void;
}

/**
 * An Exposure Notification schedule with access to its own TEK history.
 * @public
 */
export interface GaenSchedule extends KeySchedule {
  /** Which scheme the schedule broadcasts: Exposure Notification v1.2. */
  readonly scheme: "gaen";
  /** Own TEKs within retention, oldest first. */
  keys(): TemporaryExposureKey[];
  /**
   * The keys to upload in a diagnosis report. Past days' keys always; with `includeToday` also the
   * current key, truncated to the intervals already on air, the current interval included (released
   * at 10:05 UTC: rolling period 61, intervals 0…60; at 00:05 UTC: period 1). From the next interval
   * on, broadcasting uses a fresh key (start = next interval, up to the day's end), so the released
   * key is never used for another interval. Calling it again in the same interval returns the same
   * keys and draws no new one.
   */
  releaseKeys(options?: { includeToday?: boolean }): TemporaryExposureKey[];
  /**
   * Writes the RPI (16 bytes) and then the AEM (4 bytes) of the broadcast for a given unix-ms time into
   * `out` at `offset`, and returns its interval number: {@link KeySchedule.at} without the objects.
   * @throws RangeError when the 20 bytes do not fit in `out` at `offset`
   */
  identifierInto(unixMs: number, out: Uint8Array, offset: number): number;
  /**
   * The RPIs and AEMs of the TEK that covers interval number `interval`, as the schedule derives them
   * to broadcast (Exposure Notification v1.2, "Rolling Proximity Identifier", "Associated Encrypted
   * Metadata"): `rpis` holds 16 bytes and `aems` 4 bytes per interval from `first` (the key's rolling
   * start interval number) on, at least to the end of its rolling period, `count` intervals now (a
   * release shortens a key's period: then `count` is the shorter one). Views of the schedule's own
   * bytes, not copies: read them, do not write them. Derived now if they were not; for an interval no
   * key covers, the day's key is drawn first, as {@link KeySchedule.at} does. A host matching a phone's
   * own keys (a simulator's detection measure), or hearing many phones' broadcasts (its fleet), reads
   * them here instead of deriving the key again or copying each broadcast.
   */
  rpisAt(interval: number): KeyBroadcasts;
}

/**
 * What {@link GaenSchedule.rpisAt} returns: a key's identifiers as the schedule broadcasts them.
 * @public
 */
export interface KeyBroadcasts {
  /** The key's rolling start interval number: `rpis` and `aems` start at this interval. */
  first: number;
  /** Intervals the key covers now (its rolling period). */
  count: number;
  /** 16 bytes per interval (at least `count` intervals). */
  rpis: Uint8Array;
  /** 4 bytes per interval (at least `count` intervals). */
  aems: Uint8Array;
}

/** Keys whose derived identifiers a schedule keeps besides the one just derived (see `at`). */
const DERIVED_KEPT = 2;

/** A key's RPIs (16 bytes each) and AEMs (4 bytes each), in interval order. */
interface Derived {
  rpis: Buffer;
  aems: Uint8Array;
}

interface KeyState {
  key: TemporaryExposureKey;
  /** The key's identifiers, derived together on first use (two AES calls per key and day). */
  derived?: Derived;
}

/**
 * All RPIs and AEMs of a key in two AES calls: AEM_j is AES-CTR with the RPI as counter block, whose
 * first keystream block is AES-ECB(AEMK, RPI_j), so every AEM comes from one ECB pass over the RPIs.
 */
function deriveBroadcasts(key: TemporaryExposureKey, metadata: Uint8Array): Derived {
  const rpis = deriveRpis(deriveRpik(key.keyData), key.rollingStartIntervalNumber, key.rollingPeriod);
  const stream = aes128Ecb(deriveAemk(key.keyData), rpis);
  const aems = new Uint8Array(key.rollingPeriod * 4);
  for (let i = 0; i < key.rollingPeriod; i++) {
    for (let b = 0; b < 4; b++) aems[i * 4 + b] = stream[i * 16 + b]! ^ metadata[b]!;
  }
  return { rpis, aems };
}

/**
 * Creates an Exposure Notification v1.2 key schedule (one TEK per UTC day, one RPI per interval).
 * @public
 */
export function createGaenSchedule(options: GaenScheduleOptions): GaenSchedule {
  const { clock, random = randomBytes, onKeyChange } = options;
  const retentionDays = checkRetentionDays(options.retentionDays);
  const metadata = encodeMetadata(options.metadata);
  const states: KeyState[] = [];
  const add = (key: TemporaryExposureKey): KeyState => {
    const s: KeyState = { key };
    states.push(s);
    states.sort((a, b) => a.key.rollingStartIntervalNumber - b.key.rollingStartIntervalNumber);
    return s;
  };
  for (const k of options.keys ?? []) add(k);

  const covers = (s: KeyState, interval: number) =>
    interval >= s.key.rollingStartIntervalNumber &&
    interval < s.key.rollingStartIntervalNumber + s.key.rollingPeriod;

  const stateFor = (interval: number): KeyState => {
    // The newest key covering the interval wins (a same-day replacement overrides a released key).
    for (let i = states.length - 1; i >= 0; i--) if (covers(states[i]!, interval)) return states[i]!;
    const dayStart = dayStartInterval(interval);
    const s = add(generateTek(dayStart, INTERVALS_PER_DAY, random));
    onKeyChange?.({ ...s.key, keyData: s.key.keyData.slice() });
    return s;
  };

  /** The key state for `interval`, with its identifiers derived. */
  const derivedFor = (interval: number): KeyState & { derived: Derived } => {
    const s = stateFor(interval);
    if (s.derived === undefined) {
      s.derived = deriveBroadcasts(s.key, metadata);
      // Only the newest keys' identifiers are asked for again (a phone advertises the current one;
      // a day's first lookups may reach back into the previous day): the older ones' are dropped, and
      // derived again if ever needed (2.9 KB a key, 14 keys kept for a report).
      let kept = 0;
      for (let i = states.length - 1; i >= 0; i--) {
        const t = states[i]!;
        if (t.derived === undefined || t === s) continue;
        if (++kept > DERIVED_KEPT) t.derived = undefined;
      }
    }
    return s as KeyState & { derived: Derived };
  };

  const at = (unixMs: number): Broadcast => {
    const interval = intervalNumber(unixMs);
    const s = derivedFor(interval);
    const j = interval - s.key.rollingStartIntervalNumber;
    // Views of the key's derived identifiers, not copies: a broadcast is read, never written, and a
    // phone makes one per interval (a copy would allocate a backing store each time).
    const rpis = s.derived.rpis;
    const rpi = new Uint8Array(rpis.buffer, rpis.byteOffset + j * 16, 16);
    const aems = s.derived.aems;
    return {
      payload: { scheme: "gaen", rpi, aem: new Uint8Array(aems.buffer, aems.byteOffset + j * 4, 4) },
      identifier: rpi,
      slot: interval,
      start: interval * INTERVAL_MS,
      end: (interval + 1) * INTERVAL_MS,
    };
  };

  const purge = (): number => {
    const oldest = dayStartInterval(intervalNumber(clock.now())) - (retentionDays - 1) * INTERVALS_PER_DAY;
    const before = states.length;
    for (let i = states.length - 1; i >= 0; i--) {
      const k = states[i]!.key;
      if (k.rollingStartIntervalNumber + k.rollingPeriod <= oldest) states.splice(i, 1);
    }
    return before - states.length;
  };

  return {
    scheme: "gaen",
    at,
    slotAt(unixMs) {
      const interval = intervalNumber(unixMs);
      stateFor(interval);
      return interval;
    },
    identifierInto(unixMs, out, offset) {
      if (!(Number.isInteger(offset) && offset >= 0 && offset + 20 <= out.length))
        throw new RangeError(`20 bytes at offset ${offset} do not fit in ${out.length}`);
      const interval = intervalNumber(unixMs);
      const { key, derived } = derivedFor(interval);
      const j = interval - key.rollingStartIntervalNumber;
      const { rpis, aems } = derived;
      for (let i = 0; i < 16; i++) out[offset + i] = rpis[j * 16 + i]!;
      for (let i = 0; i < 4; i++) out[offset + 16 + i] = aems[j * 4 + i]!;
      return interval;
    },
    rpisAt(interval) {
      const { key, derived } = derivedFor(interval);
      return {
        first: key.rollingStartIntervalNumber,
        count: key.rollingPeriod,
        rpis: derived.rpis,
        aems: derived.aems,
      };
    },
    current: () => at(clock.now()),
    nextRotationAt: () => (intervalNumber(clock.now()) + 1) * INTERVAL_MS,
    purge,
    keys: () => {
      purge();
      return states.map((s) => ({ ...s.key, keyData: s.key.keyData.slice() }));
    },
    releaseKeys({ includeToday = false } = {}) {
      purge();
      const now = intervalNumber(clock.now());
      const out: TemporaryExposureKey[] = [];
      for (const s of states) {
        const k = s.key;
        // A key starting after now (the fresh key of an earlier same-day release) was never on air.
        if (k.rollingStartIntervalNumber > now) continue;
        if (!covers(s, now)) {
          out.push({ ...k, keyData: k.keyData.slice() });
          continue;
        }
        if (!includeToday) continue;
        // Truncate to the intervals on air so far, the current one included: its RPI went on air at
        // the interval's start and stays there until the next rotation (released at 10:05 UTC, the
        // key covers intervals 0…60 of the day, period 61; at 00:05 UTC, period 1).
        const period = now - k.rollingStartIntervalNumber + 1;
        if (k.rollingPeriod !== period) {
          k.rollingPeriod = period;
          onKeyChange?.({ ...k, keyData: k.keyData.slice() });
        }
        out.push({ ...k, keyData: k.keyData.slice() });
      }
      if (includeToday) {
        // A fresh key from the next interval to the day's end, so the released key is never used for
        // a new interval and no interval has two keys. A release in the day's last interval needs
        // none: the next day's key is drawn at the next rotation, as usual.
        const next = now + 1;
        const dayEnd = dayStartInterval(now) + INTERVALS_PER_DAY;
        if (next < dayEnd && !states.some((s) => covers(s, next))) {
          const fresh = add(generateTek(next, dayEnd - next, random));
          onKeyChange?.({ ...fresh.key, keyData: fresh.key.keyData.slice() });
        }
      }
      return out;
    },
  };
}

/**
 * A published or stored Bluezone day key: Bluezone's F0 data record.
 * @public
 */
export interface BluezoneDayKeyRecord {
  /** Hex of the 32-byte day key. */
  daily_key: string;
  /** Unix ms of the start of the day the key is for. */
  time_start: number;
  /** Number of slots (96). */
  max: number;
  /** Unix ms of the end of that day. */
  time_end: number;
}

/**
 * Options of {@link createBluezoneSchedule}.
 * @public
 */
export interface BluezoneScheduleOptions {
  /** Injected time source. */
  clock: Pick<Clock, "now">;
  /** Existing 32-byte base key K0; generated when absent. */
  baseKey?: Uint8Array;
  /** UTC day number on which the base key was made; the clock's day when absent. */
  baseDay?: number;
  /** Random source for a new base key. */
  random?: RandomBytes;
  /** Days of day keys offered for a report; default 14. */
  retentionDays?: number;
}

/**
 * A Bluezone v2 schedule (day keys by hash chain, 96 slots of 15 minutes).
 * @public
 */
export interface BluezoneSchedule extends KeySchedule {
  /** Which scheme the schedule broadcasts: Bluezone v2. */
  readonly scheme: "bluezone";
  /** The base key and its day, to persist. */
  readonly base: { key: Uint8Array; day: number };
  /** Day-key records of the retained days (up to today), oldest first, for an F0 upload. */
  releaseKeys(): BluezoneDayKeyRecord[];
}

/**
 * Creates a Bluezone-compatible schedule.
 * @public
 */
export function createBluezoneSchedule(options: BluezoneScheduleOptions): BluezoneSchedule {
  const { clock, retentionDays = 14 } = options;
  const baseKey = options.baseKey ?? generateBluezoneBaseKey(options.random);
  const baseDay = options.baseDay ?? utcDay(clock.now());
  // Cache: the day key and IDs of the last day asked for, plus a forward-only chain cursor.
  let cursor = { n: 0, key: bluezoneDayKey(baseKey, 0) };
  let cached: { day: number; ids: Uint8Array } | undefined;
  const dayKey = (day: number): Uint8Array => {
    const n = day - baseDay;
    if (n < 0) throw new InvalidArgumentError(`time is before the base key's day ${baseDay}`);
    if (n < cursor.n) cursor = { n: 0, key: baseKey };
    let k = cursor.key;
    for (let i = cursor.n; i < n; i++) k = bluezoneDayKey(k, 1);
    cursor = { n, key: k };
    return k;
  };
  const at = (unixMs: number): Broadcast => {
    const day = utcDay(unixMs);
    if (cached?.day !== day) cached = { day, ids: deriveBluezoneIds(dayKey(day)) };
    const slot = bluezoneSlot(unixMs);
    const id = cached.ids.slice(slot * BLUEZONE_ID_LENGTH, (slot + 1) * BLUEZONE_ID_LENGTH);
    const start = day * DAY_MS + slot * BLUEZONE_SLOT_MS;
    return {
      payload: { scheme: "bluezone", id },
      identifier: id,
      slot: day * 96 + slot,
      start,
      end: start + BLUEZONE_SLOT_MS,
    };
  };
  return {
    scheme: "bluezone",
    base: { key: baseKey.slice(), day: baseDay },
    at,
    slotAt(unixMs) {
      const day = utcDay(unixMs);
      if (day < baseDay) throw new InvalidArgumentError(`time is before the base key's day ${baseDay}`);
      return day * 96 + bluezoneSlot(unixMs);
    },
    current: () => at(clock.now()),
    nextRotationAt: () => at(clock.now()).end,
    purge: () => 0, // the chain is stateless beyond the base key
    releaseKeys() {
      const today = utcDay(clock.now());
      const out: BluezoneDayKeyRecord[] = [];
      for (let d = Math.max(baseDay, today - retentionDays + 1); d <= today; d++) {
        out.push({
          daily_key: Buffer.from(dayKey(d)).toString("hex"),
          time_start: d * DAY_MS,
          max: 96,
          time_end: (d + 1) * DAY_MS,
        });
      }
      return out;
    },
  };
}
