/**
 * The one conformance suite every {@link ContactLog} store passes: a model-based run against a
 * reference model made of plain arrays and maps, plus explicit tests of retention, validation,
 * locking and persistence.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  type ContactLog,
  compareResults,
  InvalidSightingError,
  LogClosedError,
  LogLockedError,
  ownKeyExpired,
  type Sighting,
  type StoredResult,
  type TemporaryExposureKey,
  toHex,
} from "../../src/index";

/** One store under test. */
export interface ContactLogFixture {
  /**
   * Opens the store. The first call opens it empty; later calls (after `close`) open the same store
   * again when {@link persistent}, or a fresh one otherwise.
   */
  open(): Promise<ContactLog>;
  /** True when a reopened store keeps what was stored (enables the reopen tests and commands). */
  persistent: boolean;
  /** Location of a store that locks it (enables the second-open test). */
  location?: string;
  /** Removes whatever the store left behind (files). */
  dispose(): Promise<void>;
}

/** Makes a fresh {@link ContactLogFixture}. */
export type ContactLogFactory = () => Promise<ContactLogFixture>;

const SEED = 20211123;
const MINUTES_5 = 300_000;

// Identifier pool: B is A's 12-byte prefix and E differs from A in its last byte only, so an index
// that matches by prefix or ignores the length is caught.
const A = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const B = A.slice(0, 12);
const C = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 - i);
const D = Uint8Array.from({ length: 12 }, (_, i) => 0x80 + i);
const E = Uint8Array.from(A, (x, i) => (i === 15 ? 0xff : x));
const IDS = [A, B, C, D, E];
const UNKNOWN = new Uint8Array(16).fill(0x55);
const AEMS = [new Uint8Array(0), Uint8Array.of(1, 2, 3, 4), Uint8Array.of(0, 0, 0, 0)];

/** Sighting times: few distinct values, so records share times and bounds hit them exactly. */
const sightingTimeArb = fc
  .tuple(fc.integer({ min: 0, max: 12 }), fc.constantFrom(0, 1, 999))
  .map(([k, j]) => k * MINUTES_5 + j);

/** A valid sighting drawn from small pools so times and identifiers collide often. */
const sightingArb: fc.Arbitrary<Sighting> = fc.record({
  time: sightingTimeArb,
  identifier: fc.constantFrom(...IDS),
  aem: fc.constantFrom(...AEMS),
  meanRssi: fc.integer({ min: -128, max: 126 }),
  maxRssi: fc.integer({ min: -128, max: 126 }),
  packets: fc.oneof(fc.constantFrom(1, 0xffff), fc.integer({ min: 1, max: 40 })),
  secondsSinceLastScan: fc.oneof(fc.constantFrom(0, 300), fc.integer({ min: 0, max: 300 })),
});

/** A batch, sometimes holding every sighting twice (identical records must both be kept). */
const batchArb = fc
  .tuple(fc.array(sightingArb, { maxLength: 5 }), fc.boolean())
  .map(([b, twice]) => (twice ? [...b, ...b] : b));

/** Ways of breaking one sighting; each must get the whole batch rejected. */
const BREAKS: Record<string, Partial<Record<keyof Sighting, unknown>>> = {
  "identifier of 15 bytes": { identifier: new Uint8Array(15) },
  "identifier not bytes": { identifier: [1, 2, 3] },
  "aem of 3 bytes": { aem: new Uint8Array(3) },
  "fractional time": { time: 1.5 },
  "negative time": { time: -1 },
  "meanRssi 128": { meanRssi: 128 },
  "meanRssi 127 (not available)": { meanRssi: 127 },
  "maxRssi 127 (not available)": { maxRssi: 127 },
  "maxRssi -129": { maxRssi: -129 },
  "meanRssi NaN": { meanRssi: Number.NaN },
  "packets 0": { packets: 0 },
  "secondsSinceLastScan 301": { secondsSinceLastScan: 301 },
};
const breakArb = fc.constantFrom(...Object.values(BREAKS));

/** Query and purge bounds: stored times exactly, round times around them, anything in between. */
const timeArb = fc.oneof(
  sightingTimeArb,
  fc.integer({ min: -1, max: 13 }).map((k) => k * MINUTES_5),
  fc.integer({ min: 0, max: 13 * MINUTES_5 }),
);

