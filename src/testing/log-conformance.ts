/**
 * The contact-log conformance suite: the tests every {@link ContactLog} store passes — a model-based
 * run (fast-check commands) against a reference model made of plain arrays and maps, plus explicit
 * tests of ordering, retention, validation, closing, copying and (for persistent stores) persistence
 * and locking. bluezone's memory and LevelDB stores run it; a third party runs it on their own store
 * from their own test framework (the pattern of abstract-level's `suite({ test, factory })`).
 *
 * The reference model is written independently of the library: its retention rule, result order and
 * hex encoding are spelled out here from the interface's contract, so a bug in the library's own
 * helpers fails the suite instead of being copied into the expectation.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { InvalidSightingError, LogClosedError, LogLockedError } from "../log/errors";
import type { ContactLog, Sighting, StoredResult } from "../log/types";
import type { TemporaryExposureKey } from "../protocol/gaen";
import { type SuiteFunctions, suiteHex as hex } from "./suite-functions";

/**
 * One store under test, made fresh by a {@link ContactLogFactory}.
 * @public
 */
export interface ContactLogFixture {
  /**
   * Opens the store. The first call opens it empty; later calls (after the previous handle's `close`)
   * open the same store again when the suite's `persistent` is true, or a fresh empty one otherwise.
   */
  open(): Promise<ContactLog>;
  /**
   * Where the store lives (a directory, a file). Required when the suite's `locks` is true: the
   * `LogLockedError` of a second open must carry it as `path` and name it in its message.
   */
  location?: string;
  /** Removes whatever the store left behind (files). Called once, after its handles are closed. */
  dispose(): Promise<void>;
}

/**
 * Makes a fresh, not yet opened {@link ContactLogFixture}; called once per test and per model run.
 * @public
 */
export type ContactLogFactory = () => Promise<ContactLogFixture>;

/**
 * Options of {@link contactLogConformance}.
 * @public
 */
export interface ContactLogConformanceOptions extends SuiteFunctions {
  /** The store's name in the test report: the suite is `ContactLog conformance: <name>`. */
  name: string;
  /** Makes a fresh store for each test. */
  factory: ContactLogFactory;
  /**
   * True when a store reopened after `close` keeps everything stored (the model run then includes
   * reopen commands, and the persistence tests are registered). Default false.
   */
  persistent?: boolean;
  /**
   * True when a second `open` of an open store fails with `LogLockedError` (code `ERR_LOG_LOCKED`)
   * naming the fixture's `location` (registers the locking test). Default false.
   */
  locks?: boolean;
  /**
   * fast-check seed of the model-based run. Default: none, so fast-check draws one per run and prints
   * it (with the shrunk command sequence) when the run fails; pass it here to replay that failure.
   */
  seed?: number;
  /** Command sequences in the model-based run (each up to 40 commands); default 25 when persistent, else 60. */
  numRuns?: number;
}

/**
 * Seed of the fixed example data of the explicit tests (a handful of sightings and keys): they are
 * examples, not a search, so one fixed sample keeps each test's inputs the same from run to run.
 */
const EXAMPLE_SEED = 20211123;
const MINUTES_5 = 300_000;
/** Length of an Exposure Notification interval (EN Cryptography Specification v1.2, "ENIntervalNumber"). */
const INTERVAL_10_MIN_MS = 600_000;

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

/** A valid sighting drawn from small pools so times and identifiers collide often (mean RSSI ≤ max). */
const sightingArb: fc.Arbitrary<Sighting> = fc
  .record({
    time: sightingTimeArb,
    identifier: fc.constantFrom(...IDS),
    aem: fc.constantFrom(...AEMS),
    rssi: fc.tuple(fc.integer({ min: -128, max: 126 }), fc.integer({ min: -128, max: 126 })),
    packets: fc.oneof(fc.constantFrom(1, 0xffff), fc.integer({ min: 1, max: 40 })),
    secondsSinceLastScan: fc.oneof(fc.constantFrom(0, 300), fc.integer({ min: 0, max: 300 })),
  })
  .map(({ rssi: [x, y], ...s }) => ({ ...s, meanRssi: Math.min(x, y), maxRssi: Math.max(x, y) }));

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
  "packets 1.5": { packets: 1.5 },
  "meanRssi -60.5": { meanRssi: -60.5 },
  "secondsSinceLastScan 1.5": { secondsSinceLastScan: 1.5 },
  "secondsSinceLastScan 301": { secondsSinceLastScan: 301 },
  "meanRssi above maxRssi": { meanRssi: -40, maxRssi: -41 },
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
  // "😀" (U+1F600) sorts after "\uffff" by code point but before it by UTF-16 code unit.
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
const norm = (s: Sighting) => ({ ...s, identifier: hex(s.identifier), aem: hex(s.aem) });
const normKey = (k: TemporaryExposureKey) => ({ ...k, keyData: hex(k.keyData) });
/** Hex of stored state bytes (which must be a Uint8Array, a Buffer counts), or undefined. */
const stateHex = (v: Uint8Array | undefined) => {
  if (v !== undefined) assert.ok(v instanceof Uint8Array, "getState must return a Uint8Array or undefined");
  return v === undefined ? undefined : hex(v);
};

