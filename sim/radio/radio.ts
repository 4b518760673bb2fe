/**
 * Generative BLE RSSI model for the simulated radio medium, drawing from the library's radio model
 * (`RadioParams` in `bluezone`: the formula, and the mean through its `pathLossRssi`): one- or two-slope log-distance path loss per
 * carriage pair, log-normal shadowing (a persistent per-link part and a slow part, both smooth in time
 * and reciprocal) whose spread may change with distance, body blocking, Rician fast fading and Gaussian noise per packet,
 * per-model tx power and RSSI correction, packet loss and receiver sensitivity, advertising every
 * ≈ 250 ms with a random phase. Parameters are fitted to DP-3T exp05 field data by
 * `scripts/fit-radio.ts`: pooled into `sim/radio/radio-params.json` (the default) and per setting (lunch,
 * train, office, queue, party; chosen by the kind of place) into `sim/radio/radio-settings.json` (see
 * docs/radio-fit.md).
 *
 * Every draw is a counter-based hash of (seed, link, time), so a link's samples do not depend on the
 * order in which links are asked for, and asking twice gives the same samples.
 */
import type { Carriage, VenueKind } from "../scenario";
import {
  KNOTS_PER_CORRELATION,
  RICIAN_TABLE_SIZE,
  ricianTable,
  smoothNoise,
  smoothNoiseWalker,
} from "./fading";
import {
  CARRIAGE_PAIRS,
  type CarriagePair,
  CARRIAGES,
  carriagePair,
  type LinkFunction,
  pathLossRssi,
  type RadioPairParams,
  type RadioParams,
  type RadioPhone,
  calibrationOffsetDb,
  meanRssi as libraryMeanRssi,
  spreadScale,
} from "../../src/index";
import { hash32, hashNormal, hashString, hashUniform, mix32 } from "../random";
import fitted from "./radio-params.json";
import pcngFitted from "./radio-params-pcng.json";
import settingsFile from "./radio-settings.json";

/**
 * All radio model parameters: a configuration of the library's radio model ({@link RadioParams}, its
 * documentation gives the formula).
 */
export type { RadioParams } from "../../src/index";
/** The library's radio model types the simulator's radio exposes (see `bluezone`). */
export type { CarriagePair, RadioPairParams, RadioPhone } from "../../src/index";

/**
 * The fitted parameters shipped in `sim/radio/radio-params.json`: DP-3T exp05 field data, the five annotated
 * scenarios weighted equally (docs/radio-fit.md). The default wherever the setting is not known.
 * @public
 */
export const FITTED_RADIO_PARAMS: RadioParams = fitted as RadioParams;

/**
 * Radio settings: one parameter set per annotated DP-3T exp05 scenario (`sim/radio/radio-settings.json`,
 * fitted by `scripts/fit-radio.ts`, docs/radio-fit.md).
 * @public
 */
export type RadioSetting = "lunch" | "train" | "office" | "queue" | "party";

/**
 * The settings in a fixed order.
 * @public
 */
export const RADIO_SETTINGS: readonly RadioSetting[] = ["lunch", "train", "office", "queue", "party"];

/**
 * Per-setting fitted parameters, and the setting of each kind of place (venue kinds and `home`).
 * @public
 */
export const FITTED_RADIO_SETTINGS = settingsFile as {
  /** Setting whose radio a kind of place has (docs/radio-fit.md says why). */
  places: Record<VenueKind | "home", RadioSetting>;
  /** Parameters per setting. */
  settings: Record<RadioSetting, RadioParams>;
};

/**
 * The fitted radio parameters of a kind of place (a venue kind or `home`).
 * @public
 */
export function radioParamsForPlace(kind: VenueKind | "home"): RadioParams {
  return FITTED_RADIO_SETTINGS.settings[FITTED_RADIO_SETTINGS.places[kind]];
}

/**
 * The pc-ng/rss_smartphone (static, per carriage pair) fit that preceded the field fit, for comparison.
 * @public
 */
