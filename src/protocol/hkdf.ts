/**
 * HKDF-SHA256 (RFC 5869) specialised for the Exposure Notification key derivations: empty salt, a
 * 16-byte TEK, a short info string and a 16-byte output.
 *
 * Node's `hkdfSync` costs ≈ 25 µs per call, almost all of it per-call object overhead; matching derives
 * keys for up to hundreds of thousands of TEKs, so this module computes the same function in plain
 * JavaScript with the constant HMAC pads precomputed (6 SHA-256 compressions, ≈ 2 µs). Its output is
 * checked against `hkdfSync` and the published vectors in the tests.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const IV = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

const W = new Int32Array(64);

/** One SHA-256 compression of the 16 words in `block` into `state` (in place). */
function compress(state: Int32Array, block: Int32Array): void {
  const w = W;
  for (let i = 0; i < 16; i++) w[i] = block[i]! | 0;
  for (let i = 16; i < 64; i++) {
    const w15 = w[i - 15]!;
    const w2 = w[i - 2]!;
    w[i] =
      (w[i - 16]! +
        (((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)) +
        w[i - 7]! +
        (((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10))) |
      0;
  }
  let a = state[0]! | 0;
  let b = state[1]! | 0;
  let c = state[2]! | 0;
  let d = state[3]! | 0;
  let e = state[4]! | 0;
  let f = state[5]! | 0;
  let g = state[6]! | 0;
  let h = state[7]! | 0;
  for (let i = 0; i < 64; i++) {
    const t1 =
      (h +
        (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
        ((e & f) ^ (~e & g)) +
        K[i]! +
        w[i]!) |
      0;
    const t2 =
      ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
        ((a & b) ^ (a & c) ^ (b & c))) |
      0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

const padBlock = new Int32Array(16);

/**
 * State after compressing one 64-byte block of `key` (≤ 16 words, zero-padded) XOR `pad`, written
 * into `out` (no allocation: matching calls this twice per key).
 */
function padStateInto(keyWords: Int32Array, pad: number, out: Int32Array): Int32Array {
  out.set(IV);
  const n = keyWords.length;
  for (let i = 0; i < 16; i++) padBlock[i] = (i < n ? keyWords[i]! : 0) ^ pad;
  compress(out, padBlock);
  return out;
}

/** {@link padStateInto} a fresh state. */
function padState(keyWords: Int32Array, pad: number): Int32Array {
  return padStateInto(keyWords, pad, new Int32Array(8));
}

// HMAC with the all-zero 32-byte salt (HKDF's default when the salt is empty): constant pad states.
const ZERO_KEY = new Int32Array(16);
const SALT_INNER = padState(ZERO_KEY, 0x36363636);
const SALT_OUTER = padState(ZERO_KEY, 0x5c5c5c5c);

const st = new Int32Array(8);
const blk = new Int32Array(16);

/** Finishes an HMAC: outer hash over the 32-byte inner digest in `st`; result left in `st`. */
function outer(outerState: Int32Array): void {
  for (let i = 0; i < 8; i++) blk[i] = st[i]!;
  blk[8] = 0x80000000;
  for (let i = 9; i < 15; i++) blk[i] = 0;
  blk[15] = (64 + 32) * 8;
  st.set(outerState);
  compress(st, blk);
}

function readBE(bytes: Uint8Array, off: number): number {
  return ((bytes[off]! << 24) | (bytes[off + 1]! << 16) | (bytes[off + 2]! << 8) | bytes[off + 3]!) >>> 0;
}

/** PRK = HMAC-SHA256(zeros, the 16 bytes of `ikm` at `offset`), left in `st`. */
function extractInto(ikm: Uint8Array, offset: number): void {
  for (let i = 0; i < 4; i++) blk[i] = readBE(ikm, offset + 4 * i);
  blk[4] = 0x80000000;
  for (let i = 5; i < 15; i++) blk[i] = 0;
  blk[15] = (64 + 16) * 8;
  st.set(SALT_INNER);
  compress(st, blk);
  outer(SALT_OUTER);
}

/** The HKDF pseudo-random key PRK = HMAC-SHA256(zeros, ikm) for a 16-byte `ikm`, as 8 words. */
export function hkdfExtract16(ikm: Uint8Array): Int32Array {
  extractInto(ikm, 0);
  return st.slice();
}

/** A precomputed HKDF-Expand "info" (≤ 55 bytes) with the counter byte 0x01 appended. */
export interface ExpandInfo {
  /** The final message block(s) as words, padding and length included. */
  readonly block: Int32Array;
}

/** Prepares an info string for {@link hkdfExpand16}. */
export function expandInfo(info: Uint8Array): ExpandInfo {
  if (info.length > 54) throw new RangeError("info too long for a single block");
  const bytes = new Uint8Array(64);
  bytes.set(info);
  bytes[info.length] = 1; // T(1) counter
  bytes[info.length + 1] = 0x80;
  const bitLen = (64 + info.length + 1) * 8;
  bytes[62] = bitLen >>> 8;
  bytes[63] = bitLen & 0xff;
  const block = new Int32Array(16);
  for (let i = 0; i < 16; i++) block[i] = readBE(bytes, 4 * i);
  return { block };
}

const prkWords = new Int32Array(8);
const innerPad = new Int32Array(8);
const outerPad = new Int32Array(8);

/** Writes the first 16 bytes of T(1), left in `st`, to `out` at `offset`. */
function expandInto(prk: Int32Array, info: ExpandInfo, out: Uint8Array, offset: number): void {
  const inner = padStateInto(prk, 0x36363636, innerPad);
  const outerS = padStateInto(prk, 0x5c5c5c5c, outerPad);
  st.set(inner);
  compress(st, info.block);
  outer(outerS);
  for (let i = 0; i < 4; i++) {
    const w = st[i]!;
    out[offset + 4 * i] = w >>> 24;
    out[offset + 4 * i + 1] = (w >>> 16) & 0xff;
    out[offset + 4 * i + 2] = (w >>> 8) & 0xff;
    out[offset + 4 * i + 3] = w & 0xff;
  }
}

/** HKDF-Expand to 16 bytes (the first half of T(1)) from a PRK of 8 words; writes into `out` at `offset`. */
export function hkdfExpand16(prk: Int32Array, info: ExpandInfo, out: Uint8Array, offset = 0): void {
  expandInto(prk, info, out, offset);
}

/**
 * HKDF-SHA256 with an empty salt from the 16-byte IKM at `ikm[ikmOffset]` to 16 bytes written at
 * `out[outOffset]`: {@link hkdfExtract16} then {@link hkdfExpand16} without allocating (6 SHA-256
 * compressions).
 */
export function hkdf16Into(
  ikm: Uint8Array,
  ikmOffset: number,
  info: ExpandInfo,
  out: Uint8Array,
  outOffset = 0,
): void {
  extractInto(ikm, ikmOffset);
  prkWords.set(st);
  expandInto(prkWords, info, out, outOffset);
}