/** The reference model: what a correct store holds. */
interface Model {
  sightings: Sighting[];
  ownKeys: Map<number, TemporaryExposureKey>;
  results: Map<string, StoredResult>;
  state: Map<string, Uint8Array>;
}

const emptyModel = (): Model => ({ sightings: [], ownKeys: new Map(), results: new Map(), state: new Map() });

/**
 * Retention of own keys, from the interface's contract: a key's validity ends at the start of the
 * interval after its last one, (rollingStartIntervalNumber + rollingPeriod) × 10 min, and `purge(before)`
 * removes it when that end is at or before `before`.
 */
const modelKeyExpired = (key: TemporaryExposureKey, before: number) =>
  (key.rollingStartIntervalNumber + key.rollingPeriod) * INTERVAL_10_MIN_MS <= before;

/** Result order, from the contract: by time, then by id in UTF-8 byte order (= Unicode code point order). */
const modelResultOrder = (a: StoredResult, b: StoredResult) =>
  a.time - b.time || Buffer.compare(Buffer.from(a.id, "utf8"), Buffer.from(b.id, "utf8"));

/** Model answers, in the interface's order (Array.prototype.sort is stable: insertion order on ties). */
const byTime = (list: Sighting[]) => [...list].sort((a, b) => a.time - b.time);
const expected = {
  range: (m: Model, from: number, to: number) =>
    byTime(m.sightings.filter((s) => s.time >= from && s.time < to)),
  find: (m: Model, ids: Uint8Array[]) => {
    const want = new Set(ids.map(hex));
    return byTime(m.sightings.filter((s) => want.has(hex(s.identifier))));
  },
  distinct: (m: Model) => [...new Set(m.sightings.map((s) => hex(s.identifier)))].sort(),
  ownKeys: (m: Model) =>
    [...m.ownKeys.values()].sort((a, b) => a.rollingStartIntervalNumber - b.rollingStartIntervalNumber),
  results: (m: Model) => [...m.results.values()].sort(modelResultOrder),
};

interface Real {
  log: ContactLog;
  fixture: ContactLogFixture;
}

/** Checks every query of `log` against the model. */
async function expectMatches(m: Model, log: ContactLog): Promise<void> {
  assert.deepStrictEqual(
    (await log.range(-Infinity, Infinity)).map(norm),
    expected.range(m, 0, Infinity).map(norm),
  );
  assert.deepStrictEqual((await log.distinctIdentifiers()).map(hex).sort(), expected.distinct(m));
  assert.deepStrictEqual((await log.ownKeys()).map(normKey), expected.ownKeys(m).map(normKey));
  assert.deepStrictEqual(await log.results(), expected.results(m));
  for (const name of ["base", "cursor", "ü"]) {
    const want = m.state.get(name);
    assert.equal(stateHex(await log.getState(name)), want === undefined ? undefined : hex(want));
  }
  const stats = await log.stats();
  const times = m.sightings.map((s) => s.time);
  assert.deepStrictEqual(stats, {
    sightings: m.sightings.length,
    identifiers: expected.distinct(m).length,
    ownKeys: m.ownKeys.size,
    ...(times.length > 0 ? { oldest: Math.min(...times), newest: Math.max(...times) } : {}),
  });
}

/** Asserts `err` is the store's {@link InvalidSightingError} for sighting `index`. */
function assertInvalidSighting(err: unknown, index: number): void {
  assert.ok(err instanceof InvalidSightingError, `expected InvalidSightingError, got ${String(err)}`);
  assert.equal(err.code, "ERR_INVALID_SIGHTING");
  assert.equal(err.index, index);
}

type Cmd = fc.AsyncCommand<Model, Real>;

/** Builds an {@link fc.AsyncCommand} from a name and a run function. */
function command(label: string, run: (m: Model, r: Real) => Promise<void>, check = () => true): Cmd {
  return { check, run, toString: () => label };
}

