/**
 * Checks of the testing toolkit's option ranges: a range given backwards, out of its domain or not a
 * number is a typed error naming the option, not an empty arbitrary, invalid data or a generator that
 * runs the process out of memory.
 */
import { InvalidArgumentError } from "../errors";

/** What a range's ends may be. */
export interface RangeDomain {
  /** Least allowed value of either end. */
  min: number;
  /** Largest allowed value of either end. */
  max: number;
  /** Whether the ends must be integers. */
  integer?: boolean;
}

/**
 * `range` itself when it is `[lo, hi]` with lo ≤ hi, both within `domain` (and integers when asked).
 * @throws InvalidArgumentError naming `name` otherwise
 */
export function checkRange(
  name: string,
  range: readonly [number, number],
  domain: RangeDomain,
): readonly [number, number] {
  const [lo, hi] = Array.isArray(range) ? range : [];
  const kind = domain.integer ? "integers" : "numbers";
  const ok = (v: unknown): v is number =>
    typeof v === "number" &&
    Number.isFinite(v) &&
    (!domain.integer || Number.isInteger(v)) &&
    v >= domain.min &&
    v <= domain.max;
  if (!Array.isArray(range) || range.length !== 2 || !ok(lo) || !ok(hi))
    throw new InvalidArgumentError(
      `${name} must be [low, high] with ${kind} in ${domain.min}…${domain.max}, got ${JSON.stringify(range)}`,
    );
  if (lo > hi)
    throw new InvalidArgumentError(`${name} is backwards: [${lo}, ${hi}] (low must not exceed high)`);
  return range;
}
