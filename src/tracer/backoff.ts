/** Exponential back-off with a cap, for restarting a failing radio. */

/**
 * Back-off state: the next delay grows ×2 per failure up to `maxMs` and resets on success.
 * @public
 */
export class Backoff {
  private failures = 0;

  /**
   * @param baseMs - first delay
   * @param maxMs - largest delay
   */
  constructor(
    private readonly baseMs = 1_000,
    private readonly maxMs = 300_000,
  ) {}

  /** Records a failure and returns how long to wait before the next attempt. */
  fail(): number {
    const d = Math.min(this.maxMs, this.baseMs * 2 ** this.failures);
    this.failures++;
    return d;
  }

  /** Records a success. */
  succeed(): void {
    this.failures = 0;
  }

  /** Consecutive failures so far. */
  get count(): number {
    return this.failures;
  }
}
