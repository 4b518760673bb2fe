import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { virtualClock } from "../../src/clock";

describe("virtualClock", () => {
  it("fires timers in (due time, scheduling order), never cancelled ones, and counts pending timers", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), ms: fc.integer({ min: 0, max: 1000 }) }),
      fc.record({ kind: fc.constant("cancel" as const), which: fc.nat() }),
      fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 700 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const clock = virtualClock(1_000);
        // Reference model: a plain list of pending timers.
        const model: { due: number; order: number; cancelled: boolean; fired: boolean }[] = [];
        const handles: ReturnType<typeof clock.setTimeout>[] = [];
        const fired: number[] = [];
        for (const o of ops) {
          if (o.kind === "set") {
            const order = model.length;
            model.push({ due: clock.now() + o.ms, order, cancelled: false, fired: false });
            handles.push(
              clock.setTimeout(() => {
                fired.push(order);
                expect(clock.now()).toBe(model[order]!.due);
              }, o.ms),
            );
          } else if (o.kind === "cancel" && model.length > 0) {
            const i = o.which % model.length;
            clock.clearTimeout(handles[i]!);
            if (!model[i]!.fired) model[i]!.cancelled = true;
          } else if (o.kind === "advance") {
            const target = clock.now() + o.ms;
            const due = model
              .filter((m) => !m.cancelled && !m.fired && m.due <= target)
              .sort((a, b) => a.due - b.due || a.order - b.order);
            const before = fired.length;
            clock.advanceTo(target);
            expect(fired.slice(before)).toEqual(due.map((m) => m.order));
            for (const m of due) m.fired = true;
            expect(clock.now()).toBe(target);
          }
          expect(clock.pendingTimers()).toBe(model.filter((m) => !m.cancelled && !m.fired).length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("ignores handles of other clocks and timers cancelled twice", () => {
    const a = virtualClock(0);
    const b = virtualClock(0);
    let fired = 0;
    const h = a.setTimeout(() => fired++, 10);
    b.clearTimeout(h);
    a.advance(10);
    expect(fired).toBe(1);
    const h2 = a.setTimeout(() => fired++, 10);
    a.clearTimeout(h2);
    a.clearTimeout(h2);
    expect(a.pendingTimers()).toBe(0);
    a.advance(20);
    expect(fired).toBe(1);
    expect(() => a.advanceTo(5)).toThrow(RangeError);
  });
});
