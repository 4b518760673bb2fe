/** Bluezone F0 data: lists of published day keys `{daily_key, time_start, max, time_end}`. */
import { BLUEZONE_KEY_LENGTH, BLUEZONE_SLOTS_PER_DAY } from "../protocol/bluezone-compat";
import { DAY_MS } from "../protocol/intervals";
import type { BluezoneDayKeyRecord } from "../protocol/schedule";
import { InvalidDayKeyRecordError } from "./errors";

/**
 * Options of {@link parseDayKeyRecords}.
 * @public
 */
export interface DayKeyRecordLimits {
  /** Most records accepted. Default 10,000. */
  maxRecords?: number;
}

const HEX_KEY = new RegExp(`^[0-9a-fA-F]{${BLUEZONE_KEY_LENGTH * 2}}$`);

function problem(r: unknown): string | undefined {
  if (typeof r !== "object" || r === null || Array.isArray(r)) return "must be an object";
  const o = r as Record<string, unknown>;
  for (const f of ["time_start", "max", "time_end"]) {
    if (!Number.isSafeInteger(o[f])) return `${f} must be an integer, got ${JSON.stringify(o[f])}`;
  }
  if (typeof o.daily_key !== "string" || !HEX_KEY.test(o.daily_key)) {
    return `daily_key must be ${BLUEZONE_KEY_LENGTH * 2} hex digits`;
  }
  const start = o.time_start as number;
  const end = o.time_end as number;
  if (start < 0 || start % DAY_MS !== 0) return `time_start ${start} must be the unix ms of a UTC midnight`;
  if (end !== start + DAY_MS) return `time_end ${end} must be time_start + one day`;
  if (o.max !== BLUEZONE_SLOTS_PER_DAY) return `max must be ${BLUEZONE_SLOTS_PER_DAY}, got ${o.max}`;
  return undefined;
}

/**
 * Validates a parsed F0 list: each record has a 32-byte hex day key, a UTC-midnight `time_start`,
 * `time_end` one day later and `max` 96; no day appears twice. Returns fresh records sorted by day.
 * @param input - the parsed JSON (an array of records)
 * @throws InvalidDayKeyRecordError naming the first bad record
 * @public
 */
export function parseDayKeyRecords(input: unknown, limits: DayKeyRecordLimits = {}): BluezoneDayKeyRecord[] {
  if (!Array.isArray(input)) throw new InvalidDayKeyRecordError(-1, "F0 data must be an array of records");
  const max = limits.maxRecords ?? 10_000;
  if (input.length > max) throw new InvalidDayKeyRecordError(-1, `${input.length} records, limit ${max}`);
  const seen = new Set<number>();
  const out = input.map((r, i): BluezoneDayKeyRecord => {
    const reason = problem(r);
    if (reason !== undefined) throw new InvalidDayKeyRecordError(i, reason);
    const o = r as BluezoneDayKeyRecord;
    if (seen.has(o.time_start)) throw new InvalidDayKeyRecordError(i, `day ${o.time_start} appears twice`);
    seen.add(o.time_start);
    return {
      daily_key: o.daily_key.toLowerCase(),
      time_start: o.time_start,
      max: o.max,
      time_end: o.time_end,
    };
  });
  return out.sort((a, b) => a.time_start - b.time_start);
}

/**
 * Parses F0 JSON text, see {@link parseDayKeyRecords}.
 * @public
 */
export function parseDayKeyRecordsJson(
  text: string,
  limits: DayKeyRecordLimits = {},
): BluezoneDayKeyRecord[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidDayKeyRecordError(-1, `F0 data is not JSON: ${(err as Error).message}`);
  }
  return parseDayKeyRecords(value, limits);
}
