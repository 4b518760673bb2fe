/**
 * Identifier derivation against raw AES-128-ECB over the same number of blocks.
 *
 * Two baselines, both measured here: `aesBulk`, one key over all blocks (the machine's AES throughput),
 * and `aesPerKey`, each key's 144 blocks under its own AES key (the floor for any EN implementation,
 * since every TEK has its own key schedule). Derivation adds one HKDF per key on top.
 */
import { randomBytes } from "node:crypto";
import { deriveAllRpis, rpiPaddedData, type TemporaryExposureKey } from "../src/index";
import { aes128Ecb } from "../src/protocol/gaen";
import { type Bench, measure, sig3 } from "./harness";

const KEYS = 2000;

const bench: Bench = {
  name: "protocol",
  async run() {
    const keys: TemporaryExposureKey[] = Array.from({ length: KEYS }, (_, i) => ({
      keyData: new Uint8Array(randomBytes(16)),
      rollingStartIntervalNumber: 2_700_000 + 144 * (i % 14),
      rollingPeriod: 144,
    }));
    const blocks = KEYS * 144;
    const aesKey = randomBytes(16);
    const bulkData = rpiPaddedData(0, blocks);
    const perKeyData = rpiPaddedData(0, 144);
    const aesBulk = measure(() => aes128Ecb(aesKey, bulkData), blocks);
    const aesPerKey = measure(() => {
      for (const k of keys) aes128Ecb(k.keyData, perKeyData);
    }, blocks);
    const derive = measure(() => deriveAllRpis(keys), blocks);
    return {
      keys: KEYS,
      identifiersPerSecond: sig3(derive),
      aesBulkBlocksPerSecond: sig3(aesBulk),
      aesPerKeyBlocksPerSecond: sig3(aesPerKey),
      ratioToAesBulk: sig3(derive / aesBulk),
      ratioToAesPerKey: sig3(derive / aesPerKey),
      keysPerSecond: sig3(derive / 144),
    };
  },
};
export default bench;