export const PCNG_RADIO_PARAMS: RadioParams = pcngFitted as RadioParams;

/**
 * One phone's radio: identity seed, and (as in the library's {@link RadioPhone}) its carriage and its
 * model's calibration numbers (EN calibration `tx_power` dBm and `rssi_correction` dB; the reference's if
 * absent).
 * @public
 */
export interface RadioStation extends RadioPhone {
  /** Stable per-phone seed (e.g. `hashString` of its id). */
  seed: number;
}

/**
 * Distance (m) between the advertiser and the scanner at unix-ms time `t`, or `undefined` if apart.
 * @public
 */
export type DistanceAt = (t: number) => number | undefined;

/** The carriage pairs in the library's fixed order: a pair's code is its index. */
const PAIRS = CARRIAGE_PAIRS;
/** Pair code by advertiser carriage code × 3 + scanner carriage code. */
const PAIR_OF_CODES = Int8Array.from({ length: 9 }, (_, i) =>
  PAIRS.indexOf(carriagePair(CARRIAGES[Math.floor(i / 3)]!, CARRIAGES[i % 3]!)),
);

/**
 * Stations in columns, for hosts drawing millions of scans ({@link RadioModel.scanAt}): each station's
 * seed and carriage, and what each model draws from a station alone (advertising phase and jitter
 * seed) with its calibration offsets, kept by the model per table, so a draw reads one row of 48 bytes
 * instead of two objects and their hashes. Made once; the stations must not change afterwards.
 * @public
 */
export interface StationTable {
  /** The stations, by index (`undefined` where there is none). */
  readonly stations: readonly (RadioStation | undefined)[];
}

/**
 * Makes the {@link StationTable} of `stations` (by index; holes where there is no station).
 * @throws RangeError on a station with an unknown carriage
 * @public
 */
export function createStationTable(stations: readonly (RadioStation | undefined)[]): StationTable {
  for (const st of stations)
    if (st && CARRIAGES.indexOf(st.carriage) < 0)
      throw new RangeError(`radio: unknown carriage ${String(st.carriage)}`);
  return { stations: stations.slice() };
}

/** Numbers of a station's row in a model's columns: seed, carriage code, phase, jitter seed, tx and rx offsets. */
const ROW = 6;
/**
 * One scan's summary, as the scan aggregator would fold the packets: packets received, their mean RSSI
 * (rounded) and maximum RSSI (dBm).
 * @public
 */
export interface ScanSummary {
  /** Packets received in the scan (≥ 1). */
  packets: number;
  /** Mean RSSI of those packets, rounded to an integer (dBm). */
  meanRssi: number;
  /** Strongest packet's RSSI (dBm). */
  maxRssi: number;
}

/**
 * How the radio draws what a scan hears: one summary per scan (default) or every packet.
 * @public
 */
export type RadioSampling = "scan" | "packets";

/**
 * A radio model: per-link RSSI sample generation.
 * @public
 */
export interface RadioModel {
  /** The parameters in use. */
  readonly params: RadioParams;
  /** Expected RSSI (dBm) at distance `d` m for these two stations, without shadowing or fading. */
  meanRssi(advertiser: RadioStation, scanner: RadioStation, d: number): number;
  /**
   * RSSI samples `scanner` receives from `advertiser` in [from, to) (unix ms), given their distance over
   * time; appended to `out` (a new array by default) and returned.
   */
  samples(
    advertiser: RadioStation,
    scanner: RadioStation,
    from: number,
    to: number,
    distanceAt: DistanceAt,
    out?: number[],
  ): number[];
  /**
   * What `scanner` hears from `advertiser` in the scan window [from, to) (unix ms), drawn as one
   * summary from the distribution the per-packet model ({@link RadioModel.samples}) implies, without
   * drawing the packets; `undefined` when nothing is received. See {@link createRadioModel} for the
   * method and what it approximates. With `out`, the summary is written into it and `out` returned (a
   * host drawing millions of scans then makes no object per draw).
   */
  scan(
    advertiser: RadioStation,
    scanner: RadioStation,
    from: number,
    to: number,
    distanceAt: DistanceAt,
    out?: ScanSummary,
  ): ScanSummary | undefined;
  /**
   * {@link RadioModel.scan} of the stations at indices `advertiser` and `scanner` of `table`: the same
   * summary as `scan(table.stations[advertiser], table.stations[scanner], …)`, from the table's columns.
   * @throws RangeError when either index has no station
   */
  scanAt(
    table: StationTable,
    advertiser: number,
    scanner: number,
    from: number,
    to: number,
    distanceAt: DistanceAt,
    out?: ScanSummary,
  ): ScanSummary | undefined;
}

