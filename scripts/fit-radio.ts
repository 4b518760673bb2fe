/**
 * `npx tsx scripts/fit-radio.ts [--write]`: fits the simulator's radio model and, with `--write`, writes
 * sim/radio/radio-params.json (the default: DP-3T exp05, five annotated scenarios weighted equally),
 * sim/radio/radio-settings.json (one parameter set per exp05 scenario, and the setting of each kind of place),
 * sim/radio/radio-params-pcng.json (the static per-carriage-pair fit to pc-ng/rss_smartphone it replaced, kept
 * for comparison) and docs/radio-fit.md (method, fitted tables, field-against-model comparison).
 *
 * Data: DP-3T experiment 05 (data/field/dp3t-exp05, EPFL/ETH Zurich, CC BY-ND 4.0, read unmodified);
 * pc-ng/rss_smartphone (data/rssi, MIT; Ng, Spachos, Plataniotis, "COVID-19 and Your Smartphone:
 * BLE-Based Smart Contact Tracing", IEEE Systems Journal 2021).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ricianDb } from "../sim/radio/fading";
import { createRadioModel, RADIO_SETTINGS, type RadioParams, type RadioSetting } from "../sim/radio/radio";
import { type FieldFit, fitField, fitPair, type PairFit, parseRssiCsv } from "../sim/radio/radio-fit";
import { createRng } from "../sim/random";
import { CARRIAGE_PAIRS, type CarriagePair, type RadioPairParams, uniformPairs } from "../src/index";
import type { Carriage, VenueKind } from "../sim/scenario";
import { FieldDataError, loadFieldRows } from "./lib/field-data";
import {
  bandLabel,
  FIELD_BANDS,
  type FieldSlot,
  fitPackets,
  ksStatistic,
  replay,
  settingSlots,
} from "./lib/radio-field";

const CARRIAGE_OF: Record<string, Carriage> = { H: "hand", P: "pocket", B: "bag" };

// Priors of the pc-ng fit (not identifiable from that data; see docs/radio-fit.md).
const BLOCKING: Record<Carriage, number> = { hand: 0.1, pocket: 0.3, bag: 0.25 };
const BLOCKING_LOSS_DB = 6;
// Priors of both fits.
const PACKET_LOSS = 0.1;
const SESSION_CORRELATION_S = 120;
const BLOCKING_CORRELATION_S = 30;
const ADVERTISING = { advertisingIntervalMs: 250, advertisingJitterMs: 10 };

/**
 * The setting of each kind of place: the exp05 scenario closest to how people stand, sit and carry
 * their phones there (docs/radio-fit.md, "Settings in the simulator").
 */
export const PLACE_SETTINGS: Record<VenueKind | "home", RadioSetting> = {
  home: "lunch",
  workplace: "office",
  school: "office",
  market: "queue",
  transit: "train",
  other: "party",
};

/** Standard deviation and mean of Rician fading in dB at K (fixed Monte Carlo sample). */
function ricianStats(k: number): { sd: number; mean: number } {
  const rng = createRng(12345);
  const n = 40_000;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const x = ricianDb(k, rng.normal(), rng.normal());
    s += x;
    s2 += x * x;
  }
  const mean = s / n;
  return { mean, sd: Math.sqrt(s2 / n - mean * mean) };
}

/** K factor whose dB standard deviation is `sd` (bisection on log K; 0 if above Rayleigh's). */
function fitRiceK(sd: number): number {
  if (sd >= ricianStats(0).sd) return 0;
  let lo = -3;
  let hi = 3;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (ricianStats(10 ** mid).sd > sd) lo = mid;
    else hi = mid;
  }
  return 10 ** ((lo + hi) / 2);
}

const round = (x: number, d = 3) => Number(x.toFixed(d));
const roundAll = <T>(o: T): T =>
  JSON.parse(JSON.stringify(o, (_k, v) => (typeof v === "number" ? round(v) : v)));

