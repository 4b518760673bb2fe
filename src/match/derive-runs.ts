/**
 * Turns published keys of either scheme into "runs": a key's identifiers for consecutive slots, with
 * the time each slot starts. The matcher works on runs, so it treats both schemes alike.
 */
import {
  BLUEZONE_ID_LENGTH,
  BLUEZONE_SLOT_MS,
  BLUEZONE_SLOTS_PER_DAY,
  deriveBluezoneIds,
} from "../protocol/bluezone-compat";
import { deriveAllRpis, KEY_LENGTH, type TemporaryExposureKey } from "../protocol/gaen";
import { INTERVAL_MS } from "../protocol/intervals";

/**
 * A published Bluezone day key, decoded.
 * @public
 */
export interface BluezoneDayKey {
  /** The 32-byte day key. */
  dayKey: Uint8Array;
  /** Unix ms of the start of its day. */
  dayStart: number;
  /** Report type as for EN keys (1 = confirmed F0, 4 = recursive). */
  reportType?: number;
}

/**
 * Identifiers of one key for consecutive slots.
 * @public
 */
export interface DerivedRun {
  /** Index of the key in the caller's list. */
  keyIndex: number;
  /** `count` identifiers of `idLength` bytes, slot order. */
  ids: Uint8Array;
  /** 16 (RPI) or 12 (Bluezone ID). */
  idLength: number;
  /** Number of slots. */
  count: number;
  /** Unix ms at which the first slot starts. */
  firstSlotStart: number;
  /** Slot length in ms. */
  slotMs: number;
}

/** Keys derived per chunk, bounding memory when matching very many keys. */
const CHUNK = 2048;

/**
 * Derives the RPI runs of EN keys, `CHUNK` keys at a time (one HKDF + one AES call per key).
 * @public
 */
export function* deriveGaenRuns(keys: readonly TemporaryExposureKey[]): Generator<DerivedRun> {
  for (let c = 0; c < keys.length; c += CHUNK) {
    const derived = deriveAllRpis(keys.slice(c, c + CHUNK));
    for (let j = 0; j < derived.length; j++) {
      const d = derived[j]!;
      yield {
        keyIndex: c + j,
        ids: d.rpis,
        idLength: KEY_LENGTH,
        count: d.key.rollingPeriod,
        firstSlotStart: d.startInterval * INTERVAL_MS,
        slotMs: INTERVAL_MS,
      };
    }
  }
}

/**
 * Derives the 96 slot IDs of each Bluezone day key.
 * @public
 */
export function* deriveBluezoneRuns(keys: readonly BluezoneDayKey[]): Generator<DerivedRun> {
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    yield {
      keyIndex: i,
      ids: deriveBluezoneIds(k.dayKey),
      idLength: BLUEZONE_ID_LENGTH,
      count: BLUEZONE_SLOTS_PER_DAY,
      firstSlotStart: k.dayStart,
      slotMs: BLUEZONE_SLOT_MS,
    };
  }
}
