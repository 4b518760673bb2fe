/** The retention option of key schedules and tracers, checked in one place (not re-exported). */
import { InvalidArgumentError } from "../errors";

/**
 * The retention in days (default 14, EN's key retention), checked: an integer ≥ 1.
 * @throws InvalidArgumentError otherwise (`null` and strings included)
 */
export function checkRetentionDays(days: number | undefined): number {
  const d = days === undefined ? 14 : days;
  if (typeof d !== "number" || !Number.isInteger(d) || d < 1)
    throw new InvalidArgumentError(
      `retentionDays must be a positive integer, got ${typeof d === "string" ? JSON.stringify(d) : String(d)}`,
    );
  return d;
}
