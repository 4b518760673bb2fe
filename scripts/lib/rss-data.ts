/**
 * Loads the pc-ng/rss_smartphone RSSI data sets (data/rssi/rss-XY.csv; MIT; Ng, Spachos,
 * Plataniotis, IEEE Systems Journal 2021) and forms evaluation windows from them.
 *
 * The data are packets over time at fixed distances. A window is `packetsPerInstance ×
 * instancesPerWindow` CONSECUTIVE packets of one receiver at one distance (non-overlapping; a trailing
 * remainder is dropped); each group of `packetsPerInstance` packets becomes one pseudo scan instance
 * (typical attenuation from its mean RSSI, minimum from its strongest packet). Packets are used in file
 * order, not by timestamp, because one phone's timestamps are rounded to 100 s in some files.
 * Each file holds two phones; each is assumed to receive the other (the transmitter of a row is the
 * other device of the file).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { resolvePairCalibration } from "../../src/proximity/attenuation";
import type { ScanInstanceLike } from "../../src/proximity/windows";
import { parseRssiCsv } from "../../sim/radio/radio-fit";

/** The six carriage combinations (H hand, P pocket, B bag). */
export const CARRIAGES = ["HH", "HP", "HB", "PP", "PB", "BB"] as const;

/** One labelled evaluation window. */
export interface LabelledWindow {
  /** Data set (carriage). */
  set: string;
  /** Receiving device. */
  device: string;
  /** True distance, cm. */
  distanceCm: number;
  /** Ground truth: within 2 m. */
  close: boolean;
  /** The window's pseudo scan instances. */
  instances: ScanInstanceLike[];
}

/** How windows are cut from the packet streams. */
export interface WindowShape {
  /** Packets per pseudo scan instance. */
  packetsPerInstance: number;
  /** Instances per window. */
  instancesPerWindow: number;
}

/** Reads one data set's packets (through `parseRssiCsv`), grouped by (device, distance) segment in file order. */
export function loadSegments(dataDir: string, set: string) {
  const rows = parseRssiCsv(readFileSync(resolve(dataDir, `rss-${set}.csv`), "utf8"));
  const devices = [...new Set(rows.map((r) => r.device))];
  const segments: { device: string; transmitter: string; distanceCm: number; rssi: number[] }[] = [];
  for (const r of rows) {
    const distanceCm = Math.round(r.distM * 100);
    let seg = segments.at(-1);
    if (!seg || seg.device !== r.device || seg.distanceCm !== distanceCm) {
      const transmitter = devices.find((d) => d !== r.device) ?? "";
      seg = { device: r.device, transmitter, distanceCm, rssi: [] };
      segments.push(seg);
    }
    seg.rssi.push(r.rss);
  }
  return segments;
}

/** Cuts one data set into labelled windows of the given shape. */
export function loadWindows(dataDir: string, set: string, shape: WindowShape): LabelledWindow[] {
  const out: LabelledWindow[] = [];
  const per = shape.packetsPerInstance * shape.instancesPerWindow;
  for (const seg of loadSegments(dataDir, set)) {
    const cal = resolvePairCalibration({ receiverModel: seg.device, transmitterModel: seg.transmitter });
    const att = (rssi: number) => cal.txPower - (rssi + cal.rssiCorrection);
    for (let w = 0; w + per <= seg.rssi.length; w += per) {
      const instances: ScanInstanceLike[] = [];
      for (let k = 0; k < shape.instancesPerWindow; k++) {
        const p = seg.rssi.slice(w + k * shape.packetsPerInstance, w + (k + 1) * shape.packetsPerInstance);
        instances.push({
          time: k * 1000,
          typicalAttenuation: att(p.reduce((a, b) => a + b, 0) / p.length),
          minAttenuation: att(Math.max(...p)),
          packets: p.length,
          secondsSinceLastScan: 60,
          calibrationConfidence: cal.calibrationConfidence,
        });
      }
      out.push({
        set,
        device: seg.device,
        distanceCm: seg.distanceCm,
        close: seg.distanceCm <= 200,
        instances,
      });
    }
  }
  return out;
}
