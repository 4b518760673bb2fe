/**
 * What the exported conformance suites need from a test framework, and the few helpers they share.
 * The suites assert with `node:assert/strict` (whose errors every framework reports), so no test
 * framework is a dependency of bluezone.
 */

/**
 * The registration functions of a `describe`/`it` test framework: vitest, jest, mocha, bun:test and
 * `node:test` all fit. Tests are async and clean up after themselves (no hooks are used). To give the
 * suite's tests a longer timeout, pass a wrapper, e.g. `it: (name, fn) => it(name, fn, 60_000)`.
 * @public
 */
export interface SuiteFunctions {
  /** Registers a group of tests (`describe`). */
  describe: (name: string, body: () => void) => unknown;
  /** Registers one async test (`it` or `test`). */
  it: (name: string, body: () => Promise<void>) => unknown;
}

/** Lower-case hex of bytes, written here rather than taken from the library under test. */
export function suiteHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}
