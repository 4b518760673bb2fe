/**
 * Matching published keys against a busy phone's 14-day log (≥ 50k scan instances): keys per second
 * through `checkExposure` (derive, probe, collect, windows, policy), next to raw AES-128-ECB over the
 * same number of blocks — under one key (`aesBulk`) and under each key's own key (`aesPerKey`).
 */
import { randomBytes } from "node:crypto";
import {
  aes128Ecb,
  checkExposure,
  createMemoryLog,
  deriveRpi,
  deriveRpik,
  type ExposureKey,
  INTERVAL_MS,
  rpiPaddedData,
  type Sighting,
} from "../src/index";
import { type Bench, measure, sig3 } from "./harness";

const DAY0 = 2_700_000 - (2_700_000 % 144);
const SIGHTINGS = 60_000;

function keys(n: number): ExposureKey[] {
  return Array.from({ length: n }, (_, i) => ({
    keyData: new Uint8Array(randomBytes(16)),
    rollingStartIntervalNumber: DAY0 + 144 * (i % 14),
    rollingPeriod: 144,
    reportType: 1,
  }));
}

const bench: Bench = {
  name: "match",
  async run() {
    // A busy phone: 60k scan instances over 14 days, 1% of them from 20 of the published keys.
    const published = keys(100_000);
    const log = createMemoryLog();
    const batch: Sighting[] = [];
    for (let i = 0; i < SIGHTINGS; i++) {
      const t = DAY0 * INTERVAL_MS + Math.floor((i / SIGHTINGS) * 14 * 86_400_000);
      const k = published[i % 20]!;
      const interval = Math.floor(t / INTERVAL_MS);
      const mine =
        i % 100 === 0 &&
        interval >= k.rollingStartIntervalNumber &&
        interval < k.rollingStartIntervalNumber + 144;
      batch.push({
        time: t,
        identifier: mine ? deriveRpi(deriveRpik(k.keyData), interval) : new Uint8Array(randomBytes(16)),
        aem: new Uint8Array(4),
        meanRssi: -60,
        maxRssi: -55,
        packets: 4,
        secondsSinceLastScan: 300,
      });
    }
    await log.record(batch);
    const aesKey = randomBytes(16);
    const rows = [];
    for (const n of [1_000, 10_000, 100_000]) {
      const ks = published.slice(0, n);
      const blocks = n * 144;
      const bulk = rpiPaddedData(0, blocks);
      const perKey = rpiPaddedData(0, 144);
      const aesBulk = measure(() => aes128Ecb(aesKey, bulk), blocks, 200, 2);
      const aesPerKey = measure(
        () => {
          for (const k of ks) aes128Ecb(k.keyData, perKey);
        },
        blocks,
        200,
        2,
      );
      const t0 = process.hrtime.bigint();
      const r = await checkExposure(log, ks);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const idsPerSecond = blocks / seconds;
      rows.push({
        keys: n,
        seconds: sig3(seconds),
        keysPerSecond: sig3(n / seconds),
        matchedKeys: r.matches.length,
        ratioToAesBulk: sig3(idsPerSecond / aesBulk),
        ratioToAesPerKey: sig3(idsPerSecond / aesPerKey),
      });
    }
    return { logScanInstances: SIGHTINGS, rows };
  },
};
export default bench;
