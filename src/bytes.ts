/** Small byte helpers shared by the protocol, log and CLI. */
import { InvalidArgumentError } from "./errors";

/**
 * Lower-case hex of `bytes`.
 * @public
 */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/**
 * Parses a hex string (even length, optional `0x` prefix) into bytes.
 * @param expectedLength - if given, the number of bytes the value must have
 * @param what - name used in the error message
 * @throws InvalidArgumentError on bad characters or length
 * @public
 */
export function fromHex(hex: string, expectedLength?: number, what = "value"): Uint8Array {
  const s = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) {
    throw new InvalidArgumentError(
      `${what} must be hexadecimal digits (an even number of them), got "${hex}"`,
    );
  }
  const out = new Uint8Array(Buffer.from(s, "hex"));
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new InvalidArgumentError(`${what} must be ${expectedLength} bytes, got ${out.length}`);
  }
  return out;
}

/** True when `a` and `b` hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A function returning `n` random bytes: `crypto.randomBytes` by default, seeded in simulations.
 * @public
 */
export type RandomBytes = (n: number) => Uint8Array;
