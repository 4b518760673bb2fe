/**
 * Contact scenarios: phones at given distances over time, and the sightings the receiving phone would
 * log of them, through a simple, documented, seeded radio model and the library's own scan aggregator.
 *
 * Radio model (per packet): attenuation = A₁ + 10·n·log₁₀(max(d, 0.1 m) / 1 m) + carriage loss of both
 * phones + shadowing (one Gaussian draw per scan, σₛ) + noise (one Gaussian draw per packet, σₙ); the
 * receiver measures RSSI = txPower − rssiCorrection(receiver) − attenuation and loses packets weaker
 * than its sensitivity. The sender broadcasts its tx power in its metadata, so the matcher recovers the
 * attenuation exactly (up to rounding). Defaults: A₁ = 48 dB, n = 2.5, σₛ = 3 dB, σₙ = 4 dB, carriage
 * hand 0 dB / pocket 8 dB / bag 12 dB (the 10–15 dB shift seen between carriages in
 * docs/proximity-eval.md). These are a model, not ground truth: tune them to your own measurements.
 * The model is a configuration of the library's radio model ({@link toolkitRadioParams}), whose
 * `pathLossRssi` gives the mean.
 */
import fc from "fast-check";
import type { Sighting } from "../log/types";
import { createScanAggregator } from "../log/scan-aggregator";
import type { ExposureKey } from "../match/export-codec";
import {
  type Carriage,
  CARRIAGE_PAIRS,
  type CarriagePair,
  carriagePair,
  pathLossRssi,
  type RadioPairParams,
  type RadioParams,
} from "../radio/path-loss";
import { lookupCalibration } from "../proximity/calibration";
import { INTERVAL_MS, INTERVALS_PER_DAY, DAY_MS } from "../protocol/intervals";
import { createGaenSchedule } from "../protocol/schedule";
import { type ScanCycle, SCAN_CYCLES } from "../tracer/scan-cycle";
import { seededRng } from "../transport/hci-emulator/rng";
import { TESTING_EPOCH_INTERVAL } from "./keys";
import { checkRange } from "./ranges";
import { InvalidArgumentError } from "../errors";

/**
 * Where a phone is carried (the library's radio model's `Carriage`); each adds its loss to the path.
 * @public
 */
export type { Carriage } from "../radio/path-loss";

/**
 * Extra attenuation of each carriage, dB.
 * @public
 */
export const CARRIAGE_LOSS_DB: Readonly<Record<Carriage, number>> = Object.freeze({
  hand: 0,
  pocket: 8,
  bag: 12,
});

/**
 * Parameters of the radio model (see the module documentation).
 * @public
 */
export interface RadioModel {
  /** Attenuation at 1 m between two phones in hand, dB (A₁). */
  referenceAttenuationDb: number;
  /** Path-loss exponent n. */
  pathLossExponent: number;
  /** Per-scan shadowing standard deviation, dB (σₛ). */
  shadowingSigmaDb: number;
  /** Per-packet noise standard deviation, dB (σₙ). */
  noiseSigmaDb: number;
  /** Weakest RSSI the receiver hears, dBm. */
  sensitivityDbm: number;
  /** Time between a sender's advertisements, ms. */
  advertisingIntervalMs: number;
}

/**
 * The default radio model.
 * @public
 */
export const DEFAULT_RADIO_MODEL: Readonly<RadioModel> = Object.freeze({
  referenceAttenuationDb: 48,
  pathLossExponent: 2.5,
  shadowingSigmaDb: 3,
  noiseSigmaDb: 4,
  sensitivityDbm: -100,
  advertisingIntervalMs: 250,
});

const LETTER_CARRIAGE: Record<string, Carriage> = { H: "hand", P: "pocket", B: "bag" };

/**
 * The toolkit's radio model as a configuration of the library's radio model (`RadioParams` in
 * `bluezone`): for each carriage pair, intercept −(A₁ + carriage losses of both phones) dBm at 1 m
 * for reference devices advertising 0 dBm with no RSSI correction (so a phone's offset is its tx power
 * minus the receiver's correction), exponent n, shadowing σₛ drawn afresh per scan
 * (`sessionCorrelationS` 0), Gaussian noise σₙ per packet, no fading, blocking or packet loss,
 * distances clamped to 0.1 m.
 * @public
 */
export function toolkitRadioParams(
  radio: RadioModel = DEFAULT_RADIO_MODEL,
  carriageLossDb: Readonly<Record<Carriage, number>> = CARRIAGE_LOSS_DB,
): RadioParams {
  const pair = (key: CarriagePair): RadioPairParams => ({
    intercept: -(
      radio.referenceAttenuationDb +
      carriageLossDb[LETTER_CARRIAGE[key[0]!]!] +
      carriageLossDb[LETTER_CARRIAGE[key[1]!]!]
    ),
    exponent: radio.pathLossExponent,
    sessionSd: radio.shadowingSigmaDb,
    slowSd: 0,
    slowCorrelationS: 0,
    noiseSd: radio.noiseSigmaDb,
    blockingProbability: 0,
    blockingLossDb: 0,
  });
  return {
    pairs: Object.fromEntries(CARRIAGE_PAIRS.map((k) => [k, pair(k)])) as Record<
      CarriagePair,
      RadioPairParams
    >,
    advertisingIntervalMs: radio.advertisingIntervalMs,
    advertisingJitterMs: 0,
    packetLoss: 0,
    sensitivityDbm: radio.sensitivityDbm,
    sessionCorrelationS: 0,
    blockingCorrelationS: 0,
    minDistanceM: 0.1,
    reference: { txPower: 0, rssiCorrection: 0 },
  };
}

