/** The simulated health authority publishes each key once, as a key server keeps one record per key. */
import { describe, expect, it } from "vitest";
import { createAuthority } from "../../sim/app/authority";
import { type ExposureKey, ReportType, readKeyFile, virtualClock } from "../../src/index";

const DAY0 = Date.UTC(2021, 7, 10);
/** The interval number of DAY0's midnight (a day's first interval: divisible by 144). */
const START = DAY0 / 600_000;

const key = (byte: number, start: number, period: number, reportType: ReportType): ExposureKey => ({
  keyData: new Uint8Array(16).fill(byte),
  rollingStartIntervalNumber: start,
  rollingPeriod: period,
  transmissionRiskLevel: 0,
  reportType,
});

describe("simulated authority", () => {
  it("publishes a key uploaded twice in one batch once, under the stronger report type and the longer period", () => {
    const clock = virtualClock(DAY0);
    const authority = createAuthority(5, clock);
    const start = START;
    // Person 7 notified F1 (RECURSIVE: yesterday's key and today's up to interval 60), then confirmed the
    // same day (CONFIRMED_TEST: the same keys, today's released later, up to interval 100); person 9 a case.
    authority.upload({
      owner: 7,
      keys: [key(1, start - 144, 144, ReportType.RECURSIVE), key(2, start, 60, ReportType.RECURSIVE)],
      publishDay: 3,
    });
    authority.upload({
      owner: 7,
      keys: [
        key(1, start - 144, 144, ReportType.CONFIRMED_TEST),
        key(2, start, 100, ReportType.CONFIRMED_TEST),
      ],
      publishDay: 3,
    });
    authority.upload({ owner: 9, keys: [key(3, start, 144, ReportType.CONFIRMED_TEST)], publishDay: 3 });
    const batch = authority.publish(3)!;
    const file = readKeyFile(batch.file, { trustedKeys: [authority.trustedKey], clock });
    const listed = file.keys.map((k) => [
      k.keyData[0],
      k.rollingStartIntervalNumber,
      k.rollingPeriod,
      k.reportType,
    ]);
    expect(listed).toEqual([
      [1, start - 144, 144, ReportType.CONFIRMED_TEST],
      [2, start, 100, ReportType.CONFIRMED_TEST],
      [3, start, 144, ReportType.CONFIRMED_TEST],
    ]);
    expect(batch.owners).toEqual([7, 7, 9]);
  });

  it("keeps keys of different start intervals apart, and a later CONFIRMED_TEST listing does not yield to RECURSIVE", () => {
    const clock = virtualClock(DAY0);
    const authority = createAuthority(6, clock);
    authority.upload({ owner: 1, keys: [key(4, START, 144, ReportType.CONFIRMED_TEST)], publishDay: 0 });
    authority.upload({
      owner: 1,
      keys: [key(4, START, 144, ReportType.RECURSIVE), key(4, START + 144, 144, ReportType.RECURSIVE)],
      publishDay: 0,
    });
    const batch = authority.publish(0)!;
    const file = readKeyFile(batch.file, { trustedKeys: [authority.trustedKey], clock });
    expect(file.keys.map((k) => [k.rollingStartIntervalNumber, k.reportType])).toEqual([
      [START, ReportType.CONFIRMED_TEST],
      [START + 144, ReportType.RECURSIVE],
    ]);
  });
});
