/**
 * Fuzz targets. Each draws inputs (mutants of real samples, or structured junk) and checks the one
 * property every parser here must have: it returns a complete, valid result or throws a typed
 * {@link BluezoneError}; never another exception, never a partial result.
 */
import fc from "fast-check";
import { parseScenario, SHIPPED_SCENARIOS } from "../../sim/scenario";
import {
  BluezoneError,
  type DecodeResult,
  decodeAdvertisingData,
  decodeExportBin,
  decodeNobleAdvertisement,
  encodeAdvertisingData,
  type KeyFileLimits,
  beaconWindows,
  parseBeaconCsv,
  parsePublicKey,
  POLICIES,
  type ReadKeyFileOptions,
  readKeyFile,
  validateExposureKeys,
} from "../../src/index";
import { writeZip } from "../../src/match/zip-entries";
import { keyFile } from "../../src/testing";
import { clock2020, gaenFile, SAMPLE_PUBLIC_KEY } from "../match/fixtures";
import {
  applyByteMutations,
  applyTextMutations,
  byteMutation,
  findSignatures,
  mutantOf,
  textMutation,
  ZIP,
} from "./mutate";

/** What an input led to. */
export type Outcome = "accepted" | "rejected";

/** One fuzz target. */
export interface FuzzTarget {
  /** Name in reports. */
  name: string;
  /** Share of the total case count. */
  weight: number;
  /** Inputs. */
  arbitrary: fc.Arbitrary<unknown>;
  /** Runs the parser on an input; throws when the property is broken. */
  check(input: unknown): Outcome;
}

/** A violation of the fuzz property. */
export class FuzzPropertyError extends Error {}

/** Runs `fn`; a typed error is a rejection, any other exception breaks the property. */
function guarded(fn: () => void): Outcome {
  try {
    fn();
    return "accepted";
  } catch (err) {
    if (err instanceof BluezoneError) return "rejected";
    if (err instanceof FuzzPropertyError) throw err;
    throw new FuzzPropertyError(`untyped exception: ${(err as Error)?.stack ?? String(err)}`);
  }
}

function ensure(cond: boolean, what: string): void {
  if (!cond) throw new FuzzPropertyError(what);
}

/** A decode result is well formed (decoders never throw at all). */
function checkDecode(r: DecodeResult): Outcome {
  if (r.status === "ok") {
    const p = r.payload;
    if (p.scheme === "gaen")
      ensure(p.rpi.length === 16 && p.aem.length === 4, "EN payload with wrong lengths");
    else ensure(p.id.length === 12, "Bluezone payload with a wrong length");
    return "accepted";
  }
  if (r.status === "malformed") {
    ensure(r.error instanceof BluezoneError, "malformed without a typed error");
    return "rejected";
  }
  ensure(r.status === "foreign", `unknown status ${(r as { status: string }).status}`);
  return "rejected";
}

const decodeNoThrow = (fn: () => DecodeResult): Outcome => {
  let r: DecodeResult;
  try {
    r = fn();
  } catch (err) {
    throw new FuzzPropertyError(`decoder threw: ${String(err)}`);
  }
  return checkDecode(r);
};

/** Small limits, so memory stays bounded whatever a mutant declares. */
export const FUZZ_LIMITS: Partial<KeyFileLimits> = {
  maxFileBytes: 1 << 20,
  maxExportBytes: 256 << 10,
  maxSignatureBytes: 4 << 10,
  maxKeys: 5000,
  maxSignatures: 4,
};

/** readKeyFile's property: a typed error, or every key valid and nothing dropped. */
function checkKeyFile(bytes: Uint8Array, options: ReadKeyFileOptions): Outcome {
  return guarded(() => {
    const f = readKeyFile(bytes, { ...options, limits: FUZZ_LIMITS });
    validateExposureKeys(f.keys, options, "keys");
    validateExposureKeys(f.revisedKeys, options, "revised_keys");
    const again = decodeExportBin(f.exportBin);
    ensure(
      again.keys.length === f.keys.length && again.revisedKeys.length === f.revisedKeys.length,
      "partial import: the result holds fewer keys than export.bin",
    );
    ensure(f.keys.length + f.revisedKeys.length <= FUZZ_LIMITS.maxKeys!, "key limit not enforced");
    if (options.verify !== false) ensure(f.verified, "accepted unverified with verify on");
  });
}

const EN_ADVERT = encodeAdvertisingData({
  scheme: "gaen",
  rpi: new Uint8Array(16).fill(7),
  aem: new Uint8Array(4).fill(9),
});
const BZ_ADVERT = encodeAdvertisingData({ scheme: "bluezone", id: new Uint8Array(12).fill(3) });

const rawAdvertisements: FuzzTarget = {
  name: "advertisement-bytes",
  weight: 3,
  arbitrary: fc.oneof(mutantOf(EN_ADVERT), mutantOf(BZ_ADVERT), fc.uint8Array({ maxLength: 62 })),
  check: (b) => decodeNoThrow(() => decodeAdvertisingData(b as Uint8Array)),
};