/**
 * One sending phone of a scenario.
 * @public
 */
export interface ScenarioSender {
  /** Distance to the receiver in each minute of the contact, metres. */
  distances: number[];
  /** How the sender carries its phone. */
  carriage: Carriage;
  /** Tx power the sender broadcasts in its metadata, dBm. */
  txPower: number;
}

/**
 * A contact: one receiving phone and one or more senders near it for some minutes.
 * @public
 */
export interface ContactScenario {
  /** Unix ms the contact starts. */
  start: number;
  /** Length of the contact, minutes. */
  minutes: number;
  /** How the receiver carries its phone. */
  receiverCarriage: Carriage;
  /** The receiver's model (for its RSSI correction); the fleet average when undefined. */
  receiverModel?: string;
  /** The senders. */
  senders: ScenarioSender[];
  /** The radio model. */
  radio: RadioModel;
  /** The receiver's scan duty cycle. */
  scan: ScanCycle;
  /** Seed of every random draw of the simulation (keys, scan phase and jitter, noise). */
  seed: number;
}

/**
 * Options of {@link contactScenario}: ranges are inclusive `[min, max]`.
 * @public
 */
export interface ContactScenarioOptions {
  /** Distance range, metres; default [0.3, 1]. */
  distance?: readonly [number, number];
  /** Contact length range, minutes; default [15, 60]. */
  minutes?: readonly [number, number];
  /** Number of phones including the receiver; default [2, 2]. */
  phones?: readonly [number, number];
  /** Carriages to draw from (receiver and each sender); default hand only. */
  carriage?: readonly Carriage[];
  /**
   * Keep the whole contact within one UTC day, and the 5 minutes before it that its first scan may
   * stand for; default false (contacts may straddle midnight).
   */
  sameUtcDay?: boolean;
  /** Overrides of the radio model. */
  radio?: Partial<RadioModel>;
  /** Receiver's scan cycle; default the `gaen` cycle (4 s every 5 min, up to 1 min jitter). */
  scan?: ScanCycle;
  /** Receiver model; default the fleet average. */
  receiverModel?: string;
}

function describeScenario(s: ContactScenario): string {
  const fmt = (x: number) => x.toFixed(2);
  const senders = s.senders.map((p, i) => {
    const min = Math.min(...p.distances);
    const max = Math.max(...p.distances);
    return `sender ${i + 1}: ${p.carriage}, ${fmt(min)}–${fmt(max)} m, tx ${p.txPower} dBm`;
  });
  return (
    `ContactScenario(${s.senders.length + 1} phones, ${s.minutes} min from ${new Date(s.start).toISOString()}, ` +
    `receiver ${s.receiverCarriage}; ${senders.join("; ")}; radio A1=${s.radio.referenceAttenuationDb} dB ` +
    `n=${s.radio.pathLossExponent} σs=${s.radio.shadowingSigmaDb} σn=${s.radio.noiseSigmaDb}; seed ${s.seed})`
  );
}

/** Attaches a readable description for fast-check's counterexample reports. */
function printable(s: ContactScenario): ContactScenario {
  Object.defineProperty(s, fc.toStringMethod, { value: () => describeScenario(s), enumerable: false });
  return s;
}

/**
 * Arbitrary contact scenarios, e.g. `contactScenario({ distance: [0.3, 1], minutes: [20, 60] })`.
 * Distances vary minute by minute within the range; start times fall on the toolkit epoch's days.
 * @throws InvalidArgumentError (`ERR_INVALID_ARGUMENT`) for a range backwards or out of its domain
 *   (distance 0…1,000 m, minutes 1…1,440 integers, phones 2…100 integers)
 * @public
 */