/**
 * Within-scan tables by what they depend on (fading, slow shadowing, loss, advertising timing and the
 * number of events), shared by every model and carriage pair with those values on this thread (the
 * field fit gives all six pairs of a setting the same parameters).
 */
const scanTables = new Map<string, ScanTable>();

/** Key of the within-scan part of pair parameters `p` (see {@link scanTables}). */
const withinScanKey = (params: RadioParams, p: RadioPairParams) =>
  [
    p.riceK,
    p.riceMeanDb,
    p.slowSd,
    p.slowCorrelationS,
    params.packetLoss,
    params.advertisingIntervalMs,
    params.advertisingJitterMs,
  ].join("/") + (p.noiseSd ? `/noise${p.noiseSd}` : "");

/** Zero fading, for pair parameters without Rician fading. */
const NO_FADING = new Float64Array(RICIAN_TABLE_SIZE);

/** Per-packet Rician fading table of pair parameters `p` (zeros when `p.riceK` is absent). */
const fadingTable = (p: RadioPairParams) => (p.riceK === undefined ? NO_FADING : ricianTable(p.riceK));

/** Synthetic scans per within-scan table (a power of two). */
const SCAN_TABLE_ROWS = 4096;

/**
 * The within-scan part of the per-packet model for one carriage pair and `n` advertising events: for
 * each of `rows` synthetic scans (independent realisations of the slow shadowing at a random phase,
 * the advertiser's timing jitter, packet loss and Rician fading), the packets' offsets from the scan's
 * level in dB, sorted ascending (a lost packet is −∞). A row is `n` single-precision numbers in one
 * run (≈ 60 bytes, one or two cache lines), so a draw reads one place of the table; a draw's reads are
 * cache misses all the same when the tables in use exceed the cache, and 4-byte offsets halve what
 * they occupy (their 2⁻²⁴ relative rounding, ≈ 10⁻⁶ dB, is far below the 1 dB of a reported RSSI).
 */
interface ScanTable {
  n: number;
  rows: Float32Array;
}

function buildScanTable(params: RadioParams, p: RadioPairParams, tableSeed: number, n: number): ScanTable {
  const fading = fadingTable(p);
  const riceMean = p.riceMeanDb ?? 0;
  const noiseSd = p.noiseSd ?? 0;
  const interval = params.advertisingIntervalMs;
  const slowKnot = 1000 * p.slowCorrelationS * KNOTS_PER_CORRELATION;
  const rows = new Float32Array(SCAN_TABLE_ROWS * n);
  const row = new Float64Array(n);
  for (let j = 0; j < SCAN_TABLE_ROWS; j++) {
    const seed = hash32(0x5ca77ab1, tableSeed, n, j);
    const t0 = hashUniform(seed, 1) * 1e9;
    for (let k = 0; k < n; k++) {
      const h = hash32(seed, k, 2);
      if ((h & 0xfffff) / 0x100000 < params.packetLoss) {
        row[k] = Number.NEGATIVE_INFINITY;
        continue;
      }
      const t = t0 + k * interval + hashUniform(seed, k, 3) * params.advertisingJitterMs;
      row[k] =
        p.slowSd * smoothNoise(seed, t / slowKnot) + fading[(h >>> 20) & (RICIAN_TABLE_SIZE - 1)]! - riceMean;
      if (noiseSd !== 0) row[k] = row[k]! + noiseSd * hashNormal(seed, k, 4);
    }
    row.sort();
    rows.set(row, j * n);
  }
  return { n, rows };
}