const uuidString = fc.oneof(
  fc.constantFrom("fd6f", "FD6F", "0000fd6f-0000-1000-8000-00805f9b34fb", "4e56", "fff", "", "zz", "fd6f0"),
  fc.string({ maxLength: 40 }),
);
const junk = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.integer(),
  fc.string(),
  fc.constant({}),
  fc.constant([]),
);
const nobleAdvertisement = fc.record(
  {
    serviceData: fc.oneof(
      fc.array(
        fc.oneof(
          fc.record({
            uuid: uuidString,
            data: fc.oneof(
              fc.uint8Array({ minLength: 20, maxLength: 20 }),
              fc.uint8Array({ maxLength: 40 }),
              junk,
            ),
          }),
          junk,
        ),
        { maxLength: 4 },
      ),
      junk,
    ),
    serviceUuids: fc.oneof(fc.array(uuidString, { maxLength: 4 }), junk),
    manufacturerData: fc.oneof(
      fc
        .uint8Array({ maxLength: 30 })
        .map((b) => (b.length >= 2 && b[0]! & 1 ? Uint8Array.of(0xb5, 0x22, ...b) : b)),
      junk,
    ),
  },
  { requiredKeys: [] },
);

const nobleAdvertisements: FuzzTarget = {
  name: "advertisement-noble",
  weight: 2,
  arbitrary: nobleAdvertisement,
  check: (a) => decodeNoThrow(() => decodeNobleAdvertisement(a as never)),
};

const SAMPLE_ZIP = gaenFile("sample-diagnosis-key-file.zip");
const SAMPLE_READ: ReadKeyFileOptions = {
  trustedKeys: [parsePublicKey(SAMPLE_PUBLIC_KEY)],
  clock: clock2020,
};
const BINS = [gaenFile("export-110-keys.bin"), gaenFile("export-200-keys.bin")];

const sampleZipMutants: FuzzTarget = {
  name: "keyfile-zip-bytes",
  weight: 2,
  arbitrary: fc.tuple(mutantOf(SAMPLE_ZIP), fc.boolean()),
  check: (x) => {
    const [bytes, verify] = x as [Uint8Array, boolean];
    return checkKeyFile(bytes, { ...SAMPLE_READ, verify });
  },
};

/** Zip header fields that hold sizes, counts, offsets and name lengths (offset, width). */
const ZIP_FIELDS: Record<keyof typeof ZIP, ReadonlyArray<readonly [number, 2 | 4]>> = {
  local: [
    [18, 4],
    [22, 4],
    [26, 2],
    [28, 2],
  ],
  central: [
    [20, 4],
    [24, 4],
    [28, 2],
    [30, 2],
    [32, 2],
    [42, 4],
  ],
  end: [
    [8, 2],
    [10, 2],
    [12, 4],
    [16, 4],
    [20, 2],
  ],
};
const NAMES = ["export.sig", "export.bin", "EXPORT.BIN", "export.bi\0", "xport.bin/", "../../e.bin"].map(
  (n) => new TextEncoder().encode(n),
);

/** A structural zip edit: a size/offset field, or an entry renamed in the local and/or central header. */
const zipEdit = fc.oneof(
  fc.record({
    kind: fc.constant("field" as const),
    where: fc.constantFrom("local" as const, "central" as const, "end" as const),
    nth: fc.nat(3),
    field: fc.nat(5),
    value: fc.oneof(fc.constantFrom(0, 1, 0xffff, 0x7fffffff, 0xffffffff, 64 << 20), fc.nat()),
    delta: fc.integer({ min: -2, max: 2 }),
    relative: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("rename" as const),
    nth: fc.nat(1),
    name: fc.nat(NAMES.length - 1),
    scope: fc.nat(2),
  }),
);
type ZipEdit = typeof zipEdit extends fc.Arbitrary<infer T> ? T : never;

function applyZipEdit(zip: Uint8Array, e: ZipEdit): Uint8Array {
  const out = zip.slice();
  const v = new DataView(out.buffer);
  if (e.kind === "field") {
    const at = findSignatures(out, ZIP[e.where]);
    if (at.length === 0) return out;
    const base = at[e.nth % at.length]!;
    const fields = ZIP_FIELDS[e.where];
    const [off, width] = fields[e.field % fields.length]!;
    if (base + off + width > out.length) return out;
    const old = width === 4 ? v.getUint32(base + off, true) : v.getUint16(base + off, true);
    const value = e.relative ? old + e.delta : e.value;
    if (width === 4) v.setUint32(base + off, value >>> 0, true);
    else v.setUint16(base + off, value & 0xffff, true);
    return out;
  }
  const name = NAMES[e.name]!;
  const renameAt = (sig: number, lenOff: number, nameOff: number) => {
    const at = findSignatures(out, sig);
    const base = at[e.nth % Math.max(1, at.length)];
    if (base === undefined || base + nameOff > out.length) return;
    const len = v.getUint16(base + lenOff, true);
    if (len !== name.length) return; // same-length renames keep every offset valid
    out.set(name, base + nameOff);
  };
  if (e.scope !== 1) renameAt(ZIP.local, 26, 30);
  if (e.scope !== 0) renameAt(ZIP.central, 28, 46);
  return out;
}