const ownKeyArb: fc.Arbitrary<TemporaryExposureKey> = fc.record({
  keyData: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  rollingStartIntervalNumber: fc.integer({ min: 0, max: 8 }),
  rollingPeriod: fc.integer({ min: 1, max: 144 }),
});

const resultArb: fc.Arbitrary<StoredResult> = fc.record({
  time: timeArb.map((t) => Math.max(0, t)),
  id: fc.constantFrom("a", "b", "ab", "é", "😀", "\uffff"),
  value: fc.oneof(
    fc.integer(),
    fc.string(),
    fc.constant(null),
    fc.record({ n: fc.integer(), s: fc.string() }),
  ),
});

const stateNameArb = fc.constantFrom("base", "cursor", "ü");
const stateValueArb = fc.option(fc.uint8Array({ maxLength: 8 }), { nil: undefined });

/** Comparable form of a sighting (bytes as hex). */
const norm = (s: Sighting) => ({ ...s, identifier: toHex(s.identifier), aem: toHex(s.aem) });
const normKey = (k: TemporaryExposureKey) => ({ ...k, keyData: toHex(k.keyData) });

/** The reference model: what a correct store holds. */
interface Model {
  sightings: Sighting[];
  ownKeys: Map<number, TemporaryExposureKey>;
  results: Map<string, StoredResult>;
  state: Map<string, Uint8Array>;
}

const emptyModel = (): Model => ({ sightings: [], ownKeys: new Map(), results: new Map(), state: new Map() });

/** Model answers, in the interface's order (Array.prototype.sort is stable: insertion order on ties). */
const byTime = (list: Sighting[]) => [...list].sort((a, b) => a.time - b.time);
const expected = {
  range: (m: Model, from: number, to: number) =>
    byTime(m.sightings.filter((s) => s.time >= from && s.time < to)),
  find: (m: Model, ids: Uint8Array[]) => {
    const want = new Set(ids.map(toHex));
    return byTime(m.sightings.filter((s) => want.has(toHex(s.identifier))));
  },
  distinct: (m: Model) => [...new Set(m.sightings.map((s) => toHex(s.identifier)))].sort(),
  ownKeys: (m: Model) =>
    [...m.ownKeys.values()].sort((a, b) => a.rollingStartIntervalNumber - b.rollingStartIntervalNumber),
  results: (m: Model) => [...m.results.values()].sort(compareResults),
};

interface Real {
  log: ContactLog;
  fixture: ContactLogFixture;
}

/** Checks every query of `log` against the model. */
async function expectMatches(m: Model, log: ContactLog): Promise<void> {
  expect((await log.range(-Infinity, Infinity)).map(norm)).toEqual(expected.range(m, 0, Infinity).map(norm));
  expect((await log.distinctIdentifiers()).map(toHex).sort()).toEqual(expected.distinct(m));
  expect((await log.ownKeys()).map(normKey)).toEqual(expected.ownKeys(m).map(normKey));
  expect(await log.results()).toEqual(expected.results(m));
  for (const name of ["base", "cursor", "ü"]) {
    const v = await log.getState(name);
    expect(v === undefined ? undefined : toHex(v)).toEqual(
      m.state.has(name) ? toHex(m.state.get(name)!) : undefined,
    );
  }
  const stats = await log.stats();
  const times = m.sightings.map((s) => s.time);
  expect(stats).toEqual({
    sightings: m.sightings.length,
    identifiers: expected.distinct(m).length,
    ownKeys: m.ownKeys.size,
    ...(times.length > 0 ? { oldest: Math.min(...times), newest: Math.max(...times) } : {}),
  });
}

type Cmd = fc.AsyncCommand<Model, Real>;

/** Builds an {@link fc.AsyncCommand} from a name and a run function. */
function command(label: string, run: (m: Model, r: Real) => Promise<void>, check = () => true): Cmd {
  return { check, run, toString: () => label };
}

const recordCmd = batchArb.map((batch) =>
  command(`record(${batch.length})`, async (m, r) => {
    await r.log.record(batch);
    m.sightings.push(...batch.map((s) => ({ ...s, identifier: s.identifier.slice(), aem: s.aem.slice() })));
  }),
);

const recordInvalidCmd = fc
  .tuple(fc.array(sightingArb, { minLength: 1, maxLength: 4 }), fc.nat(), breakArb)
  .map(([batch, at, broken]) => {
    const index = at % batch.length;
    const bad = batch.map((s, i) => (i === index ? ({ ...s, ...broken } as Sighting) : s));
    return command(`recordInvalid(@${index})`, async (_m, r) => {
      const err = await r.log.record(bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidSightingError);
      expect((err as InvalidSightingError).index).toBe(index);
    });
  });