/**
 * Creates a radio model with `params` (fitted by default); `seed` selects the realisation.
 * @public
 */
export function createRadioModel(seed: number, params: RadioParams = FITTED_RADIO_PARAMS): RadioModel {
  const interval = params.advertisingIntervalMs;
  const jitter = params.advertisingJitterMs;
  const offset = (a: RadioStation, s: RadioStation) => calibrationOffsetDb(params, a, s);
  // Per-pair Rician tables: one hash per packet draws the fading (same distribution, 4096 quantiles).
  const rician = new Map<CarriagePair, Float64Array>();
  const ricianFor = (key: CarriagePair) => {
    let t = rician.get(key);
    if (!t) {
      t = fadingTable(params.pairs[key]);
      rician.set(key, t);
    }
    return t;
  };
  const meanRssi = (a: RadioStation, s: RadioStation, d: number) => libraryMeanRssi(params, a, s, d);
  // Tables depend on the parameters only (not the seed): shared through scanTables, kept here by
  // (pair, n) in arrays without building the key string per scan.
  const tableFor = (key: CarriagePair, n: number, byCount: ScanTable[]): ScanTable => {
    const within = `${withinScanKey(params, params.pairs[key])}/${n}`;
    let t = scanTables.get(within);
    if (!t) {
      t = buildScanTable(params, params.pairs[key], hashString(within), n);
      scanTables.set(within, t);
    }
    byCount[n] = t;
    return t;
  };
  // Time of advertising event k of an advertiser (phase and seed as in samples()).
  const eventAt = (advSeed: number, phase: number, k: number) =>
    phase + k * interval + (mix32(advSeed ^ Math.imul(k, 0x9e3779b1)) / 4294967296) * jitter;
  // Per carriage pair (by pair code): its parameters, and its within-scan tables by event count.
  const pairs = PAIRS.map((k) => params.pairs[k]);
  const tablesByPair: ScanTable[][] = PAIRS.map(() => []);
  const sessionKnot = 1000 * params.sessionCorrelationS * KNOTS_PER_CORRELATION;
  const blockMs = 1000 * params.blockingCorrelationS;
  // A station's calibration offsets against a reference counterpart: their sum is offset(a, s) exactly
  // ((A − r₁) − 0 and 0 − (B − r₂) add to (A − r₁) − (B − r₂)).
  const referencePhone: RadioStation = { seed: 0, carriage: "hand" };
  /** Writes station `a`'s row (see {@link ROW}) into `cols` at `o`. */
  const stationRow = (a: RadioStation, cols: Float64Array, o: number) => {
    const carriage = CARRIAGES.indexOf(a.carriage);
    if (carriage < 0) throw new RangeError(`radio: unknown carriage ${String(a.carriage)}`);
    cols[o] = a.seed;
    cols[o + 1] = carriage;
    cols[o + 2] = hashUniform(seed, a.seed, 7);
    cols[o + 3] = hash32(a.seed, seed);
    cols[o + 4] = offset(a, referencePhone);
    cols[o + 5] = offset(referencePhone, a);
  };
  const byTable = new WeakMap<StationTable, Float64Array>();
  let lastTable: StationTable | undefined;
  let lastCols: Float64Array = new Float64Array(0);
  /** This model's columns of `table` (made on first use). */
  const columnsOf = (table: StationTable) => {
    if (table === lastTable) return lastCols;
    let cols = byTable.get(table);
    if (!cols) {
      cols = new Float64Array(table.stations.length * ROW);
      for (let o = 1; o < cols.length; o += ROW) cols[o] = -1; // no station
      for (let i = 0; i < table.stations.length; i++) {
        const st = table.stations[i];
        if (st) stationRow(st, cols, i * ROW);
      }
      byTable.set(table, cols);
    }
    lastTable = table;
    lastCols = cols;
    return cols;
  };
  const pairRows = new Float64Array(2 * ROW);
  /**
   * The per-scan draw (see {@link RadioModel.scan}) of the advertiser in row `ao` of `ac` and the scanner
   * in row `so` of `sc`.
   */
  const draw = (
    ac: Float64Array,
    ao: number,
    sc: Float64Array,
    so: number,
    from: number,
    to: number,
    distanceAt: DistanceAt,
    out: ScanSummary | undefined,
  ): ScanSummary | undefined => {
    const aSeed = ac[ao]!;
    const sSeed = sc[so]!;
    // The advertising events in [from, to): exact, from the two edge events' jitter.
    const phase = ac[ao + 2]! * interval;
    const advSeed = ac[ao + 3]!;
    let first = Math.ceil((from - phase - jitter) / interval);
    if (eventAt(advSeed, phase, first) < from) first++;
    let last = Math.floor((to - phase) / interval);
    if (eventAt(advSeed, phase, last) >= to) last--;
    const n = last - first + 1;
    if (n <= 0) return undefined;
    // The within-scan part: one synthetic scan of n events, picked by a hash of the link direction and
    // the scan's first event. Its row is read first: it is a cache miss (the tables are larger than a
    // core's cache), and the distance and the level are computed while it loads.
    const pair = PAIR_OF_CODES[ac[ao + 1]! * 3 + sc[so + 1]!]!;
    const table = tablesByPair[pair]![n] ?? tableFor(PAIRS[pair]!, n, tablesByPair[pair]!);
    const rows = table.rows;
    const base = (hash32(seed, aSeed, sSeed, first) & (SCAN_TABLE_ROWS - 1)) * n;
    const highest = rows[base + n - 1]!;
    const d = distanceAt(from) ?? distanceAt(to - 1);
    if (d === undefined) return undefined;
    const p = pairs[pair]!;
    const linkSeed = hash32(seed, Math.min(aSeed, sSeed), Math.max(aSeed, sSeed));
    // The scan's level: path loss at its distance, the persistent shadowing (120 s correlation) and
    // body blocking (30 s periods) at the scan's start second and midpoint, exactly as samples() has them.
    const sec = Math.floor(from / 1000);
    const scale = spreadScale(p, d, params.minDistanceM);
    let level =
      pathLossRssi(p, d, params.minDistanceM) +
      (ac[ao + 4]! + sc[so + 5]!) +
      scale * p.sessionSd * smoothNoise(linkSeed, (sec * 1000) / sessionKnot);
    const mid = (from + to) / 2;
    if (hashUniform(linkSeed, Math.floor(mid / blockMs), 3) < p.blockingProbability)
      level -= p.blockingLossDb;
    // The table's offsets are at 1 m's spread; at d they are scaled (order kept). Received: not lost and
    // round(level + scale·offset) ≥ sensitivity, i.e. offset ≥ (sensitivity − 0.5 − level) / scale.
    const cut = (params.sensitivityDbm - 0.5 - level) / scale;
    if (!(highest >= cut)) return undefined; // nothing received
    let i = base;
    let j = base + n;
    while (i < j) {
      const m = (i + j) >>> 1;
      if (rows[m]! >= cut) j = m;
      else i = m + 1;
    }
    const packets = base + n - i;
    if (packets === 0) return undefined;
    let sum = 0;
    for (let k = i; k < base + n; k++) sum += rows[k]!;
    const meanRssi = Math.round(level + (scale * sum) / packets);
    const maxRssi = Math.round(level + scale * highest);
    if (!out) return { packets, meanRssi, maxRssi };
    out.packets = packets;
    out.meanRssi = meanRssi;
    out.maxRssi = maxRssi;
    return out;
  };
  return {
    params,
    meanRssi,
    scan(a, s, from, to, distanceAt, out) {
      stationRow(a, pairRows, 0);
      stationRow(s, pairRows, ROW);
      return draw(pairRows, 0, pairRows, ROW, from, to, distanceAt, out);
    },
    scanAt(table, a, s, from, to, distanceAt, out) {
      const cols = columnsOf(table);
      if (!(cols[a * ROW + 1]! >= 0 && cols[s * ROW + 1]! >= 0))
        throw new RangeError(`radio: no station ${cols[a * ROW + 1]! >= 0 ? s : a} in the table`);
      return draw(cols, a * ROW, cols, s * ROW, from, to, distanceAt, out);
    },
    samples(a, s, from, to, distanceAt, out = []) {
      const pk = carriagePair(a.carriage, s.carriage);
      const p = params.pairs[pk];
      const fading = ricianFor(pk);
      const riceMean = p.riceMeanDb ?? 0;
      const noiseSd = p.noiseSd ?? 0;
      const lo = Math.min(a.seed, s.seed) >>> 0;
      const hi = Math.max(a.seed, s.seed) >>> 0;
      // Reciprocal link seeds (same both ways) for shadowing and blocking; directional for packets.
      const linkSeed = hash32(seed, lo, hi);
      const dirSeed = hash32(seed, a.seed, s.seed, 1);
      const phase = hashUniform(seed, a.seed, 7) * interval;
      const sessionKnot = 1000 * params.sessionCorrelationS * KNOTS_PER_CORRELATION;
      const slowKnot = 1000 * p.slowCorrelationS * KNOTS_PER_CORRELATION;
      const blockMs = 1000 * params.blockingCorrelationS;
      const base = offset(a, s);
      const session = smoothNoiseWalker(linkSeed);
      const slow = smoothNoiseWalker(linkSeed ^ 0x5f3759df);
      // Per-packet draws use one murmur finaliser round of (seed, packet index): the advertiser's
      // timing jitter (the same for every scanner) and, per link direction, loss and fading.
      const advSeed = hash32(a.seed, seed);
      // Distance, the persistent shadowing and blocking change slowly: evaluated once per second and
      // per blocking period.
      let second = Number.NaN;
      let d: number | undefined;
      let block = Number.NaN;
      let blocked = false;
      let k = Math.ceil((from - phase - jitter) / interval);
      let meanAtD = 0;
      let scale = 1;
      for (; ; k++) {
        const t = phase + k * interval + (mix32(advSeed ^ Math.imul(k, 0x9e3779b1)) / 4294967296) * jitter;
        if (t >= to) break;
        if (t < from) continue;
        // One hash per packet and link: its low 20 bits decide loss, its top 12 bits the fading draw.
        const h = mix32(dirSeed ^ Math.imul(k, 0x85ebca6b));
        if ((h & 0xfffff) / 0x100000 < params.packetLoss) continue;
        const sec = Math.floor(t / 1000);
        if (sec !== second) {
          second = sec;
          d = distanceAt(t);
          if (d !== undefined) {
            scale = spreadScale(p, d, params.minDistanceM);
            meanAtD =
              pathLossRssi(p, d, params.minDistanceM) +
              base +
              scale * p.sessionSd * session((sec * 1000) / sessionKnot);
          }
        }
        if (d === undefined) continue;
        let rssi =
          meanAtD +
          scale *
            (noiseSd === 0
              ? p.slowSd * slow(t / slowKnot) + fading[(h >>> 20) & (RICIAN_TABLE_SIZE - 1)]! - riceMean
              : p.slowSd * slow(t / slowKnot) +
                fading[(h >>> 20) & (RICIAN_TABLE_SIZE - 1)]! -
                riceMean +
                noiseSd * hashNormal(dirSeed, k, 5));
        const bi = Math.floor(t / blockMs);
        if (bi !== block) {
          block = bi;
          blocked = hashUniform(linkSeed, bi, 3) < p.blockingProbability;
        }
        if (blocked) rssi -= p.blockingLossDb;
        rssi = Math.round(rssi);
        if (rssi < params.sensitivityDbm) continue;
        out.push(rssi);
      }
      return out;
    },
  };
}