/** Reference devices: the calibration table's median tx_power and rssi_correction. */
function referenceOf(dataDir: string) {
  const calib = readFileSync(resolve(dataDir, "calibration/en-calibration-2020-12-14.csv"), "utf8")
    .split(/\r?\n/)
    .slice(1)
    .filter(Boolean)
    .map((l) => l.split(","));
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return {
    txPower: median(calib.map((f) => Number(f[4]))),
    rssiCorrection: median(calib.map((f) => Number(f[3]))),
  };
}

/** The static per-carriage-pair fit to pc-ng/rss_smartphone (the radio before the field fit). */
function fitPcng(dataDir: string, reference: RadioParams["reference"]) {
  const fits = {} as Record<CarriagePair, PairFit>;
  const pairs = {} as Record<CarriagePair, RadioPairParams>;
  let minRss = 0;
  for (const key of CARRIAGE_PAIRS) {
    const rows = parseRssiCsv(readFileSync(resolve(dataDir, `rssi/rss-${key}.csv`), "utf8"));
    for (const r of rows) minRss = Math.min(minRss, r.rss);
    const f = fitPair(rows);
    fits[key] = f;
    const pa = BLOCKING[CARRIAGE_OF[key[0]!]!];
    const pb = BLOCKING[CARRIAGE_OF[key[1]!]!];
    const p = 1 - (1 - pa) * (1 - pb);
    // Blocking is part of the measured persistent variance and mean: take it out of both, keeping at
    // least half the persistent variance as shadowing.
    const loss = Math.min(BLOCKING_LOSS_DB, Math.sqrt((0.5 * f.sessionSd ** 2) / (p * (1 - p))));
    const riceK = fitRiceK(f.fastSd);
    pairs[key] = {
      intercept: f.intercept + p * loss,
      exponent: f.exponent,
      sessionSd: Math.sqrt(Math.max(0, f.sessionSd ** 2 - p * (1 - p) * loss ** 2)),
      slowSd: f.slowSd,
      slowCorrelationS: f.slowCorrelationS,
      riceK,
      riceMeanDb: ricianStats(riceK).mean,
      blockingProbability: p,
      blockingLossDb: loss,
    };
  }
  const params: RadioParams = roundAll({
    pairs,
    ...ADVERTISING,
    packetLoss: PACKET_LOSS,
    sensitivityDbm: minRss,
    sessionCorrelationS: SESSION_CORRELATION_S,
    blockingCorrelationS: BLOCKING_CORRELATION_S,
    minDistanceM: 0.1,
    reference,
  });
  return { params, fits };
}

/**
 * Radio parameters of one field fit: the same for every carriage pair (exp05 records no carriage), no
 * separate body blocking (the residuals are normal: blocking's share is in the shadowing), receiver
 * sensitivity the weakest 0.1% of what was received.
 */
function fieldParams(f: FieldFit, reference: RadioParams["reference"]): RadioParams {
  const riceK = fitRiceK(f.fastSd);
  const pair: RadioPairParams = {
    intercept: f.intercept,
    exponent: f.exponent,
    breakpointM: f.breakpointM,
    farExponent: f.farExponent,
    varianceSlope: f.varianceSlope,
    sessionSd: f.sessionSd,
    slowSd: f.slowSd,
    slowCorrelationS: f.slowCorrelationS,
    riceK,
    riceMeanDb: ricianStats(riceK).mean,
    blockingProbability: 0,
    blockingLossDb: 0,
  };
  return roundAll({
    pairs: uniformPairs(pair),
    ...ADVERTISING,
    packetLoss: PACKET_LOSS,
    sensitivityDbm: f.sensitivityDbm,
    sessionCorrelationS: SESSION_CORRELATION_S,
    blockingCorrelationS: BLOCKING_CORRELATION_S,
    minDistanceM: 0.1,
    reference,
  });
}