/** A batch as a command's label shows it: each sighting's time and identifier's first byte. */
const batchLabel = (batch: readonly Sighting[]) =>
  batch.map((x) => `${x.time}@${hex(x.identifier.subarray(0, 1))}…`).join(", ");

const recordCmd = batchArb.map((batch) =>
  command(`record([${batchLabel(batch)}])`, async (m, r) => {
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
      assertInvalidSighting(err, index);
    });
  });

const rangeCmd = fc.tuple(timeArb, timeArb).map(([from, to]) =>
  command(`range(${from}, ${to})`, async (m, r) => {
    assert.deepStrictEqual((await r.log.range(from, to)).map(norm), expected.range(m, from, to).map(norm));
  }),
);

const findCmd = fc.array(fc.constantFrom(...IDS, UNKNOWN), { maxLength: 4 }).map((ids) =>
  command(`find(${ids.length})`, async (m, r) => {
    assert.deepStrictEqual((await r.log.findByIdentifiers(ids)).map(norm), expected.find(m, ids).map(norm));
  }),
);

const distinctCmd = fc.constant(
  command("distinct", async (m, r) => {
    assert.deepStrictEqual((await r.log.distinctIdentifiers()).map(hex).sort(), expected.distinct(m));
  }),
);

const purgeCmd = timeArb.map((before) =>
  command(`purge(${before})`, async (m, r) => {
    const kept = m.sightings.filter((s) => s.time >= before);
    assert.equal(
      await r.log.purge(before),
      m.sightings.length - kept.length,
      `purge(${before}) must return the number of sightings it removed (those before ${before})`,
    );
    m.sightings = kept;
    for (const [k, key] of m.ownKeys) if (modelKeyExpired(key, before)) m.ownKeys.delete(k);
    for (const [id, res] of m.results) if (res.time < before) m.results.delete(id);
  }),
);

const putOwnKeysCmd = fc.array(ownKeyArb, { maxLength: 3 }).map((keys) =>
  command(`putOwnKeys(${keys.length})`, async (m, r) => {
    await r.log.putOwnKeys(keys);
    for (const k of keys) m.ownKeys.set(k.rollingStartIntervalNumber, { ...k, keyData: k.keyData.slice() });
    assert.deepStrictEqual((await r.log.ownKeys()).map(normKey), expected.ownKeys(m).map(normKey));
  }),
);

const putResultCmd = resultArb.map((res) =>
  command(`putResult(${res.id}@${res.time})`, async (m, r) => {
    await r.log.putResult(res);
    m.results.set(res.id, JSON.parse(JSON.stringify(res)));
    assert.deepStrictEqual(await r.log.results(), expected.results(m));
  }),
);