export function contactScenario(options: ContactScenarioOptions = {}): fc.Arbitrary<ContactScenario> {
  const [d0, d1] = checkRange("distance", options.distance ?? [0.3, 1], { min: 0, max: 1000 });
  const [m0, m1] = checkRange("minutes", options.minutes ?? [15, 60], { min: 1, max: 1440, integer: true });
  const [p0, p1] = checkRange("phones", options.phones ?? [2, 2], { min: 2, max: 100, integer: true });
  const carriages = options.carriage ?? ["hand"];
  if (!Array.isArray(carriages) || carriages.length === 0)
    throw new InvalidArgumentError("carriage must list at least one carriage (hand, pocket, bag)");
  const radio = { ...DEFAULT_RADIO_MODEL, ...options.radio };
  const scan = options.scan ?? SCAN_CYCLES.gaen;
  const carriage = fc.constantFrom(...carriages);
  return fc
    .record({ minutes: fc.integer({ min: m0, max: m1 }), senders: fc.integer({ min: p0 - 1, max: p1 - 1 }) })
    .chain(({ minutes, senders }) => {
      // One UTC day: the contact, and the 5 minutes before it that its first scan may stand for (a scan
      // instance stands for up to 300 s before its scan time; the day rule counts them on their day).
      const earliest = options.sameUtcDay ? Math.min(5, Math.max(0, 1440 - minutes)) : 0;
      const latest = options.sameUtcDay ? Math.max(earliest, 1440 - minutes) : 1439;
      const sender = fc.record({
        distances: fc.array(fc.double({ min: d0, max: d1, noNaN: true }), {
          minLength: minutes,
          maxLength: minutes,
        }),
        carriage,
        txPower: fc.integer({ min: -30, max: 0 }),
      });
      return fc.record({
        start: fc
          .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: earliest, max: latest }))
          .map(
            ([day, minute]) =>
              (TESTING_EPOCH_INTERVAL + day * INTERVALS_PER_DAY) * INTERVAL_MS + minute * 60_000,
          ),
        minutes: fc.constant(minutes),
        receiverCarriage: carriage,
        ...(options.receiverModel === undefined ? {} : { receiverModel: fc.constant(options.receiverModel) }),
        senders: fc.array(sender, { minLength: Math.max(1, senders), maxLength: Math.max(1, senders) }),
        radio: fc.constant(radio),
        scan: fc.constant(scan),
        seed: fc.integer({ min: 0, max: 0x7fffffff }),
      });
    })
    .map(printable);
}

/**
 * What the receiving phone logged, and the senders' keys to publish.
 * @public
 */
export interface SimulatedContact {
  /** Sightings of the receiver, as its scan aggregator produced them. */
  sightings: Sighting[];
  /** Each sender's TEKs covering the contact (one per UTC day), in sender order. */
  keysBySender: ExposureKey[][];
  /** Packets the receiver heard (before aggregation). */
  packets: number;
}

/**
 * Simulates a scenario: the receiver scans on its duty cycle (random phase, jitter), hears each
 * sender's current RPI and AEM at the modelled RSSI ({@link toolkitRadioParams}: the library's
 * `pathLossRssi` of the carriage pair, the sender's tx power less the receiver's correction, minus a
 * per-scan shadowing and a per-packet noise draw), and folds each scan through the library's scan
 * aggregator. Deterministic for a given scenario (all randomness comes from `scenario.seed`).
 * @public
 */
export function simulateContact(scenario: ContactScenario): SimulatedContact {
  const rng = seededRng(scenario.seed);
  const { radio, scan } = scenario;
  const params = toolkitRadioParams(radio);
  const end = scenario.start + scenario.minutes * 60_000;
  let now = scenario.start;
  const clock = { now: () => now };
  const schedules = scenario.senders.map((s) =>
    createGaenSchedule({ clock, random: rng.bytes, metadata: { txPower: s.txPower } }),
  );
  const correction = lookupCalibration(scenario.receiverModel).rssiCorrection;
  const links = scenario.senders.map((s) => ({
    pair: params.pairs[carriagePair(s.carriage, scenario.receiverCarriage)],
    offset: s.txPower - correction,
  }));
  const aggregator = createScanAggregator();
  const sightings: Sighting[] = [];
  let packets = 0;
  for (let t = scenario.start + Math.floor(rng.next() * scan.periodMs); t < end; ) {
    now = t;
    aggregator.beginScan(t);
    scenario.senders.forEach((sender, i) => {
      const { pair, offset } = links[i]!;
      const shadowing = pair.sessionSd * rng.gaussian();
      for (
        let p = t + Math.floor(rng.next() * radio.advertisingIntervalMs);
        p < t + scan.durationMs && p < end;
        p += radio.advertisingIntervalMs
      ) {
        const d =
          sender.distances[Math.min(sender.distances.length - 1, Math.floor((p - scenario.start) / 60_000))]!;
        const rssi =
          pathLossRssi(pair, d, params.minDistanceM) + offset - shadowing - pair.noiseSd! * rng.gaussian();
        if (rssi < params.sensitivityDbm) continue;
        const b = schedules[i]!.at(p);
        if (b.payload.scheme !== "gaen") continue;
        aggregator.addPacket(b.payload.rpi, b.payload.aem, rssi);
        packets++;
      }
    });
    sightings.push(...aggregator.endScan());
    t += scan.periodMs + Math.floor(rng.next() * scan.jitterMs);
  }
  now = end;
  const first = Math.floor(scenario.start / DAY_MS);
  const keysBySender = schedules.map((s) =>
    s.keys().filter((k) => k.rollingStartIntervalNumber >= first * INTERVALS_PER_DAY),
  );
  return { sightings, keysBySender, packets };
}
