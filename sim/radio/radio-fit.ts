/**
 * Fitting the radio model to measured RSSI (pc-ng/rss_smartphone: Ng, Spachos, Plataniotis, IEEE
 * Systems Journal 2021, MIT). Pure functions over parsed rows, shared by `scripts/fit-radio.ts` and the
 * tests that check the model reproduces the data.
 */
import { parse } from "csv-parse/sync";

/** One measured packet. */
export interface RssiRow {
  /** Receiving device name. */
  device: string;
  /** Time in seconds (monotone within a session). */
  elapsed: number;
  /** RSSI in dBm. */
  rss: number;
  /** Ground-truth distance in metres. */
  distM: number;
}

/**
 * Parses an `rss-XY.csv` text (`device,elapsed,rss,mRSS10,mRSS100,dist,label`; dist in cm) with
 * csv-parse, in file order. Rows whose elapsed time, RSSI or distance is not a number are skipped. The
 * one reader of these files: `scripts/lib/rss-data.ts` builds its evaluation windows on it.
 */
export function parseRssiCsv(text: string): RssiRow[] {
  const records: Record<string, string>[] = parse(text, {
    bom: true,
    columns: true,
    skip_empty_lines: true,
    record_delimiter: ["\r\n", "\n"],
  });
  const rows: RssiRow[] = [];
  for (const r of records) {
    const rss = Number(r.rss);
    const dist = Number(r.dist);
    const elapsed = Number(r.elapsed);
    if (!Number.isFinite(rss) || !Number.isFinite(dist) || !Number.isFinite(elapsed)) continue;
    rows.push({ device: r.device ?? "", elapsed, rss, distM: dist / 100 });
  }
  return rows;
}

/** Per-distance summary of measured (or simulated) RSSI. */
export interface DistanceSummary {
  /** Distance (m). */
  distM: number;
  /** Packets. */
  n: number;
  /** Mean RSSI after removing device offsets (dBm). */
  mean: number;
  /** Standard deviation of all packets at this distance after removing device offsets (dB). */
  sd: number;
}

/** Fitted parameters of one carriage pair. */
export interface PairFit {
  /** Mean RSSI at 1 m of the average device (dBm). */
  intercept: number;
  /** dB per decade of distance (= −10·path-loss exponent). */
  slope: number;
  /** Path-loss exponent n (slope = −10 n). */
  exponent: number;
  /** Offsets of each measuring device from the average (dB). */
  deviceOffsets: Record<string, number>;
  /** Standard deviation of the session means around the fitted line (dB): persistent shadowing. */
  sessionSd: number;
  /** Standard deviation of packets around their session mean (dB). */
  withinSd: number;
  /** Lag-1 autocorrelation of consecutive packets (gap < 1 s) within sessions. */
  lag1: number;
  /** Time (s) over which the slow within-session component decorrelates to 1/e. */
  slowCorrelationS: number;
  /** Slow (correlated) within-session standard deviation: sqrt(lag1)·withinSd. */
  slowSd: number;
  /** Fast (per packet) standard deviation: sqrt(1 − lag1)·withinSd. */
  fastSd: number;
  /** Standard deviation of all packets around the line (device offsets removed). */
  totalSd: number;
  /** Packets used. */
  n: number;
  /** Measured summary by distance. */
  byDistance: DistanceSummary[];
}

