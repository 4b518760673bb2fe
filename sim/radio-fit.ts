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
  const lagBins = [0.5, 1, 2, 4, 8, 16, 32];
  const binNum = new Array<number>(lagBins.length).fill(0);
  const binCnt = new Array<number>(lagBins.length).fill(0);
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
        if (dt > lagBins[lagBins.length - 1]! * 1.25) break;
        for (let b = 0; b < lagBins.length; b++) {
          const lag = lagBins[b]!;
          if (dt >= lag * 0.8 && dt <= lag * 1.25) {
            binNum[b]! += w * (e[j]! - m);
            binCnt[b]!++;
          }
        }
      }
    }
  }
  const n = rows.length;
  const withinVar = within2 / n;
  const withinSd = Math.sqrt(withinVar);
  const lag1 = Math.max(0, Math.min(1, lagNum / lagDen));
  const slowVar = lag1 * withinVar;
  // Correlation time: first lag where the autocovariance falls below slowVar / e (log-linear interpolation).
  let slowCorrelationS = lagBins[lagBins.length - 1]!;
  let prevLag = 0;
  let prevAc = 1;
  for (let b = 0; b < lagBins.length; b++) {
    const ac = binCnt[b]! > 0 ? binNum[b]! / binCnt[b]! / slowVar : 0;
    if (ac < Math.exp(-1)) {
      const t = (prevAc - Math.exp(-1)) / Math.max(1e-9, prevAc - ac);
      slowCorrelationS = prevLag + t * (lagBins[b]! - prevLag);
      break;
    }
    prevLag = lagBins[b]!;
    prevAc = ac;
  }
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
