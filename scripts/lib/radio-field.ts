/**
 * DP-3T exp05 packets for the radio fit (scripts/fit-radio.ts) and the replay that compares the radio
 * model with them (docs/radio-fit.md, tests/sim/radio-field.test.ts).
 *
 * A field packet's attenuation is tx_power(transmitter model) − (RSSI + rssi_correction(receiver model))
 * from the EN calibration table, as the policy fit reads it (scripts/lib/field-data.ts); the fit works in
 * the reference devices' frame, RSSI_ref = reference tx_power − reference rssi_correction − attenuation.
 *
 * Replay: the field packets of each ordered link are cut into slots (packets less than 1 s apart: the
 * app heard each link in bursts of a few packets); for every slot the radio model draws what the
 * receiver would hear from the transmitter over the slot's span (± half an advertising interval) at the
 * slot's median camera distance, with stations calibrated like the two phones' models, in `packets`
 * mode (every packet) and `scan` mode (one summary per slot). Both sides are binned by that distance.
 */
import { resolvePairCalibration } from "../../src/proximity/attenuation";
import type { FieldPacket } from "../../sim/radio/radio-fit";
import { type RadioModel, RADIO_SETTINGS, type RadioSetting, type RadioStation } from "../../sim/radio/radio";
import { hashString } from "../../sim/random";
import type { Row } from "./field-data";

/** Distance bands of the comparison, metres: [0, 1), [1, 2), [2, 3), [3, 4), [4, ∞). */
export const FIELD_BANDS = [0, 1, 2, 3, 4] as const;

/** Label of band `i`. */
export const bandLabel = (i: number) =>
  i + 1 < FIELD_BANDS.length ? `${FIELD_BANDS[i]}–${FIELD_BANDS[i + 1]} m` : `≥ ${FIELD_BANDS[i]} m`;

/** Band index of a distance. */
export function bandOf(d: number): number {
  let b = 0;
  while (b + 1 < FIELD_BANDS.length && d >= FIELD_BANDS[b + 1]!) b++;
  return b;
}

/** A slot: a burst of one ordered link's annotated packets. */
export interface FieldSlot {
  receiver: number;
  transmitter: number;
  receiverModel: string;
  transmitterModel: string;
  /** First and last packet, unix ms. */
  from: number;
  to: number;
  /** Median camera distance of its packets, m. */
  distM: number;
  /** Attenuations of its packets (dB). */
  attenuation: number[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Slots of one scenario's annotated packets (RSSI 127 and non-negative dropped, as in field-data.ts). */
export function fieldSlots(rows: readonly Row[]): FieldSlot[] {
  const links = new Map<string, Row[]>();
  for (const r of rows) {
    if (r[5] === 127 || r[5] >= 0 || r[6] === null || r[6] < 0) continue;
    const key = `${r[0]}>${r[2]}`;
    const list = links.get(key);
    if (list) list.push(r);
    else links.set(key, [r]);
  }
  const out: FieldSlot[] = [];
  for (const key of [...links.keys()].sort()) {
    const packets = links.get(key)!.sort((a, b) => a[4] - b[4]);
    const cal = resolvePairCalibration({ receiverModel: packets[0]![1], transmitterModel: packets[0]![3] });
    let start = 0;
    for (let i = 1; i <= packets.length; i++) {
      if (i < packets.length && packets[i]![4] - packets[i - 1]![4] < 1000) continue;
      const slot = packets.slice(start, i);
      out.push({
        receiver: slot[0]![0],
        transmitter: slot[0]![2],
        receiverModel: slot[0]![1],
        transmitterModel: slot[0]![3],
        from: slot[0]![4],
        to: slot[slot.length - 1]![4],
        distM: median(slot.map((r) => r[6]!)),
        attenuation: slot.map((r) => cal.txPower - (r[5] + cal.rssiCorrection)),
      });
      start = i;
    }
  }
  return out;
}

/** The annotated scenarios' slots by setting (walls has no annotation). */
export function settingSlots(rows: ReadonlyMap<string, readonly Row[]>): Map<RadioSetting, FieldSlot[]> {
  const out = new Map<RadioSetting, FieldSlot[]>();
  for (const s of RADIO_SETTINGS) {
    const r = rows.get(s);
    if (!r) throw new Error(`DP-3T exp05 scenario "${s}" missing`);
    out.set(s, fieldSlots(r));
  }
  return out;
}

/**
 * Field packets for the fit, in the reference frame `c` = reference tx_power − reference rssi_correction
 * (RSSI_ref = c − attenuation); each packet gets `weight`. Links are unordered (shadowing is reciprocal).
 */
export function fitPackets(slots: readonly FieldSlot[], c: number, weight = 1): FieldPacket[] {
  const out: FieldPacket[] = [];
  for (const s of slots) {
    const link =
      s.receiver < s.transmitter ? `${s.receiver}-${s.transmitter}` : `${s.transmitter}-${s.receiver}`;
    const stream = `${s.receiver}>${s.transmitter}`;
    const dt = s.attenuation.length > 1 ? (s.to - s.from) / (s.attenuation.length - 1) : 0;
    for (let i = 0; i < s.attenuation.length; i++)
      out.push({
        link,
        stream,
        time: (s.from + i * dt) / 1000,
        distM: s.distM,
        rssi: c - s.attenuation[i]!,
        weight,
      });
  }
  return out;
}

/** Field and simulated attenuations per band: every packet, and each slot's minimum (strongest packet). */
export interface BandSamples {
  field: number[][];
  sim: number[][];
  fieldMin: number[][];
  simMin: number[][];
}

/** Replays `slots` through `model` (realisation = the model's seed; `tag` keeps phone seeds per scenario). */
export function replay(model: RadioModel, slots: readonly FieldSlot[], tag: string): BandSamples {
  const bands = () => FIELD_BANDS.map(() => [] as number[]);
  const out: BandSamples = { field: bands(), sim: bands(), fieldMin: bands(), simMin: bands() };
  const half = model.params.advertisingIntervalMs / 2;
  const buf: number[] = [];
  for (const s of slots) {
    const cal = resolvePairCalibration({
      receiverModel: s.receiverModel,
      transmitterModel: s.transmitterModel,
    });
    const adv: RadioStation = {
      seed: hashString(`${tag}/${s.transmitter}`),
      carriage: "pocket",
      txPower: cal.txPower,
    };
    const scanner: RadioStation = {
      seed: hashString(`${tag}/${s.receiver}`),
      carriage: "pocket",
      rssiCorrection: cal.rssiCorrection,
    };
    const b = bandOf(s.distM);
    out.field[b]!.push(...s.attenuation);
    out.fieldMin[b]!.push(Math.min(...s.attenuation));
    const from = s.from - half;
    const to = s.to + half;
    buf.length = 0;
    model.samples(adv, scanner, from, to, () => s.distM, buf);
    for (const r of buf) out.sim[b]!.push(cal.txPower - (r + cal.rssiCorrection));
    const sum = model.scan(adv, scanner, from, to, () => s.distM);
    if (sum) out.simMin[b]!.push(cal.txPower - (sum.maxRssi + cal.rssiCorrection));
  }
  return out;
}

/** Two-sample Kolmogorov–Smirnov statistic sup |F₁ − F₂| (ties: both CDFs step together). */
export function ksStatistic(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}
