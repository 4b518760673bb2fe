/**
 * The per-key inner loop of matching Exposure Notification keys, shared by the calling thread and the
 * matching worker threads: RPIK by HKDF, the key's RPIs by one AES-128-ECB call, and each RPI probed
 * against the log's identifiers, with no per-identifier objects.
 *
 * Cost per key (measured by `npm run bench -- match`): the AES call — `createCipheriv` (the AES key
 * schedule, one per RPIK; Node cannot re-key a cipher object) and one `update()` over all of the key's
 * padded blocks — dominates; HKDF is the project's own SHA-256 code (`../protocol/hkdf`, ≈ 10× faster
 * than `hkdfSync`, `@noble/hashes` or `createHmac`, all of which pay per-call object overhead).
 * `final()` is not called: encrypting whole blocks, `update()` has already output every block, and
 * skipping `final()` (and `setAutoPadding`) saves native calls per key (≈ 15% of the AES call in CPU
 * time, loaded machine). The padded blocks are stamped once per distinct (start, period) and reused;
 * the AES output is copied into one aligned word buffer and each RPI's first word tested against a bit
 * filter before the hash table.
 */
import { createCipheriv } from "node:crypto";
import { endianness } from "node:os";
import { InvalidArgumentError } from "../errors";
import { KEY_LENGTH, rpiPaddedData, type TemporaryExposureKey } from "../protocol/gaen";
import { expandInfo, hkdf16Into } from "../protocol/hkdf";

const LITTLE_ENDIAN = endianness() === "LE";
const INFO_RPIK = expandInfo(Buffer.from("EN-RPIK", "ascii"));

/**
 * A set of 16-byte identifiers (the log's RPIs) laid out for probing: a bit filter on each
 * identifier's first word (≈ 16 bits per identifier, so ≈ 6% of misses reach the table), then an
 * open-addressing table of the four little-endian words at ≤ 50% load. The arrays live in
 * `SharedArrayBuffer`s, so posting the set to a worker thread does not copy it.
 */
export interface RpiSet {
  /** Bit filter indexed by the top `filterBits` bits of the first word. */
  readonly filter: Int32Array;
  readonly filterBits: number;
  /** Table of 4 words per slot; `used[slot]` is 1 when the slot holds an identifier. */
  readonly words: Int32Array;
  readonly used: Uint8Array;
  /** Slots − 1 (a power of two minus one). */
  readonly mask: number;
  /** Identifiers stored. */
  readonly size: number;
}

/** Little-endian word at byte `o` (the same words as `IdentifierTable`). */
function wordLE(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24);
}

function shared(bytes: number): ArrayBuffer | SharedArrayBuffer {
  return typeof SharedArrayBuffer === "function" ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
}

/**
 * Builds the probe set of the 16-byte identifiers in `identifiers` (others — 12-byte Bluezone IDs —
 * cannot equal an RPI and are left out). Memory: ≈ 40 bytes per identifier.
 */
export function createRpiSet(identifiers: readonly Uint8Array[]): RpiSet {
  let n = 0;
  for (const id of identifiers) if (id.length === KEY_LENGTH) n++;
  let cap = 16;
  while (cap < n * 2) cap *= 2;
  let filterBits = 10;
  while (filterBits < 27 && 2 ** filterBits < n * 16) filterBits++;
  const filter = new Int32Array(shared(2 ** filterBits / 8));
  const words = new Int32Array(shared(cap * 16));
  const used = new Uint8Array(shared(cap));
  const mask = cap - 1;
  const shift = 32 - filterBits;
  let size = 0;
  for (const id of identifiers) {
    if (id.length !== KEY_LENGTH) continue;
    const w0 = wordLE(id, 0);
    const w1 = wordLE(id, 4);
    const w2 = wordLE(id, 8);
    const w3 = wordLE(id, 12);
    const bit = w0 >>> shift;
    filter[bit >>> 5]! |= 1 << (bit & 31);
    let i = w0 & mask;
    let present = false;
    while (used[i]) {
      const k = i * 4;
      if (words[k] === w0 && words[k + 1] === w1 && words[k + 2] === w2 && words[k + 3] === w3) {
        present = true;
        break;
      }
      i = (i + 1) & mask;
    }
    if (present) continue;
    const k = i * 4;
    words[k] = w0;
    words[k + 1] = w1;
    words[k + 2] = w2;
    words[k + 3] = w3;
    used[i] = 1;
    size++;
  }
  return { filter, filterBits, words, used, mask, size };
}