/** RSSI samples `scanner` hears from `advertiser` in [from, to): the simulated medium's own type. */
export type { LinkFunction } from "../../src/index";

/**
 * Options of {@link createLinkFunction}.
 * @public
 */
export interface LinkFunctionOptions {
  /** The radio model. */
  model: RadioModel;
  /** Radio of a station id. */
  station(id: string): RadioStation;
  /** Distance (m) between two stations at unix-ms time `t`, `undefined` when not in the same place. */
  distance(advertiser: string, scanner: string, t: number): number | undefined;
  /**
   * `packets` (default here, the reference): every packet drawn by {@link RadioModel.samples}; `scan`:
   * one {@link RadioModel.scan} summary per window, handed to the medium as packets that fold to the same
   * summary (one at the maximum, the rest making up the mean).
   */
  sampling?: RadioSampling;
  /**
   * The model of the place where the two stations are at unix-ms time `t` (the window's start), e.g.
   * {@link createSettingModels}' model of {@link FITTED_RADIO_SETTINGS}`.places[kind]`; `undefined` (or
   * no `modelAt`) draws with `model`.
   */
  modelAt?(advertiser: string, scanner: string, t: number): RadioModel | undefined;
}

/**
 * Adapts a radio model to the simulated medium's link function.
 * @public
 */