/** Solves the small dense system `A x = b` by Gaussian elimination with partial pivoting. */
export function solveLinear(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    const pr = m[c]!;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const row = m[r]!;
      const f = row[c]! / pr[c]!;
      for (let k = c; k <= n; k++) row[k]! -= f * pr[k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

const sessionKey = (r: RssiRow) => `${r.device}@${r.distM}`;

/**
 * Weighted autocovariance of residuals at time lags `lagsS` (s): a pair of residuals `dt` seconds apart
 * counts towards every lag within [0.8, 1.25]× of `dt`. {@link correlationTime} is the first lag at which
 * the autocorrelation falls below 1/e, interpolated linearly between lags.
 */
function lagAutocovariance(lagsS: readonly number[]) {
  const sums = new Array<number>(lagsS.length).fill(0);
  const weights = new Array<number>(lagsS.length).fill(0);
  return {
    /** Pairs further apart than this (s) count towards no lag. */
    maxLagS: lagsS[lagsS.length - 1]! * 1.25,
    /** Adds a pair `dt` s apart: `product` (already weighted) and its `weight`. */
    add(dt: number, product: number, weight: number) {
      for (let b = 0; b < lagsS.length; b++) {
        const lag = lagsS[b]!;
        if (dt >= lag * 0.8 && dt <= lag * 1.25) {
          sums[b]! += product;
          weights[b]! += weight;
        }
      }
    },
    /** Correlation time (s) for residual variance `variance` (the longest lag if never below 1/e). */
    correlationTime(variance: number): number {
      let prevLag = 0;
      let prevAc = 1;
      for (let b = 0; b < lagsS.length; b++) {
        const ac = weights[b]! > 0 ? sums[b]! / weights[b]! / variance : 0;
        if (ac < Math.exp(-1)) {
          const f = (prevAc - Math.exp(-1)) / Math.max(1e-9, prevAc - ac);
          return prevLag + f * (lagsS[b]! - prevLag);
        }
        prevLag = lagsS[b]!;
        prevAc = ac;
      }
      return lagsS[lagsS.length - 1]!;
    },
  };
}

/**
 * Fits `rss = intercept + slope·log10(d) + deviceOffset + residual` by least squares (device offsets sum
 * to zero), then splits the residual: session means around the line (persistent shadowing), and within
 * sessions a slow part (correlated between consecutive packets) and a fast part (independent per
 * packet), using the lag-1 autocorrelation; the slow part's correlation time comes from the
 * autocorrelation at growing time lags.
 */
export function fitPair(rows: readonly RssiRow[]): PairFit {
  const devices = [...new Set(rows.map((r) => r.device))].sort();
  // Unknowns: intercept, slope, offsets of devices 1..k-1 (device 0 = −sum of the others).
  const k = devices.length;
  const p = 2 + (k - 1);
  const ata = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const atb = new Array<number>(p).fill(0);
  const design = (r: RssiRow) => {
    const x = new Array<number>(p).fill(0);
    x[0] = 1;
    x[1] = Math.log10(r.distM);
    const di = devices.indexOf(r.device);
    if (di > 0) x[1 + di] = 1;
    else if (k > 1) for (let j = 1; j < k; j++) x[1 + j] = -1;
    return x;
  };
  for (const r of rows) {
    const x = design(r);
    for (let i = 0; i < p; i++) {
      atb[i]! += x[i]! * r.rss;
      for (let j = 0; j < p; j++) ata[i]![j]! += x[i]! * x[j]!;
    }
  }
  const beta = solveLinear(ata, atb);
  const offsets: Record<string, number> = {};
  let sumOthers = 0;
  for (let j = 1; j < k; j++) {
    offsets[devices[j]!] = beta[1 + j]!;
    sumOthers += beta[1 + j]!;
  }
  offsets[devices[0]!] = k > 1 ? -sumOthers : 0;
  const intercept = beta[0]!;
  const slope = beta[1]!;
  const resid = (r: RssiRow) => r.rss - intercept - slope * Math.log10(r.distM) - offsets[r.device]!;

  // Sessions (device, distance), in time order.
  const sessions = new Map<string, RssiRow[]>();
  for (const r of rows) {
    const key = sessionKey(r);
    const s = sessions.get(key);
    if (s) s.push(r);
    else sessions.set(key, [r]);
  }
  let sumSessMean2 = 0;
  let within2 = 0;
  let total2 = 0;
  let lagNum = 0;
  let lagDen = 0;
  const lags = lagAutocovariance([0.5, 1, 2, 4, 8, 16, 32]);
  for (const s of sessions.values()) {
    s.sort((a, b) => a.elapsed - b.elapsed);
    const e = s.map(resid);
    const m = e.reduce((a, b) => a + b, 0) / e.length;
    sumSessMean2 += m * m;
    for (let i = 0; i < e.length; i++) {
      const w = e[i]! - m;
      within2 += w * w;
      total2 += e[i]! * e[i]!;
      if (i > 0 && s[i]!.elapsed - s[i - 1]!.elapsed < 1) {
        lagNum += w * (e[i - 1]! - m);
        lagDen += w * w;
      }
      // Autocovariance at time lags (bins of ±25%), sampling forward pairs.
      for (let j = i + 1; j < e.length; j++) {
        const dt = s[j]!.elapsed - s[i]!.elapsed;
        if (dt > lags.maxLagS) break;
        lags.add(dt, w * (e[j]! - m), 1);
      }
    }
  }
  const n = rows.length;
  const withinVar = within2 / n;
  const withinSd = Math.sqrt(withinVar);
  const lag1 = Math.max(0, Math.min(1, lagNum / lagDen));
  const slowVar = lag1 * withinVar;
  const slowCorrelationS = lags.correlationTime(slowVar);
  const byDist = new Map<number, number[]>();
  for (const r of rows) {
    const v = r.rss - offsets[r.device]!;
    const a = byDist.get(r.distM);
    if (a) a.push(v);
    else byDist.set(r.distM, [v]);
  }
  const byDistance = [...byDist.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([distM, v]) => summarise(distM, v));
  return {
    intercept,
    slope,
    exponent: -slope / 10,
    deviceOffsets: offsets,
    sessionSd: Math.sqrt(sumSessMean2 / sessions.size),
    withinSd,
    lag1,
    slowCorrelationS,
    slowSd: Math.sqrt(slowVar),
    fastSd: Math.sqrt(withinVar - slowVar),
    totalSd: Math.sqrt(total2 / n),
    n,
    byDistance,
  };
}

/** Mean and standard deviation of `values` at `distM`. */
export function summarise(distM: number, values: readonly number[]): DistanceSummary {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return { distM, n, mean, sd };
}

/**
 * One received packet of a field recording, in the reference devices' frame: `rssi` = C − attenuation
 * with C = reference tx_power − reference rssi_correction (so the radio model, given reference stations,
 * predicts it directly).
 */
export interface FieldPacket {
  /** Link id (the unordered pair of phones: shadowing is reciprocal). */
  link: string;
  /** Direction id (receiver and transmitter): bursts and time lags are taken within one direction. */
  stream: string;
  /** Time, seconds. */
  time: number;
  /** Camera ground-truth distance, metres. */
  distM: number;
  /** RSSI in the reference frame, dBm. */
  rssi: number;
  /** Weight in the fit (default 1; e.g. 1/packets of its scenario to weigh scenarios equally). */
  weight?: number;
}

/** Path-loss breakpoints tried by {@link fitField}, metres. */
export const FIELD_BREAKPOINTS_M = [1.5, 2, 2.5, 3, 4, 5] as const;

/** Length of the shadowing segments of {@link fitField} (the model's persistent-shadowing correlation), s. */
export const FIELD_SEGMENT_S = 120;

/** Fit of one field setting (see {@link fitField}). */
export interface FieldFit {
  /** Mean RSSI at 1 m, reference frame (dBm). */
  intercept: number;
  /** Path-loss exponent up to the breakpoint. */
  exponent: number;
  /** Breakpoint distance (m). */
  breakpointM: number;
  /** Path-loss exponent beyond the breakpoint (not below 0). */
  farExponent: number;
  /**
   * Relative change per decade of distance of the residual variance: var(d) = var(1 m)·(1 + this·log10 d),
   * log10 d clamped to [−1, 1] (the spreads below are at 1 m).
   */
  varianceSlope: number;
  /** Standard deviation of the residual means of (link, 120-s segment) around the line, per packet (dB). */
  sessionSd: number;
  /** Standard deviation of packets around their segment mean (dB). */
  withinSd: number;
  /**
   * Correlation of consecutive packets of one burst (a link's packets < 1 s apart): 1 − half their mean
   * squared difference / within-segment variance.
   */
  lag1: number;
  /** Slow within-segment standard deviation, sqrt(lag1)·withinSd (dB). */
  slowSd: number;
  /** Time (s) over which the slow part decorrelates to 1/e. */
  slowCorrelationS: number;
  /** Fast (per packet) standard deviation, sqrt(1 − lag1)·withinSd (dB). */
  fastSd: number;
  /** Standard deviation of all residuals, brought to 1 m (dB). */
  totalSd: number;
  /** Skewness and excess kurtosis of the residuals (0 and 0 for a normal distribution). */
  skewness: number;
  excessKurtosis: number;
  /** Weakest received RSSI, reference frame: the (weighted) 0.1% quantile (dBm). */
  sensitivityDbm: number;
  /** Packets used. */
  n: number;
}

/** Mean RSSI of the two-slope path-loss model at `d` m (`d` already clamped). */
export function twoSlopeRssi(
  p: { intercept: number; exponent: number; breakpointM: number; farExponent: number },
  d: number,
): number {
  const x = Math.log10(d);
  const xb = Math.log10(p.breakpointM);
  return p.intercept - 10 * p.exponent * x - 10 * (p.farExponent - p.exponent) * Math.max(0, x - xb);
}

/**
 * Fits one field setting: `rssi = intercept − 10·n·log10(d) − 10·(n_far − n)·max(0, log10(d/d_b))` by
 * least squares, the breakpoint d_b from {@link FIELD_BREAKPOINTS_M} by least residual sum of squares
 * (n_far refitted with the far slope held at 0 when it comes out negative: no rise with distance), then
 * the variance's change with distance (least squares of squared residuals on clamped log10 d; residuals
 * are then brought to 1 m's spread), then the residual split as in {@link fitPair} with (link, 120-s
 * segment) in place of a recording: segment means around the line (persistent shadowing); within
 * segments a fast part, half the mean squared difference of consecutive packets of a burst (a link's
 * packets < 1 s apart), and a slow part, the rest (correlation time where the autocovariance at growing lags falls to 1/e).
 * `minDistanceM` clamps distances as the radio model does.
 */
export function fitField(packets: readonly FieldPacket[], minDistanceM = 0.1): FieldFit {
  const xs = packets.map((p) => Math.log10(Math.max(p.distM, minDistanceM)));
  const ys = packets.map((p) => p.rssi);
  const ws = packets.map((p) => p.weight ?? 1);
  const lsq = (cols: ((i: number) => number)[]) => {
    const k = cols.length;
    const ata = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    const atb = new Array<number>(k).fill(0);
    for (let i = 0; i < xs.length; i++) {
      const row = cols.map((c) => c(i));
      const w = ws[i]!;
      for (let a = 0; a < k; a++) {
        atb[a]! += w * row[a]! * ys[i]!;
        for (let b = 0; b < k; b++) ata[a]![b]! += w * row[a]! * row[b]!;
      }
    }
    const beta = solveLinear(ata, atb);
    let sse = 0;
    for (let i = 0; i < xs.length; i++) {
      let f = 0;
      for (let a = 0; a < k; a++) f += beta[a]! * cols[a]!(i);
      sse += ws[i]! * (ys[i]! - f) ** 2;
    }
    return { beta, sse };
  };
  let best:
    | { sse: number; intercept: number; exponent: number; breakpointM: number; farExponent: number }
    | undefined;
  for (const db of FIELD_BREAKPOINTS_M) {
    const xb = Math.log10(db);
    const hinge = (i: number) => Math.max(0, xs[i]! - xb);
    const full = lsq([() => 1, (i) => xs[i]!, hinge]);
    let cand = {
      sse: full.sse,
      intercept: full.beta[0]!,
      exponent: -full.beta[1]! / 10,
      breakpointM: db,
      farExponent: -(full.beta[1]! + full.beta[2]!) / 10,
    };
    if (cand.farExponent < 0) {
      // Flat beyond the breakpoint: rssi = b0 + b1·min(x, xb).
      const flat = lsq([() => 1, (i) => Math.min(xs[i]!, xb)]);
      cand = {
        sse: flat.sse,
        intercept: flat.beta[0]!,
        exponent: -flat.beta[1]! / 10,
        breakpointM: db,
        farExponent: 0,
      };
    }
    if (!best || cand.sse < best.sse) best = cand;
  }
  const line = best!;
  const raw = packets.map((_, i) => ys[i]! - twoSlopeRssi(line, 10 ** xs[i]!));
  const n = packets.length;
  const wsum = ws.reduce((a, b) => a + b, 0);
  // Variance against distance: weighted least squares of e² on clamped log10 d; then every residual is
  // brought to 1 m's spread before the split.
  const cx = xs.map((x) => Math.min(1, Math.max(-1, x)));
  let s0 = 0;
  let s1 = 0;
  let s11 = 0;
  let sy = 0;
  let s1y = 0;
  raw.forEach((e, i) => {
    const w = ws[i]!;
    s0 += w;
    s1 += w * cx[i]!;
    s11 += w * cx[i]! * cx[i]!;
    sy += w * e * e;
    s1y += w * cx[i]! * e * e;
  });
  const [va, vb] = solveLinear(
    [
      [s0, s1],
      [s1, s11],
    ],
    [sy, s1y],
  );
  const varianceSlope = vb! / va!;
  const resid = raw.map((e, i) => e / Math.sqrt(Math.max(0.25, 1 + varianceSlope * cx[i]!)));
  const mean = resid.reduce((a, e, i) => a + ws[i]! * e, 0) / wsum;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  resid.forEach((e, i) => {
    const c = e - mean;
    m2 += ws[i]! * c * c;
    m3 += ws[i]! * c * c * c;
    m4 += ws[i]! * c * c * c * c;
  });
  m2 /= wsum;
  m3 /= wsum;
  m4 /= wsum;
  // Segments (link, 120-s bin), in time order.
  const segments = new Map<string, number[]>();
  packets.forEach((p, i) => {
    const key = `${p.link}@${Math.floor(p.time / FIELD_SEGMENT_S)}`;
    const s = segments.get(key);
    if (s) s.push(i);
    else segments.set(key, [i]);
  });
  let between2 = 0;
  let within2 = 0;
  // Bursts: packets of a link less than 1 s apart (the field app heard each link a few packets at a
  // time); half the mean squared difference of consecutive packets in a burst (the variogram at the
  // shortest lag, ≈ 0.35 s) is the per-packet (fast) part.
  let burst2 = 0;
  let burstDof = 0;
  const lags = lagAutocovariance([0.5, 1, 2, 5, 10, 20, 40]);
  for (const idx of segments.values()) {
    // By direction, then time: both directions share the segment's shadowing, not their bursts.
    idx.sort((a, b) =>
      packets[a]!.stream === packets[b]!.stream
        ? packets[a]!.time - packets[b]!.time
        : packets[a]!.stream < packets[b]!.stream
          ? -1
          : 1,
    );
    const e = idx.map((i) => resid[i]!);
    const t = idx.map((i) => packets[i]!.time);
    const dir = idx.map((i) => packets[i]!.stream);
    // Seconds from packet i to j, or ∞ across directions.
    const gap = (i: number, j: number) => (dir[i] === dir[j] ? t[j]! - t[i]! : Number.POSITIVE_INFINITY);
    const m = e.reduce((a, b) => a + b, 0) / e.length;
    // A segment lies in one recording, so its packets share one weight.
    const sw = ws[idx[0]!]!;
    between2 += sw * e.length * m * m;
    for (let i = 0; i < e.length; i++) {
      const w = e[i]! - m;
      within2 += sw * w * w;
      if (i > 0 && gap(i - 1, i) < 1) {
        burst2 += (sw * (e[i]! - e[i - 1]!) ** 2) / 2;
        burstDof += sw;
      }
      for (let j = i + 1; j < e.length; j++) {
        const dt = gap(i, j);
        if (dt > lags.maxLagS) break;
        lags.add(dt, sw * w * (e[j]! - m), sw);
      }
    }
  }
  const withinVar = within2 / wsum;
  const lag1 = Math.max(0, Math.min(1, 1 - burst2 / burstDof / withinVar));
  const slowVar = lag1 * withinVar;
  const slowCorrelationS = lags.correlationTime(slowVar);
  // Weighted 0.1% quantile of the received RSSI.
  const order = ys.map((_, i) => i).sort((a, b) => ys[a]! - ys[b]! || a - b);
  let acc = 0;
  let sensitivityDbm = ys[order[0]!]!;
  for (const i of order) {
    acc += ws[i]!;
    sensitivityDbm = ys[i]!;
    if (acc > 0.001 * wsum) break;
  }
  return {
    intercept: line.intercept,
    exponent: line.exponent,
    breakpointM: line.breakpointM,
    farExponent: line.farExponent,
    varianceSlope,
    sessionSd: Math.sqrt(between2 / wsum),
    withinSd: Math.sqrt(withinVar),
    lag1,
    slowSd: Math.sqrt(slowVar),
    slowCorrelationS,
    fastSd: Math.sqrt(withinVar - slowVar),
    totalSd: Math.sqrt(m2),
    skewness: m3 / m2 ** 1.5,
    excessKurtosis: m4 / m2 ** 2 - 3,
    sensitivityDbm,
    n,
  };
}