const rangeCmd = fc.tuple(timeArb, timeArb).map(([from, to]) =>
  command(`range(${from}, ${to})`, async (m, r) => {
    expect((await r.log.range(from, to)).map(norm)).toEqual(expected.range(m, from, to).map(norm));
  }),
);

const findCmd = fc.array(fc.constantFrom(...IDS, UNKNOWN), { maxLength: 4 }).map((ids) =>
  command(`find(${ids.length})`, async (m, r) => {
    expect((await r.log.findByIdentifiers(ids)).map(norm)).toEqual(expected.find(m, ids).map(norm));
  }),
);

const distinctCmd = fc.constant(
  command("distinct", async (m, r) => {
    expect((await r.log.distinctIdentifiers()).map(toHex).sort()).toEqual(expected.distinct(m));
  }),
);

const purgeCmd = timeArb.map((before) =>
  command(`purge(${before})`, async (m, r) => {
    const kept = m.sightings.filter((s) => s.time >= before);
    expect(await r.log.purge(before)).toBe(m.sightings.length - kept.length);
    m.sightings = kept;
    for (const [k, key] of m.ownKeys) if (ownKeyExpired(key, before)) m.ownKeys.delete(k);
    for (const [id, res] of m.results) if (res.time < before) m.results.delete(id);
  }),
);

const putOwnKeysCmd = fc.array(ownKeyArb, { maxLength: 3 }).map((keys) =>
  command(`putOwnKeys(${keys.length})`, async (m, r) => {
    await r.log.putOwnKeys(keys);
    for (const k of keys) m.ownKeys.set(k.rollingStartIntervalNumber, { ...k, keyData: k.keyData.slice() });
    expect((await r.log.ownKeys()).map(normKey)).toEqual(expected.ownKeys(m).map(normKey));
  }),
);

const putResultCmd = resultArb.map((res) =>
  command(`putResult(${res.id}@${res.time})`, async (m, r) => {
    await r.log.putResult(res);
    m.results.set(res.id, JSON.parse(JSON.stringify(res)));
    expect(await r.log.results()).toEqual(expected.results(m));
  }),
);

const putStateCmd = fc.tuple(stateNameArb, stateValueArb).map(([name, value]) =>
  command(`putState(${name})`, async (m, r) => {
    await r.log.putState(name, value);
    if (value === undefined) m.state.delete(name);
    else m.state.set(name, value.slice());
    const got = await r.log.getState(name);
    expect(got === undefined ? undefined : toHex(got)).toEqual(
      value === undefined ? undefined : toHex(value),
    );
  }),
);

const checkAllCmd = fc.constant(command("checkAll", (m, r) => expectMatches(m, r.log)));

const reopenCmd = fc.constant(
  command("reopen", async (m, r) => {
    await r.log.close();
    r.log = await r.fixture.open();
    await expectMatches(m, r.log);
  }),
);

/** What a store can do beyond the interface, known when the suite is registered. */
export interface StoreCapabilities {
  /** The store survives close and reopen (registers the persistence tests). */
  persistent: boolean;
}

/**
 * Registers the conformance suite for one store.
 * @param name - the store's name in the test report
 * @param factory - makes a fresh, not yet opened store
 * @param capabilities - which optional behaviours to test (tests for others are not registered)
 */
