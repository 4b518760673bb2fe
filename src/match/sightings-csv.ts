/**
 * Sightings from a CSV file (for the `match` command and offline analysis): header
 * `time,rpi,aem,rssi,receiver_model`, one row per received packet, time in unix seconds, identifiers
 * hex, rssi an integer dBm in −127…20 or 127 (HCI's "not available", as noble reports it). Packets are
 * aggregated exactly as the tracer does, into pseudo-scans of `scanSeconds`; a packet with RSSI 127 is
 * read but carries no signal level, so it adds nothing (an identifier heard only so gives no sighting).
 */
import { fromHex } from "../bytes";
import { CsvFormatError, csvNumber, parseCsv } from "../csv";
import { BluezoneError } from "../errors";
import { RSSI_NOT_AVAILABLE } from "../rssi";
import { createScanAggregator } from "../log/scan-aggregator";
import type { Sighting } from "../log/types";

/**
 * Columns a sightings CSV must have.
 * @public
 */
export const SIGHTING_COLUMNS = ["time", "rpi", "aem", "rssi", "receiver_model"] as const;

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
    if (time < 0) throw new CsvFormatError(row.line, "time must be unix seconds ≥ 0");
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
  const agg = createScanAggregator();
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
