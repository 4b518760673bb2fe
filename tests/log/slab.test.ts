import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_SLAB, MIN_SLAB, type Region, SlabAllocator } from "../../src/log/slab";

/** A live region in the model: what was asked for and the byte written all over it. */
interface Live {
  region: Region;
  asked: number;
  mark: number;
}

/** Checks every live region against the model: bounds, alignment, no overlap, content intact. */
function checkLive(live: readonly Live[]): void {
  const byBuffer = new Map<ArrayBuffer, Live[]>();
  for (const l of live) {
    const { buffer, offset, size } = l.region;
    expect(size).toBeGreaterThanOrEqual(l.asked);
    expect(size % 8).toBe(0);
    expect(offset % 8).toBe(0);
    expect(offset + size).toBeLessThanOrEqual(buffer.byteLength);
    // A Float64Array may start at any region (a misaligned offset would throw a RangeError).
    expect(new Float64Array(buffer, offset, size / 8).length).toBe(size / 8);
    const bytes = new Uint8Array(buffer, offset, l.asked);
    expect(bytes.every((b) => b === l.mark)).toBe(true);
    if (size > 0) byBuffer.set(buffer, [...(byBuffer.get(buffer) ?? []), l]);
  }
  for (const ls of byBuffer.values()) {
    ls.sort((a, b) => a.region.offset - b.region.offset);
    for (let i = 1; i < ls.length; i++) {
      const prev = ls[i - 1]!.region;
      expect(prev.offset + prev.size).toBeLessThanOrEqual(ls[i]!.region.offset);
    }
  }
}

describe("slab allocator", () => {
  it("hands out aligned, disjoint regions that keep their content, like a model of live regions (property)", () => {
    // Sizes from empty to larger than a shared slab, mostly a log's (a few hundred bytes to tens of KB),
    // and many close to each other (so freed blocks a little too small for a request are common).
    const size = fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 1, max: 40_000 }) },
      { weight: 4, arbitrary: fc.integer({ min: 1, max: 400 }) },
      { weight: 1, arbitrary: fc.constantFrom(0, 7, 8, 9, MIN_SLAB, MIN_SLAB + 1) },
      { weight: 1, arbitrary: fc.integer({ min: MAX_SLAB - 8, max: MAX_SLAB + 100 }) },
    );
    const op = fc.oneof(
      { weight: 3, arbitrary: size.map((n) => ({ kind: "allocate" as const, n })) },
      { weight: 2, arbitrary: fc.nat().map((i) => ({ kind: "free" as const, i })) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const heap = new SlabAllocator();
        const live: Live[] = [];
        let mark = 1;
        for (const o of ops) {
          if (o.kind === "allocate") {
            const region = heap.allocate(o.n);
            const l = { region, asked: o.n, mark: mark++ & 0xff || 1 };
            new Uint8Array(region.buffer, region.offset, o.n).fill(l.mark);
            live.push(l);
          } else if (live.length > 0) {
            const [l] = live.splice(o.i % live.length, 1);
            heap.free(l!.region);
          }
          heap.verify();
          checkLive(live);
          const stats = heap.stats();
          expect(stats.regions).toBe(live.filter((l) => l.region.size > 0).length);
          expect(stats.used).toBe(live.reduce((s, l) => s + l.region.size, 0));
          expect(stats.used).toBeLessThanOrEqual(stats.reserved);
        }
        // Everything freed: every slab released.
        for (const l of live) heap.free(l.region);
        heap.verify();
        expect(heap.stats()).toEqual({ slabs: 0, reserved: 0, used: 0, regions: 0 });
      }),
      { numRuns: 150 },
    );
  });

  it("reuses a freed region, and merges freed neighbours for a larger one", () => {
    const heap = new SlabAllocator();
    const [a, b, c] = [heap.allocate(1000), heap.allocate(1000), heap.allocate(1000)];
    const reserved = heap.stats().reserved;
    expect(reserved).toBe(MIN_SLAB); // the first slab is the smallest
    heap.free(b);
    const b2 = heap.allocate(1000);
    expect([b2.buffer, b2.offset, b2.size]).toEqual([b.buffer, b.offset, 1000]);
    heap.free(a);
    heap.free(b2);
    // a and b2 merged: 2,000 bytes from a's offset, without a new slab.
    const ab = heap.allocate(2000);
    expect([ab.buffer, ab.offset]).toEqual([a.buffer, a.offset]);
    expect(heap.stats().reserved).toBe(reserved);
    expect(c.offset).toBe(a.offset + 2000);
    heap.verify();
  });

  it("rounds sizes up to 8 bytes and gives zero bytes an empty region in no slab", () => {
    const heap = new SlabAllocator();
    expect(heap.allocate(13).size).toBe(16);
    const empty = heap.allocate(0);
    expect(empty.size).toBe(0);
    expect(heap.stats().regions).toBe(1);
    heap.free(empty);
    heap.verify();
  });

  it("gives a region of MAX_SLAB or more a slab of its own, released with it", () => {
    const heap = new SlabAllocator();
    const small = heap.allocate(100);
    const before = heap.stats().reserved;
    const big = heap.allocate(MAX_SLAB + 8);
    expect(big.buffer.byteLength).toBe(MAX_SLAB + 8);
    expect(heap.stats().reserved).toBe(before + MAX_SLAB + 8);
    heap.free(big);
    expect(heap.stats().reserved).toBe(before);
    heap.free(small);
    expect(heap.stats().slabs).toBe(0);
  });

  it("grows slabs geometrically, up to MAX_SLAB for small regions", () => {
    const heap = new SlabAllocator();
    const regions: Region[] = [];
    for (let i = 0; i < 2000; i++) regions.push(heap.allocate(2000));
    const buffers = [...new Set(regions.map((r) => r.buffer))].map((b) => b.byteLength);
    expect(buffers[0]).toBe(MIN_SLAB);
    for (let i = 1; i < buffers.length; i++) {
      expect(buffers[i]!).toBeGreaterThanOrEqual(buffers[i - 1]!);
      expect(buffers[i]!).toBeLessThanOrEqual(MAX_SLAB);
    }
    expect(buffers.at(-1)).toBe(MAX_SLAB);
    // 4 MB of regions in few slabs, nearly full.
    expect(buffers.length).toBeLessThan(20);
    const { used, reserved } = heap.stats();
    expect(used).toBe(2000 * 2000);
    expect(reserved - used).toBeLessThan(MAX_SLAB);
  });

  it("refuses a region freed twice or a foreign one", () => {
    const heap = new SlabAllocator();
    const r = heap.allocate(64);
    heap.free(r);
    expect(() => heap.free(r)).toThrow(/freed twice/);
    expect(() => heap.free({ buffer: new ArrayBuffer(64), offset: 0, size: 64 })).toThrow(/freed twice/);
    expect(() => heap.allocate(-1)).toThrow(RangeError);
  });
});
