/**
 * The day boundary of a contact policy's day rule: where one "day" of cumulated contact time ends and
 * the next begins. Vietnam's F1 rule ("within 2 m for 15 minutes in a day") counts calendar days in
 * Vietnam (UTC+7, IANA `Asia/Ho_Chi_Minh`); Exposure Notification keys roll at UTC midnight, which is
 * 07:00 in Hanoi. A boundary is written as:
 * - `"UTC"` (the default): UTC days;
 * - a fixed offset `"+HH:MM"` / `"-HH:MM"` (e.g. `"+07:00"`): local days at that offset from UTC;
 * - an IANA time-zone name (e.g. `"Asia/Ho_Chi_Minh"`, `"Europe/Berlin"`): the zone's calendar days,
 *   daylight-saving changes included (resolved with `Intl.DateTimeFormat`).
 */
import { InvalidArgumentError } from "../errors";

/**
 * `"UTC"`, a fixed offset `"±HH:MM"`, or an IANA time-zone name.
 * @public
 */
export type DayBoundary = string;

/**
 * The default boundary: UTC midnight.
 * @public
 */
export const UTC_DAY_BOUNDARY: DayBoundary = "UTC";

const OFFSET = /^([+-])(\d{2}):(\d{2})$/;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Offsets of the boundaries seen so far (a policy asks once per window; a regex match allocates). */
const fixedOffsets = new Map<string, number | undefined>();

/** The fixed offset of a boundary in minutes east of UTC, or undefined for an IANA zone. */
function fixedOffsetMinutes(boundary: DayBoundary): number | undefined {
  if (boundary === "UTC") return 0;
  if (fixedOffsets.has(boundary)) return fixedOffsets.get(boundary);
  const m = OFFSET.exec(boundary);
  const minutes = m ? Number(m[2]) * 60 + Number(m[3]) : undefined;
  const offset = minutes === undefined ? undefined : m![1] === "-" ? -minutes : minutes;
  // Bounded: boundaries are few (a policy's, a scenario's); an unbounded stream of strings is not cached.
  if (fixedOffsets.size < 256) fixedOffsets.set(boundary, offset);
  return offset;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const lastDay = { day: Number.NaN, date: "" };

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    // en-CA formats dates as YYYY-MM-DD.
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    formatters.set(zone, f);
  }
  return f;
}

/**
 * Checks a day boundary and returns it unchanged.
 * @throws InvalidArgumentError for anything but `"UTC"`, `±HH:MM` within −12:00…+14:00 (minutes \< 60),
 *   or a time zone the runtime's Intl knows
 * @public
 */
export function validateDayBoundary(boundary: DayBoundary): DayBoundary {
  if (typeof boundary !== "string" || boundary === "")
    throw new InvalidArgumentError('day boundary must be "UTC", "±HH:MM" or an IANA time zone');
  const fixed = fixedOffsetMinutes(boundary);
  if (fixed !== undefined) {
    if (boundary !== "UTC" && Number(boundary.slice(4)) >= 60)
      throw new InvalidArgumentError(`day boundary ${boundary}: minutes must be 00…59`);
    if (boundary !== "UTC" && (fixed < -12 * 60 || fixed > 14 * 60))
      throw new InvalidArgumentError(`day boundary ${boundary}: offset must be within −12:00…+14:00`);
    return boundary;
  }
  if (OFFSET.test(boundary) || /^[+-]/.test(boundary))
    throw new InvalidArgumentError(`day boundary ${boundary}: write a fixed offset as ±HH:MM`);
  try {
    formatter(boundary);
  } catch {
    throw new InvalidArgumentError(`day boundary "${boundary}" is not a known IANA time zone`);
  }
  return boundary;
}

/**
 * The fixed-offset boundary of an offset in hours east of UTC (e.g. 7 → `"+07:00"`, −3.5 → `"-03:30"`).
 * @throws InvalidArgumentError when the offset is not a whole number of minutes within −12…+14 hours
 * @public
 */
export function utcOffsetBoundary(hours: number): DayBoundary {
  const minutes = Math.round(hours * 60);
  if (!Number.isFinite(hours) || Math.abs(minutes - hours * 60) > 1e-6 || minutes < -720 || minutes > 840)
    throw new InvalidArgumentError(`UTC offset ${hours} h must be whole minutes within −12…+14 hours`);
  const a = Math.abs(minutes);
  const hh = String(Math.floor(a / 60)).padStart(2, "0");
  const mm = String(a % 60).padStart(2, "0");
  return `${minutes < 0 ? "-" : "+"}${hh}:${mm}`;
}

/**
 * The local calendar date (`YYYY-MM-DD`) of unix-ms instant `t` under `boundary` (assumed valid, see
 * {@link validateDayBoundary}).
 * @public
 */
export function localDate(t: number, boundary: DayBoundary = UTC_DAY_BOUNDARY): string {
  const fixed = fixedOffsetMinutes(boundary);
  if (fixed !== undefined) {
    // Windows come in runs of the same day: remember the last day's string.
    const day = Math.floor((t + fixed * MINUTE_MS) / DAY_MS);
    if (day !== lastDay.day) {
      lastDay.day = day;
      lastDay.date = new Date(day * DAY_MS).toISOString().slice(0, 10);
    }
    return lastDay.date;
  }
  return formatter(boundary).format(new Date(t));
}

/**
 * Days since 1970-01-01 of a `YYYY-MM-DD` date (a local date's day number).
 * @public
 */
export function dateDayNumber(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}
