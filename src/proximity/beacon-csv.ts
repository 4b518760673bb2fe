/**
 * Raw beacon logs (one row per received packet) and the per-packet path from them to window decisions.
 * CSV header: `pair,time,rssi,tx_power,receiver_model,transmitter_model`; time in unix seconds (may be
 * fractional; parsed rows carry unix ms, the library's convention), rssi and tx_power in dBm (tx_power may be empty), models free text (may be empty).
 * rssi is −127…20 dBm, or 127: HCI's and noble's "not available", whose rows carry no signal level
 * and are skipped.
 */
import { groupBy } from "../collections";
import { CsvFormatError, csvNumber, parseCsv } from "../csv";
import { RSSI_NOT_AVAILABLE } from "../rssi";
import { resolvePairCalibration } from "./attenuation";
import type { ContactPolicy } from "./policy";
import { DEFAULT_SCAN_SECONDS, DEFAULT_WINDOW_SECONDS, evaluateWindows, packetsToInstances } from "./windows";

/**
 * One received packet of a beacon log.
 * @public
 */
export interface BeaconRow {
  /** Pair label (who heard whom). */
  pair: string;
  /** Unix ms (the file's `time` column is unix seconds). */
  time: number;
  /** RSSI, dBm. */
  rssi: number;
  /** Sender's tx power from metadata, dBm, when known. */
  txPower?: number;
  /** Receiver's model, free text ("" when unknown). */
  receiverModel: string;
  /** Sender's model, free text ("" when unknown). */
  transmitterModel: string;
}

/**
 * Columns a beacon CSV must have.
 * @public
 */
export const BEACON_COLUMNS = [
  "pair",
  "time",
  "rssi",
  "tx_power",
  "receiver_model",
  "transmitter_model",
] as const;

/**
 * Parses a beacon CSV. An empty text or a header alone gives no rows; rows with rssi 127 ("not
 * available") are left out.
 * @throws CsvFormatError naming the line of a malformed row
 * @public
 */
export function parseBeaconCsv(text: string): BeaconRow[] {
  return parseCsv(text, BEACON_COLUMNS).rows.flatMap((row): BeaconRow[] => {
    const pair = row.fields.pair!;
    if (pair === "") throw new CsvFormatError(row.line, 'column "pair" must not be empty');
    const time = csvNumber(row, "time") * 1000;
    const rssi = csvNumber(row, "rssi");
    if (rssi === RSSI_NOT_AVAILABLE) return [];
    if (rssi < -127 || rssi > 20)
      throw new CsvFormatError(row.line, `rssi ${rssi} dBm is out of range -127…20 (127 = not available)`);
    const txPower = csvNumber(row, "tx_power", true);
    return [
      {
        pair,
        time,
        rssi,
        ...(txPower === undefined ? {} : { txPower }),
        receiverModel: row.fields.receiver_model!,
        transmitterModel: row.fields.transmitter_model!,
      },
    ];
  });
}

/**
 * One window of one pair, as the CLI prints it.
 * @public
 */
export interface PairWindow {
  /** Pair label. */
  pair: string;
  /** Window start, unix ms (a multiple of the window length); `bluezone proximity` prints unix seconds. */
  start: number;
  /** Packets in the window. */
  beacons: number;
  /** Window attenuation, dB. */
  attenuation: number;
  /** Close under the policy. */
  close: boolean;
  /** Seconds of close contact. */
  closeSeconds: number;
  /** P(≤ 2 m) when the policy has a probability model (the default does). */
  probability?: number;
}

/**
 * Options of {@link beaconWindows}.
 * @public
 */
export interface BeaconWindowOptions {
  /** Window length, seconds (default 300). */
  windowSeconds?: number;
  /** Pseudo-scan length packets are grouped into, seconds (default 10). */
  scanSeconds?: number;
}

/**
 * The per-packet path: per pair, packets → pseudo scan instances → windows. The calibration of a pair
 * comes from its first row's models; a row's tx_power (from metadata) overrides the sender model's.
 * @returns one entry per pair per window with packets, ordered by pair then start
 * @public
 */
export function beaconWindows(
  rows: readonly BeaconRow[],
  policy: ContactPolicy,
  options: BeaconWindowOptions = {},
): PairWindow[] {
  const windowSeconds = options.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
  const scanSeconds = Math.min(options.scanSeconds ?? DEFAULT_SCAN_SECONDS, windowSeconds);
  const byPair = groupBy(rows, (r) => r.pair);
  const out: PairWindow[] = [];
  for (const pair of [...byPair.keys()].sort()) {
    const packets = byPair.get(pair)!;
    const first = packets[0]!;
    const base = resolvePairCalibration({
      receiverModel: first.receiverModel,
      transmitterModel: first.transmitterModel,
    });
    // Packets with a metadata tx power are shifted to the model tx power so one calibration serves all.
    const shifted = packets.map((p) => ({
      time: p.time,
      rssi: p.txPower === undefined ? p.rssi : p.rssi - (p.txPower - base.txPower),
    }));
    const confidence = packets.some((p) => p.txPower !== undefined)
      ? Math.min(3, base.receiver.calibrationConfidence)
      : base.calibrationConfidence;
    const instances = packetsToInstances(
      shifted,
      { ...base, calibrationConfidence: confidence },
      scanSeconds,
    );
    for (const w of evaluateWindows(instances, policy, { windowSeconds })) {
      out.push({
        pair,
        start: w.start,
        beacons: w.beacons,
        attenuation: w.attenuation,
        close: w.close,
        closeSeconds: w.closeSeconds,
        ...(w.probability === undefined ? {} : { probability: w.probability }),
      });
    }
  }
  return out;
}
