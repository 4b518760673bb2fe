/**
 * Sightings from a CSV file (for the `match` command and offline analysis): header
 * `time,rpi,aem,rssi,receiver_model`, one row per received packet, time in unix seconds, identifiers
 * hex, rssi an integer dBm in −127…20 or 127 (HCI's "not available", as noble reports it). Packets are
 * aggregated exactly as the tracer does, into pseudo-scans of `scanSeconds`; a packet with RSSI 127 is
 * read but carries no signal level, so it adds nothing (an identifier heard only so gives no sighting).
 *
 * A scan stands for the time since the previous one (at most 300 s), as in the tracer's log. A CSV
 * holds packets, not scans, so the first pseudo-scan has no previous one: it stands for the file's
 * typical gap between pseudo-scans (their median, at most 300 s; 300 s when there is only one). It
 * used to stand for 300 s whatever the cadence, which added up to 4 minutes to every contact (10
 * minutes of packets once a minute counted 900 s, an F1).
 */
import { fromHex } from "../bytes";
import { CsvFormatError, csvNumber, parseCsv } from "../csv";
import { BluezoneError } from "../errors";
import { RSSI_NOT_AVAILABLE } from "../rssi";
import { createScanAggregator } from "../log/scan-aggregator";
import { MAX_SECONDS_SINCE_LAST_SCAN } from "../log/validate";
import type { Sighting } from "../log/types";

/**
 * Columns a sightings CSV must have.
 * @public
 */
export const SIGHTING_COLUMNS = ["time", "rpi", "aem", "rssi", "receiver_model"] as const;

/** The latest time a sightings CSV row may have: 9999-12-31 23:59:59 UTC, unix seconds. */
const MAX_CSV_TIME = 253_402_300_799;

/**
 * Parsed sightings CSV.
 * @public
 */
export interface SightingsCsv {
  /** Aggregated sightings, by time. */
  sightings: Sighting[];
  /** The first non-empty receiver model, if any. */
  receiverModel?: string;
  /** Packets read (rows), those with RSSI 127 included. */
  packets: number;
  /** Packets whose RSSI was 127 ("not available"), read but not aggregated. */
  rssiUnavailable: number;
}

/**
 * Parses a sightings CSV and aggregates its packets into scan instances.
 * @param scanSeconds - pseudo-scan length packets are grouped into (aligned); default 10
 * @throws CsvFormatError naming the line of a malformed row
 * @public
 */
export function parseSightingsCsv(text: string, scanSeconds = 10): SightingsCsv {
  const rows = parseCsv(text, SIGHTING_COLUMNS).rows.map((row) => {
    const time = csvNumber(row, "time");
    if (!(time >= 0 && time <= MAX_CSV_TIME))
      throw new CsvFormatError(
        row.line,
        `time must be unix seconds in 0…${MAX_CSV_TIME} (year 9999), got ${time}`,
      );
    const rssi = csvNumber(row, "rssi");
    if (!Number.isInteger(rssi) || ((rssi < -127 || rssi > 20) && rssi !== RSSI_NOT_AVAILABLE)) {
      throw new CsvFormatError(
        row.line,
        `rssi must be an integer dBm in -127…20, or 127 for "not available", got ${rssi}`,
      );
    }
    try {
      const rpi = fromHex(row.fields.rpi!, undefined, "rpi");
      if (rpi.length !== 16 && rpi.length !== 12)
        throw new CsvFormatError(row.line, "rpi must be 16 bytes (or a 12-byte Bluezone ID)");
      const aem = row.fields.aem ? fromHex(row.fields.aem, 4, "aem") : new Uint8Array(0);
      return { time, rpi, aem, rssi, model: row.fields.receiver_model! };
    } catch (err) {
      if (err instanceof CsvFormatError) throw err;
      throw new CsvFormatError(row.line, err instanceof BluezoneError ? err.message : String(err));
    }
  });
  rows.sort((a, b) => a.time - b.time);
  const starts = [...new Set(rows.map((r) => Math.floor(r.time / scanSeconds) * scanSeconds))];
  const gaps = starts
    .slice(1)
    .map((t, i) => t - starts[i]!)
    .sort((a, b) => a - b);
  const typical = gaps.length === 0 ? MAX_SECONDS_SINCE_LAST_SCAN : gaps[Math.floor((gaps.length - 1) / 2)]!;
  const agg = createScanAggregator({
    firstScanSeconds: Math.min(MAX_SECONDS_SINCE_LAST_SCAN, Math.round(typical)),
  });
  const sightings: Sighting[] = [];
  let scan: number | undefined;
  for (const r of rows) {
    const start = Math.floor(r.time / scanSeconds) * scanSeconds;
    if (start !== scan) {
      if (scan !== undefined) sightings.push(...agg.endScan());
      agg.beginScan(start * 1000);
      scan = start;
    }
    agg.addPacket(r.rpi, r.aem, r.rssi);
  }
  if (scan !== undefined) sightings.push(...agg.endScan());
  const model = rows.find((r) => r.model !== "")?.model;
  const rssiUnavailable = rows.filter((r) => r.rssi === RSSI_NOT_AVAILABLE).length;
  return { sightings, packets: rows.length, rssiUnavailable, ...(model ? { receiverModel: model } : {}) };
}