/** Runs both fits on `dataDir` (the repository's data/). Throws {@link FieldDataError} without exp05. */
export async function fitRadio(dataDir: string) {
  const reference = referenceOf(dataDir);
  const c = reference.txPower - reference.rssiCorrection;
  const pcng = fitPcng(dataDir, reference);
  const slots = settingSlots(await loadFieldRows(resolve(dataDir, "field/dp3t-exp05")));
  const fits = {} as Record<RadioSetting | "pooled", FieldFit>;
  const settings = {} as Record<RadioSetting, RadioParams>;
  for (const s of RADIO_SETTINGS) {
    fits[s] = fitField(fitPackets(slots.get(s)!, c));
    settings[s] = fieldParams(fits[s], reference);
  }
  // Pooled: every scenario weighs the same (each packet 1 / its scenario's packets).
  const pooledPackets = RADIO_SETTINGS.flatMap((s) => {
    const n = slots.get(s)!.reduce((a, x) => a + x.attenuation.length, 0);
    return fitPackets(slots.get(s)!, c, 1 / n);
  });
  fits.pooled = fitField(pooledPackets);
  const pooled = fieldParams(fits.pooled, reference);
  return { pooled, settings, places: PLACE_SETTINGS, pcng: pcng.params, pcngFits: pcng.fits, fits, slots };
}

/** Realisations (model seeds) the comparison averages over. */
export const COMPARISON_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8] as const;

/** KS statistic per band of field against model (packets and slot minima), and of model against model. */
export function compare(
  params: RadioParams,
  slots: readonly FieldSlot[],
  tag: string,
  seeds: readonly number[] = COMPARISON_SEEDS,
) {
  const runs = seeds.map((seed) => replay(createRadioModel(seed, params), slots, tag));
  return FIELD_BANDS.map((_, b) => {
    const packets = runs.map((r) => ksStatistic(r.field[b]!, r.sim[b]!));
    const minima = runs.map((r) => ksStatistic(r.fieldMin[b]!, r.simMin[b]!));
    // Model against model: consecutive realisations, the spread a perfect model would show.
    const null_ = runs.slice(1).map((r, i) => ksStatistic(runs[i]!.sim[b]!, r.sim[b]!));
    const nullMin = runs.slice(1).map((r, i) => ksStatistic(runs[i]!.simMin[b]!, r.simMin[b]!));
    const q = (xs: number[], p: number) => [...xs].sort((x, y) => x - y)[Math.round(p * (xs.length - 1))]!;
    const quant = (xs: number[]) => {
      const s = [...xs].sort((x, y) => x - y);
      return [0.1, 0.5, 0.9].map((p) => s[Math.floor(p * s.length)]!);
    };
    return {
      band: b,
      fieldPackets: runs[0]!.field[b]!.length,
      simPackets: runs[0]!.sim[b]!.length,
      ksPackets: { median: q(packets, 0.5), max: Math.max(...packets) },
      ksMinima: { median: q(minima, 0.5), max: Math.max(...minima) },
      nullPackets: { median: q(null_, 0.5), max: Math.max(...null_) },
      nullMinima: { median: q(nullMin, 0.5), max: Math.max(...nullMin) },
      fieldQuantiles: quant(runs[0]!.field[b]!),
      simQuantiles: quant(runs[0]!.sim[b]!),
    };
  });
}

/** Per setting and band: attenuation quantiles 10/50/90% of the field and of the model (realisation 1). */
type Quantiles = { field: number[][]; model: number[][] };

/**
 * docs/radio-fit.svg: one panel per setting, attenuation (dB, down = stronger) against distance band;
 * the field's median with its 10–90% range (grey band, solid line) and the model's (blue, dashed).
 */