const generated = fc.sample(keyFile({ maxKeys: 30 }), { seed: 11, numRuns: 4 });
const zipStructure: FuzzTarget = {
  name: "keyfile-zip-structure",
  weight: 2,
  arbitrary: fc.tuple(
    fc.constantFrom(...generated, { bytes: SAMPLE_ZIP, readOptions: SAMPLE_READ }),
    fc.array(zipEdit, { minLength: 1, maxLength: 3 }),
    fc.boolean(),
  ),
  check: (x) => {
    const [f, edits, verify] = x as [
      { bytes: Uint8Array; readOptions: ReadKeyFileOptions },
      ZipEdit[],
      boolean,
    ];
    return checkKeyFile(edits.reduce(applyZipEdit, f.bytes), { ...f.readOptions, verify });
  },
};

const bareBins: FuzzTarget = {
  name: "export-bin-bytes",
  weight: 2,
  arbitrary: fc.tuple(
    fc.constantFrom(...BINS),
    fc.array(byteMutation, { minLength: 1, maxLength: 4 }),
    fc.boolean(),
  ),
  check: (x) => {
    const [bin, ms, zipped] = x as [Uint8Array, Parameters<typeof applyByteMutations>[1], boolean];
    const mutant = applyByteMutations(bin, ms);
    // Zipped in a well-formed container, the mutant reaches the protobuf decoder through the zip path too.
    const bytes = zipped ? writeZip([["export.bin", mutant]]) : mutant;
    return checkKeyFile(bytes, { verify: false, clock: clock2020 });
  },
};

const BEACON_CSV = [
  "pair,time,rssi,tx_power,receiver_model,transmitter_model",
  "a-b,1600000000,-60,-10,Pixel 4,SM-G973F",
  'a-b,1600000000.5,-62,,"Pixel 4","SM-G973F"',
  "b-a,1600000001,-70,-8,,",
  "c-d,1600000300,-90,,iPhone,",
].join("\n");

const beaconCsv: FuzzTarget = {
  name: "beacon-csv",
  weight: 2,
  arbitrary: fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .array(textMutation, { minLength: 1, maxLength: 5 })
        .map((ms) => applyTextMutations(BEACON_CSV, ms)),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 200, unit: "binary" }) },
  ),
  check: (text) =>
    guarded(() => {
      const rows = parseBeaconCsv(text as string);
      for (const r of rows) {
        ensure(
          r.pair !== "" && Number.isFinite(r.time) && r.rssi >= -127 && r.rssi <= 20,
          "invalid row accepted",
        );
        ensure(r.txPower === undefined || Number.isFinite(r.txPower), "non-finite tx power accepted");
      }
      beaconWindows(rows, POLICIES.default!);
    }),
};

/** Every path (list of keys) in a JSON value, the root included. */
function jsonPaths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(v)) for (let i = 0; i < v.length; i++) out.push(...jsonPaths(v[i], [...prefix, i]));
  else if (v !== null && typeof v === "object")
    for (const [k, x] of Object.entries(v)) out.push(...jsonPaths(x, [...prefix, k]));
  return out;
}

/**
 * A deep copy of `doc` with the value at `path` replaced (or removed when `value` is undefined); `doc`
 * itself when an earlier edit removed the path.
 */
function replaceAt(doc: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  if (doc === null || typeof doc !== "object") return doc;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let node = copy;
  for (const k of path.slice(0, -1)) {
    const next = node[k];
    if (next === null || typeof next !== "object") return doc;
    node = next as Record<string | number, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

const SCENARIO_DOC = SHIPPED_SCENARIOS.office;
const SCENARIO_PATHS = jsonPaths(SCENARIO_DOC);

const scenarioFiles: FuzzTarget = {
  name: "scenario-json",
  weight: 2,
  arbitrary: fc
    .array(
      fc.record({
        at: fc.nat(SCENARIO_PATHS.length - 1),
        value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined), fc.double(), fc.integer()),
      }),
      { minLength: 1, maxLength: 3 },
    )
    .map((edits) =>
      edits.reduce((doc, e) => replaceAt(doc, SCENARIO_PATHS[e.at]!, e.value), SCENARIO_DOC as unknown),
    ),
  check: (doc) =>
    guarded(() => {
      const s = parseScenario(doc);
      ensure(s.population >= 1 && s.days >= 1 && s.venues.length > 0, "invalid scenario accepted");
    }),
};

/** Every target. */
export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  scenarioFiles,
  rawAdvertisements,
  nobleAdvertisements,
  sampleZipMutants,
  zipStructure,
  bareBins,
  beaconCsv,
];
