/** Driving a virtual-clock medium while hosts (noble, bleno) react between steps. */
import type { VirtualClock } from "../../clock";

/**
 * Resolves after pending microtasks and one macrotask turn (host reactions to delivered events).
 * @public
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Advances `clock` by `ms` in steps of `stepMs`, letting hosts process the events of each step before
 * the next (radio time runs as fast as the CPU allows).
 * @public
 */
export async function runVirtualTime(clock: VirtualClock, ms: number, stepMs = 100): Promise<void> {
  const end = clock.now() + ms;
  while (clock.now() < end) {
    clock.advanceTo(Math.min(end, clock.now() + stepMs));
    await settle();
  }
}
