import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keysHmac, type WireKey } from "../../examples/key-server/protocol";
import { backoffDelay, readLimited, resolveRetry } from "../../src/feed/http";

fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns: 60 });

const noTimers = { setTimeout: () => ({ id: 0 }) };

function streamOf(chunks: Uint8Array[]) {
  let i = 0;
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      pulled++;
      const next = chunks[i++];
      if (next) c.enqueue(next);
      else c.close();
    },
  });
  return { response: new Response(body), pulled: () => pulled };
}

describe("feed properties", () => {
  it("readLimited returns the exact bytes iff they fit, and stops one chunk past the limit otherwise", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 50 }), { maxLength: 20 }),
        fc.nat(600),
        async (chunks, limit) => {
          const total = chunks.reduce((s, c) => s + c.length, 0);
          const { response, pulled } = streamOf(chunks);
          const got = await readLimited(response, limit, "x").catch((e: { code: string }) => e.code);
          if (total <= limit) {
            expect(got).toEqual(new Uint8Array(chunks.flatMap((c) => [...c])));
          } else {
            expect(got).toBe("ERR_FEED_SIZE_LIMIT");
            const ends = chunks.map((_, i) => chunks.slice(0, i + 1).reduce((s, c) => s + c.length, 0));
            const needed = ends.findIndex((end) => end > limit) + 1;
            expect(pulled()).toBeLessThanOrEqual(needed + 1);
          }
        },
      ),
    );
  });

  it("back-off doubles from the base and never exceeds the cap", () => {
    fc.assert(
      fc.property(fc.nat(5000), fc.nat(100_000), fc.nat(30), (base, extra, n) => {
        const r = resolveRetry({ baseDelayMs: base, maxDelayMs: base + extra }, noTimers);
        const d = backoffDelay(r, n);
        expect(d).toBe(Math.min(base + extra, base * 2 ** n));
        expect(backoffDelay(r, n + 1)).toBeGreaterThanOrEqual(d);
      }),
    );
  });

  it("the upload HMAC ignores key order and changes with any field", () => {
    const wireKey: fc.Arbitrary<WireKey> = fc.record({
      key: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString("base64")),
      rollingStartNumber: fc.nat(3_000_000),
      rollingPeriod: fc.integer({ min: 1, max: 144 }),
      transmissionRisk: fc.integer({ min: 0, max: 8 }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(wireKey, { minLength: 1, maxLength: 30, selector: (k) => k.key }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (keys, hmacKey) => {
          const h = keysHmac(hmacKey, keys);
          expect(keysHmac(hmacKey, [...keys].reverse())).toBe(h);
          const changed = [
            { ...keys[0]!, rollingPeriod: (keys[0]!.rollingPeriod % 144) + 1 },
            ...keys.slice(1),
          ];
          expect(keysHmac(hmacKey, changed)).not.toBe(h);
        },
      ),
    );
  });
});
