/**
 * The sender tx power of exposure windows against `senderTxPower` (one `cryptAem` per sighting, the
 * specification's AES-CTR) on random metadata bytes — any version, confidence, power and reserved
 * bytes, and AEMs of other keys — and a TEK array whose bytes change between calls (the windows follow
 * the new key, not an AEMK kept for the array).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildExposureWindows,
  cryptAem,
  deriveAemk,
  deriveRpi,
  deriveRpik,
  INTERVAL_MS,
  type KeyMatch,
  type Sighting,
  senderTxPower,
} from "../../src/index";

const START = 2_700_000;

/** Sightings of `tek`'s RPIs, one per interval, 10 minutes apart (a window each), with `raw` metadata. */
function matchOf(tek: Uint8Array, raws: readonly Uint8Array[], shortAem: readonly boolean[]): KeyMatch {
  const rpik = deriveRpik(tek);
  const aemk = deriveAemk(tek);
  return {
    keyIndex: 0,
    sightings: raws.map((raw, i) => {
      const rpi = deriveRpi(rpik, START + i);
      const sighting: Sighting = {
        time: (START + i) * INTERVAL_MS + 60_000 * 40 * i,
        identifier: rpi,
        aem: shortAem[i] ? new Uint8Array(0) : cryptAem(aemk, rpi, raw),
        meanRssi: -70,
        maxRssi: -60,
        packets: 3,
        secondsSinceLastScan: 300,
      };
      return { sighting, slotStart: (START + i) * INTERVAL_MS, slotMs: INTERVAL_MS };
    }),
  };
}

const settings = { receiverRssiCorrection: 0, fallbackTxPower: -7.5 };

describe("exposure windows' sender tx power", () => {
  it("is senderTxPower's for every window, with its source and confidence", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.array(
          fc.tuple(
            fc.uint8Array({ minLength: 4, maxLength: 4 }),
            fc.nat(3),
            fc.integer({ min: -60, max: 30 }),
            fc.boolean(),
            fc.boolean(),
          ),
          { minLength: 1, maxLength: 12 },
        ),
        (tek, specs) => {
          // Half genuine-looking metadata (version 1, zero reserved bytes), half arbitrary bytes.
          const raws = specs.map(([bytes, confidence, power, genuine]) =>
            genuine ? Uint8Array.of(0x40 | (confidence << 2), power & 255, 0, 0) : bytes,
          );
          const m = matchOf(
            tek,
            raws,
            specs.map((s) => s[4]),
          );
          const windows = buildExposureWindows([m], () => tek, settings);
          expect(windows).toHaveLength(raws.length);
          const aemk = deriveAemk(tek);
          windows.forEach((w, i) => {
            const expected = senderTxPower(aemk, m.sightings[i]!.sighting, settings.fallbackTxPower);
            expect(w.txPower).toBe(expected.txPower);
            expect(w.txPowerSource).toBe(expected.source);
            expect(w.calibrationConfidence).toBe(expected.calibrationConfidence);
            expect("calibrationConfidence" in w).toBe(expected.calibrationConfidence !== undefined);
            expect(w.scanInstances[0]!.typicalAttenuation).toBe(expected.txPower + 70);
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it("follows a TEK array's new bytes", () => {
    const tek = new Uint8Array(16).fill(1);
    const other = new Uint8Array(16).fill(2);
    const raw = [Uint8Array.of(0x44, 5, 0, 0)];
    const mine = matchOf(tek.slice(), raw, [false]);
    expect(buildExposureWindows([mine], () => tek, settings)[0]!.txPower).toBe(5);
    // The same array now holds another key: the sighting's AEM no longer decrypts to plausible metadata.
    tek.set(other);
    const w = buildExposureWindows([mine], () => tek, settings)[0]!;
    expect(w.txPower).toBe(senderTxPower(deriveAemk(other), mine.sightings[0]!.sighting, -7.5).txPower);
    expect(buildExposureWindows([matchOf(other, raw, [false])], () => tek, settings)[0]!.txPower).toBe(5);
  });

  it("rejects a TEK of the wrong length even when no sighting has metadata", () => {
    const m = matchOf(new Uint8Array(16), [new Uint8Array(4)], [true]);
    expect(() => buildExposureWindows([m], () => new Uint8Array(15), settings)).toThrow(/16 bytes|TEK/);
  });
});
