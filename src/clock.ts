/**
 * Time is injected everywhere: library code never reads `Date.now()` or calls `setTimeout` directly,
 * so tests and the simulator can drive time.
 */

/**
 * Opaque handle returned by {@link Clock.setTimeout}.
 * @public
 */
export type TimerHandle = { readonly id: number };

/**
 * A source of wall-clock time (unix milliseconds) and of timers on that time line.
 * @public
 */
export interface Clock {
  /** Current time in unix milliseconds. */
  now(): number;
  /** Calls `fn` once, `ms` milliseconds from now on this clock's time line. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a pending timer; cancelling a fired or unknown timer is a no-op. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The real clock: `Date.now()` and Node's timers (unref'd, so they never keep a process alive).
 * @public
 */
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

/**
 * A clock whose time moves only when told to; timers fire in time order as it advances.
 * @public
 */
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
 * @public
 */
export function virtualClock(startMs = 0): VirtualClock {
  let now = startMs;
  let seq = 1;
  // Binary heap ordered by (due, id); a timer entry is its own handle, cancelled by a flag, so
  // cancelling costs O(1) and cancelled entries are dropped when they reach the top.
  interface Entry {
    readonly id: number;
    readonly due: number;
    fn: (() => void) | undefined;
    clock: unknown;
  }
  const heap: Entry[] = [];
  let live = 0;
  const less = (a: Entry, b: Entry) => a.due < b.due || (a.due === b.due && a.id < b.id);
  const push = (e: Entry) => {
    let i = heap.length;
    heap.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (!less(e, parent)) break;
      heap[i] = parent;
      i = p;
    }
    heap[i] = e;
  };
  const pop = () => {
    const top = heap[0]!;
    const last = heap.pop()!;
    const n = heap.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && less(heap[r]!, heap[l]!) ? r : l;
        if (!less(heap[m]!, last)) break;
        heap[i] = heap[m]!;
        i = m;
      }
      heap[i] = last;
    }
    return top;
  };
  const prune = () => {
    while (heap.length > 0 && heap[0]!.fn === undefined) pop();
  };
  const clock: VirtualClock = {
    now: () => now,
    setTimeout(fn, ms) {
      const e: Entry = { id: seq++, due: now + Math.max(0, ms), fn, clock };
      push(e);
      live++;
      return e;
    },
    clearTimeout(handle) {
      const e = handle as Partial<Entry>;
      if (e.clock !== clock || e.fn === undefined) return;
      e.fn = undefined;
      live--;
    },
    advanceTo(t) {
      if (t < now) throw new RangeError(`virtual clock cannot go back from ${now} to ${t}`);
      for (;;) {
        prune();
        const top = heap[0];
        if (!top || top.due > t) break;
        pop();
        const fn = top.fn!;
        top.fn = undefined;
        live--;
        now = top.due;
        fn();
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
      return live;
    },
  };
  return clock;
}

/**
 * Resolves after every pending microtask has run (one macrotask turn).
 * @public
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Advances a virtual clock by `ms`, letting asynchronous work settle after each batch of timers due at
 * the same instant, so timers armed by that work are scheduled at the right virtual time.
 * @public
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