/** Keys packed into typed arrays (what a worker thread is sent). */
export interface PackedKeys {
  /** 16 bytes per key. */
  readonly keyData: Uint8Array;
  /** rollingStartIntervalNumber per key. */
  readonly starts: Uint32Array;
  /** rollingPeriod per key. */
  readonly periods: Uint16Array;
}

/**
 * Packs keys for {@link probeGaenKeys}.
 * @throws InvalidArgumentError if a key's data is not 16 bytes (as `deriveRpik` does)
 */
export function packKeys(keys: readonly TemporaryExposureKey[], from = 0, to = keys.length): PackedKeys {
  const n = to - from;
  const keyData = new Uint8Array(n * KEY_LENGTH);
  const starts = new Uint32Array(n);
  const periods = new Uint16Array(n);
  for (let j = 0; j < n; j++) {
    const k = keys[from + j]!;
    if (!(k.keyData instanceof Uint8Array) || k.keyData.length !== KEY_LENGTH)
      throw new InvalidArgumentError(`TEK must be ${KEY_LENGTH} bytes`);
    keyData.set(k.keyData, j * KEY_LENGTH);
    starts[j] = k.rollingStartIntervalNumber >>> 0;
    periods[j] = k.rollingPeriod;
  }
  return { keyData, starts, periods };
}

/** Identifiers of packed keys found in an {@link RpiSet}, in key order, then slot order. */
export interface ProbeHits {
  /** Index of the key within the packed keys, per hit. */
  keys: number[];
  /** Slot (interval offset from the key's start) per hit. */
  slots: number[];
  /** The RPI per hit (16 bytes). */
  ids: Uint8Array[];
}

/**
 * Derives the RPIs of every packed key and probes them against `set`.
 * Same identifiers, keys and slots as `deriveGaenRuns` followed by a table probe of every RPI.
 */
export function probeGaenKeys(packed: PackedKeys, set: RpiSet): ProbeHits {
  const hits: ProbeHits = { keys: [], slots: [], ids: [] };
  const n = packed.starts.length;
  if (set.size === 0) return hits;
  const { filter, words, used, mask } = set;
  const shift = 32 - set.filterBits;
  const pads = new Map<number, Buffer>();
  // One RPIK buffer for all keys (createCipheriv copies the key into the cipher), and the AES output
  // copied into one aligned word buffer, so no per-key views or key objects are made.
  const rpik = new Uint8Array(KEY_LENGTH);
  let maxPeriod = 0;
  for (let j = 0; j < n; j++) maxPeriod = Math.max(maxPeriod, packed.periods[j]!);
  const w = new Int32Array(maxPeriod * 4);
  const wBytes = new Uint8Array(w.buffer);
  for (let j = 0; j < n; j++) {
    const start = packed.starts[j]!;
    const period = packed.periods[j]!;
    if (period === 0) continue;
    const padKey = start * 65536 + period;
    let pad = pads.get(padKey);
    if (pad === undefined) {
      if (pads.size >= 64) pads.clear();
      pad = rpiPaddedData(start, period);
      pads.set(padKey, pad);
    }
    hkdf16Into(packed.keyData, j * KEY_LENGTH, INFO_RPIK, rpik);
    const out = createCipheriv("aes-128-ecb", rpik, null).update(pad);
    if (LITTLE_ENDIAN) wBytes.set(out);
    else for (let i = 0; i < period * 4; i++) w[i] = wordLE(out, i * 4);
    for (let i = 0; i < period; i++) {
      const k0 = i * 4;
      const w0 = w[k0]!;
      const bit = w0 >>> shift;
      if ((filter[bit >>> 5]! & (1 << (bit & 31))) === 0) continue;
      const w1 = w[k0 + 1]!;
      const w2 = w[k0 + 2]!;
      const w3 = w[k0 + 3]!;
      for (let s = w0 & mask; used[s]; s = (s + 1) & mask) {
        const k = s * 4;
        if (words[k] === w0 && words[k + 1] === w1 && words[k + 2] === w2 && words[k + 3] === w3) {
          hits.keys.push(j);
          hits.slots.push(i);
          hits.ids.push(new Uint8Array(out.subarray(i * KEY_LENGTH, (i + 1) * KEY_LENGTH)));
          break;
        }
      }
    }
  }
  return hits;
}