export function createLinkFunction(options: LinkFunctionOptions): LinkFunction {
  const { station, distance, modelAt } = options;
  const pick = modelAt
    ? (a: string, s: string, t: number) => modelAt(a, s, t) ?? options.model
    : () => options.model;
  if (options.sampling === "scan") {
    return (advertiser, scanner, from, to) => {
      const s = pick(advertiser, scanner, from).scan(station(advertiser), station(scanner), from, to, (t) =>
        distance(advertiser, scanner, t),
      );
      return s ? summaryPackets(s) : [];
    };
  }
  return (advertiser, scanner, from, to) =>
    pick(advertiser, scanner, from).samples(station(advertiser), station(scanner), from, to, (t) =>
      distance(advertiser, scanner, t),
    );
}

/**
 * One radio model per fitted setting, all with realisation `seed` (so a link keeps its shadowing and
 * fading draws when it moves between settings; only the parameters change).
 * @public
 */
export function createSettingModels(
  seed: number,
  settings: Record<RadioSetting, RadioParams> = FITTED_RADIO_SETTINGS.settings,
): Record<RadioSetting, RadioModel> {
  return Object.fromEntries(RADIO_SETTINGS.map((k) => [k, createRadioModel(seed, settings[k])])) as Record<
    RadioSetting,
    RadioModel
  >;
}

/**
 * Integer RSSI packets that the scan aggregator folds to `s` exactly: one at the maximum, and the rest
 * spread over ⌊r⌋ and ⌈r⌉ so that the sum is packets · meanRssi (every value ≤ the maximum, since the
 * mean is; and ≥ the summary's packets' own minimum, so in the RSSI range for a summary of real packets).
 * @public
 */
export function summaryPackets(s: ScanSummary): number[] {
  const out = [s.maxRssi];
  const n = s.packets - 1;
  if (n === 0) return out;
  const rest = s.packets * s.meanRssi - s.maxRssi;
  const low = Math.floor(rest / n);
  const high = rest - low * n; // this many packets at low + 1
  for (let i = 0; i < n; i++) out.push(i < high ? low + 1 : low);
  return out;
}

/**
 * A station with a seed derived from its id.
 * @public
 */
export function stationFor(
  id: string,
  carriage: Carriage,
  calibration?: Omit<RadioStation, "seed" | "carriage">,
) {
  return { seed: hashString(id), carriage, ...calibration } satisfies RadioStation;
}
