/**
 * Byte and text mutations as fast-check arbitraries: each draws a short mutation plan (cheap to
 * generate and to shrink) that is applied to a real sample.
 */
import fc from "fast-check";

/** One byte-level mutation. */
export type ByteMutation =
  | { op: "flip"; at: number; xor: number }
  | { op: "set"; at: number; value: number }
  | { op: "truncate"; at: number }
  | { op: "insert"; at: number; bytes: Uint8Array }
  | { op: "delete"; at: number; count: number }
  | { op: "u32"; at: number; value: number }
  | { op: "u16"; at: number; value: number };

const position = fc.nat({ max: 1 << 16 });
const interesting32 = fc.oneof(
  fc.constantFrom(0, 1, 0x7f, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x10000000),
  fc.nat(),
);

/** Arbitrary byte mutations (positions are taken modulo the input length when applied). */
export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ op: fc.constant("flip" as const), at: position, xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constant("set" as const), at: position, value: fc.constantFrom(0, 0x7f, 0x80, 0xff) }),
  fc.record({ op: fc.constant("truncate" as const), at: position }),
  fc.record({
    op: fc.constant("insert" as const),
    at: position,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ op: fc.constant("delete" as const), at: position, count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ op: fc.constant("u32" as const), at: position, value: interesting32 }),
  fc.record({ op: fc.constant("u16" as const), at: position, value: fc.nat(0xffff) }),
);

/** Applies one mutation (returns a new array). */
export function applyByteMutation(input: Uint8Array, m: ByteMutation): Uint8Array {
  const n = input.length;
  const at = n === 0 ? 0 : m.at % (n + (m.op === "insert" || m.op === "truncate" ? 1 : 0));
  switch (m.op) {
    case "flip":
    case "set": {
      if (n === 0) return input;
      const out = input.slice();
      out[at] = m.op === "flip" ? out[at]! ^ m.xor : m.value;
      return out;
    }
    case "truncate":
      return input.slice(0, at);
    case "insert": {
      const out = new Uint8Array(n + m.bytes.length);
      out.set(input.subarray(0, at));
      out.set(m.bytes, at);
      out.set(input.subarray(at), at + m.bytes.length);
      return out;
    }
    case "delete": {
      const out = new Uint8Array(Math.max(0, n - Math.min(m.count, n - at)));
      out.set(input.subarray(0, at));
      out.set(input.subarray(at + m.count), at);
      return out;
    }
    case "u32":
    case "u16": {
      const width = m.op === "u32" ? 4 : 2;
      if (n < width) return input;
      const out = input.slice();
      const o = Math.min(at, n - width);
      const v = new DataView(out.buffer);
      if (width === 4) v.setUint32(o, m.value >>> 0, true);
      else v.setUint16(o, m.value, true);
      return out;
    }
  }
}

/** Applies mutations in order. */
export function applyByteMutations(input: Uint8Array, ms: readonly ByteMutation[]): Uint8Array {
  return ms.reduce(applyByteMutation, input);
}

/** Arbitrary mutants of `sample`: 1–4 mutations. */
export function mutantOf(sample: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.array(byteMutation, { minLength: 1, maxLength: 4 }).map((ms) => applyByteMutations(sample, ms));
}

/** Offsets of a 4-byte little-endian signature in `bytes`. */
export function findSignatures(bytes: Uint8Array, signature: number): number[] {
  const out: number[] = [];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i + 4 <= bytes.length; i++) if (v.getUint32(i, true) === signature) out.push(i);
  return out;
}

/** Zip structure signatures. */
export const ZIP = { local: 0x04034b50, central: 0x02014b50, end: 0x06054b50 } as const;

/** A text mutation. */
export type TextMutation = { at: number; op: "insert" | "replace" | "delete"; text: string };

/** Characters that matter to a CSV reader. */
const csvChar = fc.constantFrom(
  ",",
  '"',
  "\n",
  "\r\n",
  "\r",
  " ",
  "-",
  ".",
  "e",
  "1",
  "9",
  "NaN",
  "Infinity",
  "\uFEFF",
  "\u0000",
  "é",
  "\uD800",
);

/** Arbitrary text mutations. */
export const textMutation: fc.Arbitrary<TextMutation> = fc.record({
  at: position,
  op: fc.constantFrom("insert" as const, "replace" as const, "delete" as const),
  text: fc.oneof(csvChar, fc.string({ maxLength: 6 })),
});

/** Applies text mutations in order. */
export function applyTextMutations(input: string, ms: readonly TextMutation[]): string {
  let s = input;
  for (const m of ms) {
    const at = m.at % (s.length + 1);
    if (m.op === "insert") s = s.slice(0, at) + m.text + s.slice(at);
    else if (m.op === "replace") s = s.slice(0, at) + m.text + s.slice(at + m.text.length);
    else s = s.slice(0, at) + s.slice(at + 1 + (m.text.length % 8));
  }
  return s;
}