function figure(q: Record<RadioSetting, Quantiles>): string {
  const W = 190;
  const H = 220;
  const top = 30;
  const left = 40;
  const plotW = W - left - 10;
  const plotH = H - top - 40;
  const yMin = 35;
  const yMax = 75;
  const y = (v: number) => top + ((v - yMin) / (yMax - yMin)) * plotH;
  const x = (b: number) => left + ((b + 0.5) / FIELD_BANDS.length) * plotW;
  const panels = RADIO_SETTINGS.map((s, i) => {
    const { field, model } = q[s];
    const band = (qs: number[][]) =>
      `${qs.map((v, b) => `${x(b).toFixed(1)},${y(v[0]!).toFixed(1)}`).join(" ")} ${qs
        .map((v, b) => `${x(b).toFixed(1)},${y(v[2]!).toFixed(1)}`)
        .reverse()
        .join(" ")}`;
    const line = (qs: number[][], k: number) =>
      qs.map((v, b) => `${x(b).toFixed(1)},${y(v[k]!).toFixed(1)}`).join(" ");
    const ticks = [40, 50, 60, 70]
      .map(
        (v) =>
          `<line x1="${left}" x2="${left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/><text x="${left - 4}" y="${y(v) + 4}" text-anchor="end">${v}</text>`,
      )
      .join("");
    const labels = FIELD_BANDS.map(
      (d, b) =>
        `<text x="${x(b)}" y="${top + plotH + 14}" text-anchor="middle">${b + 1 < FIELD_BANDS.length ? `${d}–${FIELD_BANDS[b + 1]}` : `≥${d}`}</text>`,
    ).join("");
    return `<g transform="translate(${i * W},0)"><text x="${left + plotW / 2}" y="18" text-anchor="middle" font-weight="bold">${s}</text>${ticks}${labels}<text x="${left + plotW / 2}" y="${top + plotH + 30}" text-anchor="middle">distance (m)</text><polygon points="${band(field)}" fill="#999" fill-opacity="0.3"/><polyline points="${line(field, 1)}" fill="none" stroke="#333" stroke-width="2"/><polygon points="${band(model)}" fill="#36c" fill-opacity="0.15"/><polyline points="${line(model, 1)}" fill="none" stroke="#36c" stroke-width="2" stroke-dasharray="5,3"/></g>`;
  }).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W * RADIO_SETTINGS.length}" height="${H + 20}" font-family="sans-serif" font-size="11"><rect width="100%" height="100%" fill="white"/>${panels}<text x="10" y="${H + 12}">Attenuation (dB) by camera distance, DP-3T exp05 per setting: field median and 10–90% range (grey, solid) against the fitted radio (blue, dashed).</text></svg>
