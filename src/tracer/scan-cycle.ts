/** Scan duty cycles: how long the tracer scans and how often. */
import { InvalidArgumentError } from "../errors";

/**
 * A scan duty cycle.
 * @public
 */
export interface ScanCycle {
  /** Length of one scan, ms. */
  durationMs: number;
  /** Time from one scan's start to the next, ms (≥ durationMs). */
  periodMs: number;
  /** Uniform random jitter added to each period, ms (0 … jitterMs). */
  jitterMs: number;
  /**
   * Keep the radio scanning between windows (continuous scanning). Packets are still aggregated per
   * window of `durationMs`.
   */
  continuous: boolean;
}

/**
 * Named duty cycles: `gaen` ≈ 4 s every 5 min with jitter; `bluezone` 40 s every 260 s; `continuous`.
 * @public
 */
export const SCAN_CYCLES = {
  gaen: { durationMs: 4_000, periodMs: 300_000, jitterMs: 60_000, continuous: false },
  bluezone: { durationMs: 40_000, periodMs: 260_000, jitterMs: 0, continuous: false },
  continuous: { durationMs: 60_000, periodMs: 60_000, jitterMs: 0, continuous: true },
} as const satisfies Record<string, ScanCycle>;

/**
 * Name of a preset duty cycle.
 * @public
 */
export type ScanCycleName = keyof typeof SCAN_CYCLES;

/**
 * Resolves a preset name or validates a custom cycle.
 * @public
 */
export function resolveScanCycle(cycle: ScanCycleName | ScanCycle): ScanCycle {
  if (typeof cycle === "string") {
    const c = SCAN_CYCLES[cycle];
    if (!c)
      throw new InvalidArgumentError(
        `unknown scan cycle "${cycle}" (${Object.keys(SCAN_CYCLES).join(", ")})`,
      );
    return c;
  }
  const { durationMs, periodMs, jitterMs } = cycle;
  if (!(durationMs > 0) || !(periodMs >= durationMs) || !(jitterMs >= 0)) {
    throw new InvalidArgumentError("scan cycle needs durationMs > 0, periodMs ≥ durationMs and jitterMs ≥ 0");
  }
  return cycle;
}