const putStateCmd = fc.tuple(stateNameArb, stateValueArb).map(([name, value]) =>
  command(`putState(${name})`, async (m, r) => {
    await r.log.putState(name, value);
    if (value === undefined) m.state.delete(name);
    else m.state.set(name, value.slice());
    assert.equal(stateHex(await r.log.getState(name)), value === undefined ? undefined : hex(value));
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

/** Stores opened during one test, closed and disposed when it ends (pass or fail). */
class Session {
  private readonly fixtures: ContactLogFixture[] = [];
  private readonly open: ContactLog[] = [];
  constructor(private readonly factory: ContactLogFactory) {}
  /** A fresh fixture, not opened. */
  async fixture(): Promise<ContactLogFixture> {
    const fixture = await this.factory();
    this.fixtures.push(fixture);
    return fixture;
  }
  /** Opens `fixture` (again), tracked for cleanup. */
  async openLog(fixture: ContactLogFixture): Promise<ContactLog> {
    const log = await fixture.open();
    this.open.push(log);
    return log;
  }
  /** A fresh, opened store. */
  async fresh(): Promise<{ fixture: ContactLogFixture; log: ContactLog }> {
    const fixture = await this.fixture();
    return { fixture, log: await this.openLog(fixture) };
  }
  async end(): Promise<void> {
    for (const log of this.open.splice(0)) await log.close().catch(() => undefined);
    for (const f of this.fixtures.splice(0)) await f.dispose();
  }
}

/**
 * Registers the contact-log conformance suite for one store, with the caller's `describe` and `it`.
 *
 * ```ts
 * import { describe, it } from "vitest"; // or node:test, mocha, jest
 * import { contactLogConformance } from "bluezone/testing";
 * contactLogConformance({ describe, it, name: "my store", factory: async () => ({
 *   open: async () => openMyStore(dir), location: dir, dispose: async () => rm(dir) }),
 *   persistent: true, locks: true });
 * ```
 *
 * Assertions throw `node:assert` `AssertionError`s; a failing model run's error names the fast-check
 * seed and the shrunk command sequence. Error checks use `instanceof` with bluezone's error classes
 * (`InvalidSightingError`, `LogClosedError`, `LogLockedError`) plus their `code`s, so a store must throw
 * those classes from the same bluezone installation (and module format) as this suite.
 *
 * @param options - the test framework's functions, the store's factory and its capabilities
 * @public
 */
export function contactLogConformance(options: ContactLogConformanceOptions): void {
  const { describe, it, name, factory } = options;
  const persistent = options.persistent ?? false;
  const locks = options.locks ?? false;
  /** Runs `body` with a {@link Session}, cleaning up after it. */
  const test = (title: string, body: (s: Session) => Promise<void>) =>
    it(title, async () => {
      const s = new Session(factory);
      try {
        await body(s);
      } finally {
        await s.end();
      }
    });

  describe(`ContactLog conformance: ${name}`, () => {
    it("behaves like the reference model (model-based)", async () => {
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
        {
          numRuns: options.numRuns ?? (persistent ? 25 : 60),
          ...(options.seed === undefined ? {} : { seed: options.seed }),
        },
      );
    });

    test("starts empty", async (s) => {
      const { log } = await s.fresh();
      await expectMatches(emptyModel(), log);
      assert.deepStrictEqual(await log.findByIdentifiers(IDS), []);
      assert.deepStrictEqual(await log.range(0, Infinity), []);
      assert.equal(await log.purge(Infinity), 0, "purge(Infinity) of an empty log removes 0 sightings");
      assert.equal(await log.getState("nothing"), undefined, "a state never put is undefined");
    });

    test("orders by time, then insertion, across batches and identical records", async (s) => {
      const { log } = await s.fresh();
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
      const order = (await log.range(0, 3000)).map((x) => [x.time, x.meanRssi]);
      assert.deepStrictEqual(order, [
        [1000, -2],
        [1000, -4],
        [2000, -1],
        [2000, -3],
        [2000, -1],
      ]);
      assert.deepStrictEqual(
        (await log.findByIdentifiers([A, A])).map((x) => [x.time, x.meanRssi]),
        order,
      );
    });

    test("retention purge removes everything older than the cutoff and keeps everything newer", async (s) => {
      const { log } = await s.fresh();
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

      assert.equal(await log.purge(cutoff), 3, `purge(${cutoff}) removes the 3 sightings before it`);

      assert.deepStrictEqual((await log.range(0, Infinity)).map(norm), recent.map(norm));
      assert.deepStrictEqual(await log.findByIdentifiers([C, D]), []);
      assert.deepStrictEqual(
        (await log.findByIdentifiers([A])).map((x) => x.time),
        [cutoff, 10 * MINUTES_5],
      );
      assert.deepStrictEqual((await log.distinctIdentifiers()).map(hex).sort(), [hex(A), hex(B)].sort());
      assert.deepStrictEqual(
        (await log.ownKeys()).map((k) => k.rollingStartIntervalNumber),
        [2],
      );
      assert.deepStrictEqual(await log.results(), [{ time: cutoff, id: "new", value: 2 }]);
      assert.equal(stateHex(await log.getState("base")), "09");
      assert.deepStrictEqual(await log.stats(), {
        sightings: 3,
        identifiers: 2,
        ownKeys: 1,
        oldest: cutoff,
        newest: 10 * MINUTES_5,
      });
      assert.equal(await log.purge(cutoff), 0, "a second purge at the same time removes nothing");
    });

    for (const [label, broken] of Object.entries(BREAKS)) {
      test(`rejects a whole batch with ${label}, storing nothing`, async (s) => {
        const { log } = await s.fresh();
        const good = fc.sample(sightingArb, { seed: EXAMPLE_SEED, numRuns: 3 });
        const bad = [good[0]!, { ...good[1]!, ...broken } as Sighting, good[2]!];
        const err = await log.record(bad).catch((e: unknown) => e);
        assertInvalidSighting(err, 1);
        assert.match((err as Error).message, /sighting 1/);
        assert.deepStrictEqual(await log.stats(), { sightings: 0, identifiers: 0, ownKeys: 0 });
        assert.deepStrictEqual(await log.range(-Infinity, Infinity), []);
      });
    }

    test("rejects every call after close with LogClosedError", async (s) => {
      const fixture = await s.fixture();
      const log = await fixture.open();
      await log.close();
      await assert.rejects(log.range(0, 1), LogClosedError);
      await assert.rejects(log.record([]), { code: "ERR_LOG_CLOSED" });
      await assert.rejects(log.stats(), LogClosedError);
    });

    test("copies the bytes it is given and returns fresh copies (identifier and AEM)", async (s) => {
      const { log } = await s.fresh();
      const id = A.slice();
      const aem = Uint8Array.of(1, 2, 3, 4);
      const one: Sighting = {
        ...fc.sample(sightingArb, { seed: EXAMPLE_SEED, numRuns: 1 })[0]!,
        identifier: id,
        aem,
      };
      await log.record([one]);
      id.fill(0);
      aem.fill(0);
      const [got] = await log.range(0, Infinity);
      assert.equal(hex(got!.identifier), hex(A), "the identifier was kept by reference, not copied");
      assert.equal(hex(got!.aem), "01020304", "the AEM was kept by reference, not copied");
      got!.identifier.fill(0);
      got!.aem.fill(0);
      const [again] = await log.range(0, Infinity);
      assert.equal(hex(again!.identifier), hex(A), "range() returned the stored identifier, not a copy");
      assert.equal(hex(again!.aem), "01020304", "range() returned the stored AEM, not a copy");
    });

    test("orders results of the same time by id in code point order", async (s) => {
      const { log } = await s.fresh();
      // U+FFFF before U+1F600 by code point (and UTF-8 bytes); by UTF-16 code units the emoji's
      // surrogate 0xD83D would come first.
      await log.putResult({ time: 7, id: "😀", value: 1 });
      await log.putResult({ time: 7, id: "\uffff", value: 2 });
      await log.putResult({ time: 7, id: "é", value: 3 });
      assert.deepStrictEqual(
        (await log.results()).map((r) => r.id),
        ["é", "\uffff", "😀"],
        "results of one time must be ordered by id in code point order (not UTF-16 code units)",
      );
    });

    test("finishes writes accepted before close", async (s) => {
      const fixture = await s.fixture();
      const log = await fixture.open();
      const batch = fc.sample(sightingArb, { seed: EXAMPLE_SEED, numRuns: 4 });
      const pending = [log.record(batch), log.putState("base", Uint8Array.of(1))];
      await log.close();
      await Promise.all(pending);
      if (!persistent) return;
      const again = await s.openLog(fixture);
      assert.deepStrictEqual((await again.range(0, Infinity)).map(norm), byTime(batch).map(norm));
      assert.equal(stateHex(await again.getState("base")), "01");
    });

    if (locks) {
      test("fails a second open of the same location with LogLockedError naming the path", async (s) => {
        const { fixture } = await s.fresh();
        const location = fixture.location;
        assert.ok(
          typeof location === "string",
          "a store tested with `locks: true` must give its fixture a location",
        );
        const err = await fixture.open().catch((e: unknown) => e);
        assert.ok(err instanceof LogLockedError, `expected LogLockedError, got ${String(err)}`);
        assert.equal(err.code, "ERR_LOG_LOCKED");
        assert.equal(err.path, location);
        assert.ok(err.message.includes(location), `the message names the location: ${err.message}`);
      });
    }

    if (persistent) {
      test("keeps everything across close and reopen, and continues the insertion order", async (s) => {
        const { fixture, log } = await s.fresh();
        const batch = fc.sample(batchArb, { seed: EXAMPLE_SEED, numRuns: 5 }).flat();
        const model = emptyModel();
        await log.record(batch);
        model.sightings.push(...batch);
        const keys = fc.sample(ownKeyArb, { seed: EXAMPLE_SEED, numRuns: 3 });
        await log.putOwnKeys(keys);
        for (const k of keys) model.ownKeys.set(k.rollingStartIntervalNumber, k);
        await log.putResult({ time: 5, id: "r", value: { x: [1, "2"] } });
        model.results.set("r", { time: 5, id: "r", value: { x: [1, "2"] } });
        await log.putState("cursor", Uint8Array.of(1, 2));
        model.state.set("cursor", Uint8Array.of(1, 2));

        await log.close();
        const again = await s.openLog(fixture);
        await expectMatches(model, again);
        // New sightings at already-used times sort after the old ones.
        const more = batch.map((x) => ({ ...x, meanRssi: Math.min(0, x.maxRssi) }));
        await again.record(more);
        model.sightings.push(...more);
        await expectMatches(model, again);
      });
    }
  });
}