`;
}

function docs(r: Awaited<ReturnType<typeof fitRadio>>, quantiles: Record<RadioSetting, Quantiles>): string {
  const f1 = (x: number) => x.toFixed(1);
  const f2 = (x: number) => x.toFixed(2);
  const f3 = (x: number) => x.toFixed(3);
  const fieldRow = (name: string, f: FieldFit, p: RadioParams) => {
    const q = p.pairs.HH;
    return `| ${name} | ${f.n} | ${f1(f.intercept)} | ${f2(f.exponent)} | ${f1(f.breakpointM)} | ${f2(f.farExponent)} | ${f2(f.varianceSlope)} | ${f1(f.sessionSd)} | ${f1(f.withinSd)} | ${f2(f.lag1)} | ${f1(f.slowSd)} | ${f1(f.slowCorrelationS)} | ${f1(f.fastSd)} | ${f2(q.riceK!)} | ${f1(f.totalSd)} | ${f2(f.skewness)} | ${f2(f.excessKurtosis)} | ${p.sensitivityDbm} |`;
  };
  const fieldTable = [
    ...RADIO_SETTINGS.map((s) => fieldRow(s, r.fits[s], r.settings[s])),
    fieldRow("pooled (default)", r.fits.pooled, r.pooled),
  ].join("\n");
  const c = r.pooled.reference.txPower - r.pooled.reference.rssiCorrection;
  const meanAtt = (p: RadioParams, d: number) => {
    const q = p.pairs.HH;
    const x = Math.log10(d);
    const over = Math.max(0, x - Math.log10(q.breakpointM!));
    return c - (q.intercept - 10 * q.exponent * x - 10 * (q.farExponent! - q.exponent) * over);
  };
  const curveDistances = [0.5, 1, 2, 3, 4, 6, 10];
  const curves = [...RADIO_SETTINGS.map((s) => [s, r.settings[s]] as const), ["pooled", r.pooled] as const]
    .map(([s, p]) => `| ${s} | ${curveDistances.map((d) => f1(meanAtt(p, d))).join(" | ")} |`)
    .join("\n");
  const comparisons: string[] = [];
  const summary: string[] = [];
  for (const s of RADIO_SETTINGS) {
    const slots = r.slots.get(s)!;
    const field = compare(r.settings[s], slots, s);
    quantiles[s] = { field: field.map((x) => x.fieldQuantiles), model: field.map((x) => x.simQuantiles) };
    const pooled = compare(r.pooled, slots, s);
    const old = compare(r.pcng, slots, s, [1, 2]);
    for (let b = 0; b < FIELD_BANDS.length; b++) {
      const x = field[b]!;
      comparisons.push(
        `| ${s} | ${bandLabel(b)} | ${x.fieldPackets} | ${x.fieldQuantiles.join(" / ")} | ${x.simQuantiles.join(" / ")} | ${f3(x.ksPackets.median)} (${f3(x.ksPackets.max)}) | ${f3(x.nullPackets.median)} (${f3(x.nullPackets.max)}) | ${f3(x.ksMinima.median)} (${f3(x.ksMinima.max)}) | ${f3(x.nullMinima.median)} (${f3(x.nullMinima.max)}) | ${f3(pooled[b]!.ksPackets.median)} | ${f3(old[b]!.ksPackets.median)} |`,
      );
    }
    summary.push(
      `| ${s} | ${f3(Math.max(...field.map((x) => x.ksPackets.max)))} | ${f3(Math.max(...field.map((x) => x.ksMinima.max)))} | ${f3(Math.max(...pooled.map((x) => x.ksPackets.median)))} | ${f3(Math.max(...old.map((x) => x.ksPackets.median)))} |`,
    );
  }
  const places = Object.entries(r.places)
    .map(([k, v]) => `${k} → ${v}`)
    .join(", ");
  const pcngTable = CARRIAGE_PAIRS.map((k) => {
    const f = r.pcngFits[k];
    const p = r.pcng.pairs[k];
    return `| ${k} | ${f.n} | ${f1(f.intercept)} | ${f2(f.exponent)} | ${Object.values(f.deviceOffsets)
      .map((o) => f1(o))
      .join(" / ")} | ${f1(f.sessionSd)} | ${f1(f.withinSd)} | ${f2(f.lag1)} | ${f1(f.slowSd)} | ${f1(
      f.slowCorrelationS,
    )} | ${f1(f.fastSd)} | ${f2(p.riceK!)} | ${f2(p.blockingProbability)} | ${f1(p.blockingLossDb)} | ${f1(f.totalSd)} |`;
  }).join("\n");
  return `# Radio model fit

