/**
 * Time is injected everywhere: library code never reads `Date.now()` or calls `setTimeout` directly,
 * so tests and the simulator can drive time.
 */

/** Opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = { readonly id: number };

/** A source of wall-clock time (unix milliseconds) and of timers on that time line. */
export interface Clock {
  /** Current time in unix milliseconds. */
  now(): number;
  /** Calls `fn` once, `ms` milliseconds from now on this clock's time line. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a pending timer; cancelling a fired or unknown timer is a no-op. */
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: `Date.now()` and Node's timers (unref'd, so they never keep a process alive). */
export function systemClock(): Clock {
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const id = next++;
      const t = setTimeout(
        () => {
          timers.delete(id);
          fn();
        },
        Math.max(0, ms),
      );
      t.unref?.();
      timers.set(id, t);
      return { id };
    },
    clearTimeout(handle) {
      const t = timers.get(handle.id);
      if (t) clearTimeout(t);
      timers.delete(handle.id);
    },
  };
}

/** A clock whose time moves only when told to; timers fire in time order as it advances. */
export interface VirtualClock extends Clock {
  /** Moves time forward by `ms`, firing every timer due on the way, in order of due time. */
  advance(ms: number): void;
  /** Moves time to `t` (must not be in the past), firing due timers. */
  advanceTo(t: number): void;
  /** Due time of the earliest pending timer, or `undefined` if none. */
  nextTimerAt(): number | undefined;
  /** Number of pending timers. */
  pendingTimers(): number;
}

/**
 * Creates a {@link VirtualClock} starting at `startMs` (unix milliseconds).
 * Timers scheduled for the same instant fire in the order they were scheduled.
 */
export function virtualClock(startMs = 0): VirtualClock {
  let now = startMs;
  let seq = 1;
  // Small binary heap ordered by (due, seq).
  const heap: { due: number; seq: number; fn: () => void }[] = [];
  const cancelled = new Set<number>();
  const less = (a: (typeof heap)[number], b: (typeof heap)[number]) =>
    a.due < b.due || (a.due === b.due && a.seq < b.seq);
  const push = (e: (typeof heap)[number]) => {
    heap.push(e);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const pop = () => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  };
  const prune = () => {
    while (heap.length > 0 && cancelled.has(heap[0]!.seq)) cancelled.delete(pop().seq);
  };
  const clock: VirtualClock = {
    now: () => now,
    setTimeout(fn, ms) {
      const id = seq++;
      push({ due: now + Math.max(0, ms), seq: id, fn });
      return { id };
    },
    clearTimeout(handle) {
      if (heap.some((e) => e.seq === handle.id)) cancelled.add(handle.id);
    },
    advanceTo(t) {
      if (t < now) throw new RangeError(`virtual clock cannot go back from ${now} to ${t}`);
      for (;;) {
        prune();
        const top = heap[0];
        if (!top || top.due > t) break;
        pop();
        now = top.due;
        top.fn();
      }
      now = t;
    },
    advance(ms) {
      clock.advanceTo(now + ms);
    },
    nextTimerAt() {
      prune();
      return heap[0]?.due;
    },
    pendingTimers() {
      prune();
      return heap.length;
    },
  };
  return clock;
}

/** Resolves after every pending microtask has run (one macrotask turn). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Advances a virtual clock by `ms`, letting asynchronous work settle after each batch of timers due at
 * the same instant, so timers armed by that work are scheduled at the right virtual time.
 */
export async function advanceAndSettle(clock: VirtualClock, ms: number): Promise<void> {
  const target = clock.now() + ms;
  await settle();
  for (;;) {
    const next = clock.nextTimerAt();
    if (next === undefined || next > target) break;
    clock.advanceTo(next);
    await settle();
  }
  clock.advanceTo(target);
  await settle();
}