export function runContactLogConformance(
  name: string,
  factory: ContactLogFactory,
  capabilities: StoreCapabilities,
): void {
  describe(`ContactLog conformance: ${name}`, () => {
    const fixtures: ContactLogFixture[] = [];
    const open: ContactLog[] = [];
    /** A fresh store, closed and disposed after the test. */
    const fresh = async () => {
      const fixture = await factory();
      fixtures.push(fixture);
      const log = await fixture.open();
      open.push(log);
      return { fixture, log };
    };
    /** Reopens a fixture's store (after closing `log`), tracked for cleanup. */
    const reopen = async (fixture: ContactLogFixture, log: ContactLog) => {
      await log.close();
      const again = await fixture.open();
      open.push(again);
      return again;
    };
    afterEach(async () => {
      for (const log of open.splice(0)) await log.close().catch(() => undefined);
      for (const f of fixtures.splice(0)) await f.dispose();
    });

    it("behaves like the reference model (model-based)", async () => {
      const probe = await factory();
      const persistent = probe.persistent;
      await probe.dispose();
      const commands = [
        recordCmd,
        recordCmd,
        recordInvalidCmd,
        rangeCmd,
        findCmd,
        distinctCmd,
        purgeCmd,
        putOwnKeysCmd,
        putResultCmd,
        putStateCmd,
        checkAllCmd,
        ...(persistent ? [reopenCmd] : []),
      ];
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: "max" }), async (cmds) => {
          const fixture = await factory();
          const real = { log: await fixture.open(), fixture };
          try {
            const model = emptyModel();
            await fc.asyncModelRun(() => ({ model, real }), cmds);
            await expectMatches(model, real.log);
          } finally {
            await real.log.close().catch(() => undefined);
            await fixture.dispose();
          }
        }),
        { seed: SEED, numRuns: persistent ? 25 : 60 },
      );
    });

    it("starts empty", async () => {
      const { log } = await fresh();
      await expectMatches(emptyModel(), log);
      expect(await log.findByIdentifiers(IDS)).toEqual([]);
      expect(await log.range(0, Infinity)).toEqual([]);
      expect(await log.purge(Infinity)).toBe(0);
      expect(await log.getState("nothing")).toBeUndefined();
    });

    it("orders by time, then insertion, across batches and identical records", async () => {
      const { log } = await fresh();
      const at = (time: number, meanRssi: number): Sighting => ({
        time,
        identifier: A,
        aem: AEMS[1]!,
        meanRssi,
        maxRssi: 0,
        packets: 1,
        secondsSinceLastScan: 300,
      });
      await log.record([at(2000, -1), at(1000, -2), at(2000, -3)]);
      await log.record([at(1000, -4), at(2000, -1)]);
      const order = (await log.range(0, 3000)).map((s) => [s.time, s.meanRssi]);
      expect(order).toEqual([
        [1000, -2],
        [1000, -4],
        [2000, -1],
        [2000, -3],
        [2000, -1],
      ]);
      expect((await log.findByIdentifiers([A, A])).map((s) => [s.time, s.meanRssi])).toEqual(order);
    });

    it("retention purge removes everything older than the cutoff and keeps everything newer", async () => {
      const { log } = await fresh();
      const cutoff = 6 * MINUTES_5;
      const mk = (time: number, identifier: Uint8Array): Sighting => ({
        time,
        identifier,
        aem: new Uint8Array(0),
        meanRssi: -70,
        maxRssi: -60,
        packets: 2,
        secondsSinceLastScan: 200,
      });
      // C and D are only seen before the cutoff; A on both sides; B only after.
      const old = [mk(0, C), mk(cutoff - 1, D), mk(MINUTES_5, A)];
      const recent = [mk(cutoff, A), mk(cutoff + 1, B), mk(10 * MINUTES_5, A)];
      await log.record([...recent.slice(0, 1), ...old, ...recent.slice(1)]);
      // Key validity (intervals of 10 min = 2 × 5 min): ends at 2, 3 (= cutoff) and 4 intervals.
      const key = (start: number, period: number): TemporaryExposureKey => ({
        keyData: new Uint8Array(16).fill(start),
        rollingStartIntervalNumber: start,
        rollingPeriod: period,
      });
      await log.putOwnKeys([key(0, 2), key(1, 2), key(2, 2)]);
      await log.putResult({ time: cutoff - 1, id: "old", value: 1 });
      await log.putResult({ time: cutoff, id: "new", value: 2 });
      await log.putState("base", Uint8Array.of(9));

      expect(await log.purge(cutoff)).toBe(3);

      expect((await log.range(0, Infinity)).map(norm)).toEqual(recent.map(norm));
      expect(await log.findByIdentifiers([C, D])).toEqual([]);
      expect((await log.findByIdentifiers([A])).map((s) => s.time)).toEqual([cutoff, 10 * MINUTES_5]);
      expect((await log.distinctIdentifiers()).map(toHex).sort()).toEqual([toHex(A), toHex(B)].sort());
      expect((await log.ownKeys()).map((k) => k.rollingStartIntervalNumber)).toEqual([2]);
      expect(await log.results()).toEqual([{ time: cutoff, id: "new", value: 2 }]);
      expect(await log.getState("base")).toEqual(Uint8Array.of(9));
      expect(await log.stats()).toEqual({
        sightings: 3,
        identifiers: 2,
        ownKeys: 1,
        oldest: cutoff,
        newest: 10 * MINUTES_5,
      });
      expect(await log.purge(cutoff)).toBe(0);
    });

    it.each(Object.entries(BREAKS))(
      "rejects a whole batch with %s, storing nothing",
      async (_label, broken) => {
        const { log } = await fresh();
        const good = fc.sample(sightingArb, { seed: SEED, numRuns: 3 });
        const bad = [good[0]!, { ...good[1]!, ...broken } as Sighting, good[2]!];
        const err = await log.record(bad).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(InvalidSightingError);
        expect(err).toMatchObject({ code: "ERR_INVALID_SIGHTING", index: 1 });
        expect((err as Error).message).toContain("sighting 1");
        expect(await log.stats()).toEqual({ sightings: 0, identifiers: 0, ownKeys: 0 });
        expect(await log.range(-Infinity, Infinity)).toEqual([]);
      },
    );

    it("rejects every call after close with LogClosedError", async () => {
      const fixture = await factory();
      fixtures.push(fixture);
      const log = await fixture.open();
      await log.close();
      await expect(log.range(0, 1)).rejects.toBeInstanceOf(LogClosedError);
      await expect(log.record([])).rejects.toMatchObject({ code: "ERR_LOG_CLOSED" });
      await expect(log.stats()).rejects.toBeInstanceOf(LogClosedError);
    });

    it("copies the bytes it is given and returns fresh copies", async () => {
      const { log } = await fresh();
      const id = A.slice();
      const s: Sighting = { ...fc.sample(sightingArb, { seed: SEED, numRuns: 1 })[0]!, identifier: id };
      await log.record([s]);
      id.fill(0);
      const [got] = await log.range(0, Infinity);
      expect(toHex(got!.identifier)).toBe(toHex(A));
      got!.identifier.fill(0);
      expect(toHex((await log.range(0, Infinity))[0]!.identifier)).toBe(toHex(A));
    });

    it("finishes writes accepted before close", async () => {
      const fixture = await factory();
      fixtures.push(fixture);
      const log = await fixture.open();
      const batch = fc.sample(sightingArb, { seed: SEED, numRuns: 4 });
      const pending = [log.record(batch), log.putState("base", Uint8Array.of(1))];
      await log.close();
      await Promise.all(pending);
      if (!fixture.persistent) return;
      const again = await fixture.open();
      open.push(again);
      expect((await again.range(0, Infinity)).map(norm)).toEqual(byTime(batch).map(norm));
      expect(await again.getState("base")).toEqual(Uint8Array.of(1));
    });

    if (capabilities.persistent) {
      describe("persistence", () => {
        it("fails a second open of the same location with LogLockedError naming the path", async (ctx) => {
          const { fixture } = await fresh();
          if (fixture.location === undefined) return ctx.skip();
          const err = await fixture.open().catch((e: unknown) => e);
          expect(err).toBeInstanceOf(LogLockedError);
          expect(err).toMatchObject({ code: "ERR_LOG_LOCKED", path: fixture.location });
          expect((err as Error).message).toContain(fixture.location);
        });

        it("keeps everything across close and reopen, and continues the insertion order", async (ctx) => {
          const { fixture, log } = await fresh();
          if (!fixture.persistent) return ctx.skip();
          const batch = fc.sample(batchArb, { seed: SEED, numRuns: 5 }).flat();
          const model = emptyModel();
          await log.record(batch);
          model.sightings.push(...batch);
          const keys = fc.sample(ownKeyArb, { seed: SEED, numRuns: 3 });
          await log.putOwnKeys(keys);
          for (const k of keys) model.ownKeys.set(k.rollingStartIntervalNumber, k);
          await log.putResult({ time: 5, id: "r", value: { x: [1, "2"] } });
          model.results.set("r", { time: 5, id: "r", value: { x: [1, "2"] } });
          await log.putState("cursor", Uint8Array.of(1, 2));
          model.state.set("cursor", Uint8Array.of(1, 2));

          const again = await reopen(fixture, log);
          await expectMatches(model, again);
          // New sightings at already-used times sort after the old ones.
          const more = batch.map((s) => ({ ...s, meanRssi: 0 }));
          await again.record(more);
          model.sightings.push(...more);
          await expectMatches(model, again);
        });
      });
    }
  });
}