Generated by \`npx tsx scripts/fit-radio.ts --write\`; do not edit by hand. Parameters:
\`sim/radio/radio-params.json\` (the default), \`sim/radio/radio-settings.json\` (per setting and the setting of each
kind of place), \`sim/radio/radio-params-pcng.json\` (the static fit it replaced). Model: \`sim/radio/radio.ts\`.

## Data and attribution

**DP-3T experiment 05** (\`data/field/dp3t-exp05\`, EPFL and ETH Zurich, CC BY-ND 4.0, read unmodified):
about 20 people with Samsung phones in filmed scenarios — lunch (seated at tables, phones in pockets,
some on the table), train (compartments and a crowded hallway, pockets, some phones out), office (desks,
phones on the desks), queue (a supermarket line, 1 m apart), party (mingling, pockets) — every received
packet with its RSSI, both phones' models and the camera's ground-truth distance. The walls scenario
carries no distance and is not used. Attenuation = tx_power(transmitter model) − (RSSI +
rssi_correction(receiver model)) from the EN calibration table, exactly as the default policy's fit
reads it, so the simulator's phones see the attenuations the policy was fitted on. The app advertised
at ultra-low power (upstream README), not at GAEN's level: these attenuations are exp05's as the policy
reads them, not a claim about every phone's absolute level.

The preceding fit (kept as \`PCNG_RADIO_PARAMS\` for comparison) used **pc-ng/rss_smartphone** (MIT; Ng,
Spachos, Plataniotis, IEEE Systems Journal 2021): two people at fixed distances, per carriage pair.

## Method

All fits work in the reference devices' frame (calibration-table medians: tx_power
${r.pooled.reference.txPower}, rssi_correction ${r.pooled.reference.rssiCorrection}), RSSI_ref =
${c} − attenuation; the model adds each station's own calibration offsets, and the attenuation the
library computes from them is the reference one again.

Per setting (exp05 scenario), on every annotated packet:

1. **Path loss, two slopes**: least squares of \`RSSI_ref = intercept − 10·n·log10(d) − 10·(n_far −
   n)·max(0, log10(d/d_b))\`, the breakpoint d_b ∈ {1.5, 2, 2.5, 3, 4, 5} m chosen by least squares;
   n_far is held at 0 when it comes out negative (no rise with distance). In crowds the mean flattens
   beyond 3–4 m (bodies and reflections): one slope missed the far band by 2–3 dB.
2. **Spread against distance**: least squares of the squared residuals on log10 d (clamped to
   0.1–10 m) gives var(d) = var(1 m)·(1 + s·log10 d), the variance slope s (negative: packets spread
   more near, where posture, orientation and the bodies in between matter more; the near band's spread
   was 8–9 dB against 5–6 dB beyond 3 m). The model scales every spread by √(1 + s·log10 d) (at least
   0.5); the residuals are brought to 1 m's spread before the next step.
3. **Shadowing**: residuals grouped by (link, 120-s segment), the model's persistent-shadowing
   correlation time (a prior). The spread of segment means is the persistent (session) part. Within
   segments, half the mean squared difference of consecutive packets of a burst (a link's packets
   < 1 s apart, typically 0.35 s: the app heard each link a few packets at a time) is the fast
   per-packet part, generated as Rician fading with the K factor that
   gives that spread; the rest is the slow part (correlation time where the autocovariance at lags
   0.5–40 s falls to 1/e). ρ = slow / within variance. (The pooled variance of whole bursts, which
   spread over up to a few seconds, gave ρ ≈ 0.55 and a model whose bursts' variance was ≈ 1.7 times
   the field's.)
4. **No separate body blocking**: the residuals are close to normal in every setting (skewness 0.08
   to 0.40, excess kurtosis −0.30 to 0.03; blocking would skew them towards weak packets), so the
   bodies' effect is in the per-setting path loss and shadowing, not in a two-state mixture.
5. **Receiver sensitivity**: the weakest 0.1% of the received RSSI_ref (exp05's phones lose packets
   about 10 dB sooner than pc-ng's lowest reading).
6. Exp05 records no carriage, so all six carriage pairs of a setting share its parameters (the
   scenarios' scripts fix the carriage: pockets at lunch, on the train and at the party, desks at the
   office). The pooled default weighs each scenario equally (each packet 1/its scenario's packets).

Priors: packet loss ${PACKET_LOSS}, advertising every 250 ms with 0–10 ms advDelay, session correlation
${SESSION_CORRELATION_S} s.

## Fitted parameters

Intercept = mean RSSI_ref at 1 m (dBm); n, n_far path-loss exponents; d_b breakpoint (m); var. slope s;
spreads in dB at 1 m; τ slow in s; sensitivity in dBm (reference frame).

| setting | packets | intercept | n | d_b | n_far | var. slope | session sd | within sd | ρ lag-1 | slow sd | τ slow | fast sd | Rice K | total sd | skew | ex. kurt. | sensitivity |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
${fieldTable}

Mean attenuation of the model (dB) by distance:

| setting | ${curveDistances.map((d) => `${d} m`).join(" | ")} |
|---|${curveDistances.map(() => "---|").join("")}
${curves}

## Settings in the simulator

Kinds of place map to settings: ${places}. Why: the scenario whose people stand, sit and carry phones
most like the place's (a household at the table ≈ lunch; desks ≈ office, also for schools; a market's
queues ≈ queue; public transport ≈ train; bars, restaurants and other visits ≈ party). A per-setting
parameter set rather than per-carriage-pair: exp05 has no per-phone carriage labels, and its settings
differ far less than pc-ng's carriage pairs did (pockets vs. desks: ≈ 3 dB at 1–2 m; pc-ng's HH vs. PP:
19 dB at 1 m), so the field data do not support carriage effects of pc-ng's size.
\`createSettingModels(seed)\` makes one model per setting (same realisation) and
\`createLinkFunction({ modelAt })\` draws each link window with the model of the place the two phones
are in at the window's start; the fleet (\`sim/app/phones.ts\`) takes the place from \`Mobility.placeOf\` and
its kind from the world. \`radioParamsForPlace(kind)\` gives a kind's parameters. Where there are no
places (a replayed contact trace) or no \`modelAt\`, the medium uses the pooled default
(\`FITTED_RADIO_PARAMS\`). All six carriage pairs of a setting share its parameters, so carriage no
longer changes the simulated signal (\`byCarriage\` in the detection summary now only splits the
sample).

## Field against model

![Attenuation by distance per setting, field against model](radio-fit.svg)

Replay (\`scripts/lib/radio-field.ts\`): each ordered link's annotated packets are cut into slots
(packets < 1 s apart); for each slot the model draws what the receiver hears from the transmitter over
the slot's span ± 125 ms at the slot's median camera distance, with stations calibrated like the two
phones, every packet (\`samples\`, "packets") and one summary per slot (\`scan\`, "slot min": the
strongest packet's attenuation). KS = two-sample Kolmogorov–Smirnov statistic between the field's and
the model's attenuations in the band, median (max) over ${COMPARISON_SEEDS.length} realisations (model
seeds). "Model vs model" is the KS between consecutive realisations: what a perfect model would show,
since a band's packets come from a few dozen links whose shadowing is one draw each. Quantiles
10/50/90% of attenuation (dB), field and model (realisation 1). Last two columns: the pooled default
and the old pc-ng radio (carriage PP) on the same replay.

| setting | band | field packets | field q10/50/90 | model q10/50/90 | KS packets | model vs model | KS slot min | model vs model | pooled KS | pc-ng KS |
|---|---|---|---|---|---|---|---|---|---|---|
${comparisons.join("\n")}

Worst band per setting:

| setting | KS packets (max) | KS slot min (max) | pooled default (median) | pc-ng (median) |
|---|---|---|---|---|
${summary.join("\n")}

\`tests/sim/radio-field.test.ts\` replays every setting with realisations 1–4 and bounds the KS per band
(its header says how the bounds were derived).

## Limits

- Per burst, the strongest packet's KS exceeds the model's own realisation spread by up to 0.11 (per
  packet: 0.04). In the field a weak link loses more packets; the model's reception is a hard
  sensitivity cut plus 10% loss at any level, and the replay keeps each burst's field packet count, so
  the field holds relatively more weak bursts than the model.
- The attenuations are exp05's, read with the calibration table as the policy fit reads them; the app
  advertised at ultra-low power, so absolute levels of GAEN phones may differ by a constant.
- Which setting stands for which kind of place is a judgement (home → lunch is the loosest analogy).
- Beyond 10 m (the data's range; scanners look no farther) the path loss is extrapolated and the
  spread held at its 10-m value.

## The preceding static fit (pc-ng/rss_smartphone, per carriage pair)

Per carriage pair: least squares of \`rss = intercept + slope·log10(d/1 m) + device offset\`, residuals
split into session / slow / fast as above with (device, distance) recordings as sessions; body blocking
(probability per side: hand ${BLOCKING.hand}, pocket ${BLOCKING.pocket}, bag ${BLOCKING.bag}; loss ≤
${BLOCKING_LOSS_DB} dB) a prior carved out of the session variance. No data between 2 and 3 m.

| pair | packets | intercept | n | device offsets | session sd | within sd | ρ lag-1 | slow sd | τ slow | fast sd | Rice K | P(block) | block dB | total sd |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
${pcngTable}

## Per-scan sampling

\`RadioModel.scan(advertiser, scanner, from, to, distanceAt)\` (\`--radio scan\`) draws what a scan hears —
packets received, mean RSSI (rounded, as the scan aggregator folds it) and max RSSI — without drawing
the packets. It splits the per-packet model in two:

- **The scan's level**, exactly as \`samples()\` has it: path loss (one or two slopes) at the distance at
  the window's start (or its last millisecond, if the phones only meet during the window), the
  calibration offsets, the persistent per-link shadowing (correlation 120 s, so constant over a scan) at
  the start second, and body blocking (30-s periods) at the window's midpoint. These are reciprocal (the
  same link seed both ways), so both directions of a link still share them.
- **The within-scan part** — the slow shadowing (correlation 1–8 s in the field fit, i.e. not constant over a 4-s
  scan), the advertiser's timing jitter, packet loss and Rician fading — from a table of 4,096 synthetic
  scans per carriage pair and number of advertising events n, each an independent realisation of exactly
  those per-packet processes, stored as sorted offsets from the level with suffix sums. A scan picks a
  row by a hash of (seed, advertiser, scanner, first event). Receiver sensitivity then cuts exactly:
  \`round(level + o) ≥ sensitivity\` ⇔ \`o ≥ sensitivity − 0.5 − level\`, a binary search; the count, mean
  and max of what remains are the summary. The number of events in [from, to) is exact.

Approximations, all below the test's resolution: a blocking period boundary inside a scan uses the
midpoint's state for the whole scan; the mean is rounded once from the unrounded offsets instead of from
rounded packets; the within-scan slow shadowing of the two directions of a link is drawn independently
(per packet it is shared); a table of 4,096 rows carries Monte-Carlo error of its own (KS ≈ 0.01).
\`tests/sim/radio-scan.test.ts\` compares the two on 10⁵ scans of 4 s per carriage pair and distance
(0.5–8 m) and requires the KS of packets received, mean RSSI and max RSSI below 0.05. The medium path
(\`createLinkFunction({ sampling: "scan" })\`) hands the medium packets that fold back to the same summary
(\`summaryPackets\`).
`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(fileURLToPath(import.meta.url), "../..");
  let r: Awaited<ReturnType<typeof fitRadio>>;
  try {
    r = await fitRadio(resolve(root, "data"));
  } catch (e) {
    if (e instanceof FieldDataError) {
      process.stderr.write(`bluezone: fit-radio: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const json = (o: unknown) => `${JSON.stringify(o, null, 2)}\n`;
  for (const [k, f] of Object.entries(r.fits))
    console.log(k, JSON.stringify(Object.fromEntries(Object.entries(f).map(([a, v]) => [a, round(v)]))));
  if (process.argv.includes("--write")) {
    writeFileSync(resolve(root, "sim/radio/radio-params.json"), json(r.pooled));
    writeFileSync(
      resolve(root, "sim/radio/radio-settings.json"),
      json({ places: r.places, settings: r.settings }),
    );
    writeFileSync(resolve(root, "sim/radio/radio-params-pcng.json"), json(r.pcng));
    const quantiles = {} as Record<RadioSetting, Quantiles>;
    writeFileSync(resolve(root, "docs/radio-fit.md"), docs(r, quantiles));
    writeFileSync(resolve(root, "docs/radio-fit.svg"), figure(quantiles));
    console.log(
      "wrote sim/radio/radio-params.json, sim/radio/radio-settings.json, sim/radio/radio-params-pcng.json, docs/radio-fit.md, docs/radio-fit.svg",
    );
  }
}
