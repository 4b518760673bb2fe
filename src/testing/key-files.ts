/** Arbitrary signed key files: real bytes from `createKeyFile`, with what a reader needs to verify them. */
import fc from "fast-check";
import type { ExposureKey } from "../match/export-codec";
import { createKeyFile, type ReadKeyFileOptions } from "../match/key-file";
import { INTERVAL_MS } from "../protocol/intervals";
import { type DiagnosisKeyOptions, diagnosisKeys, TESTING_EPOCH_INTERVAL } from "./keys";
import { testSigner } from "./signer";

/**
 * A key file and how to read it back.
 * @public
 */
export interface GeneratedKeyFile {
  /** The zip bytes (export.bin + export.sig). */
  bytes: Uint8Array;
  /** Keys it holds, in order. */
  keys: ExposureKey[];
  /** Revised keys it holds, in order. */
  revisedKeys: ExposureKey[];
  /** Options under which `readKeyFile(bytes, readOptions)` accepts it (trusted key, a fixed clock). */
  readOptions: ReadKeyFileOptions;
}

/**
 * Options of {@link keyFile}.
 * @public
 */
export interface KeyFileOptions extends DiagnosisKeyOptions {
  /** Most keys; default 20. */
  maxKeys?: number;
  /** Most revised keys; default 3. */
  maxRevisedKeys?: number;
  /** Seed byte of the test signer; default 1. */
  signerSeed?: number;
}

/** The fixed "now" of generated key files: ten days after the toolkit epoch. */
const NOW_MS = (TESTING_EPOCH_INTERVAL + 10 * 144) * INTERVAL_MS;

/**
 * Arbitrary valid key files, signed by {@link testSigner} (Ed25519, so byte-identical per input).
 * @public
 */
export function keyFile(options: KeyFileOptions = {}): fc.Arbitrary<GeneratedKeyFile> {
  const { signer, trusted } = testSigner(options.signerSeed ?? 1);
  const clock = { now: () => NOW_MS };
  return fc
    .record({
      keys: diagnosisKeys({ ...options, minLength: 0, maxLength: options.maxKeys ?? 20 }),
      revisedKeys: diagnosisKeys({ ...options, minLength: 0, maxLength: options.maxRevisedKeys ?? 3 }),
      region: fc.constantFrom("", "VN", "DE", "310"),
      batch: fc
        .integer({ min: 1, max: 3 })
        .chain((size) => fc.tuple(fc.integer({ min: 1, max: size }), fc.constant(size))),
    })
    .map(({ keys, revisedKeys, region, batch: [batchNum, batchSize] }) => ({
      bytes: createKeyFile({ keys, revisedKeys, region, batchNum, batchSize, signer, clock }),
      keys,
      revisedKeys,
      readOptions: { trustedKeys: [trusted], clock },
    }));
}
