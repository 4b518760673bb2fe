/**
 * The report of a sweep (`report.html` next to `runs.csv`): every headline figure against every grid
 * axis — the mean over seeds with its 95 % t interval as a shaded band (whiskers on a text axis), one
 * series per combination of the other axes' values — and a table of the grid points. Self-contained
 * like the run report: inline CSS and SVG, no scripts or network access.
 */
import { FIGURE_RANGES, formatFigure, HEADLINE_FIGURES, type HeadlineFigure } from "../report/figures";
import { escapeHtml, htmlPage } from "../report/report-format";
import {
  type Axis,
  bandArea,
  bandAxis,
  el,
  type LegendItem,
  niceTicks,
  renderChart,
  seriesPath,
  valueAxis,
} from "../report/report-svg";
import { replicateStat } from "../report/stats";
import type { RunRecord, SweepManifest } from "./sweep";

/** Colours of up to six series (Okabe–Ito, colour-blind safe). */
const PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"];

/** Most series drawn per chart; with more combinations of the other axes the runs are pooled. */
export const MAX_SERIES = PALETTE.length;

/** The x axis of a grid axis: numeric values on a linear scale, text values as bands. */
function gridXAxis(
  path: string,
  values: readonly string[],
): { axis: Axis; at: (v: string) => number; numeric: boolean } {
  const numeric = values.every((v) => Number.isFinite(Number(v)));
  if (!numeric) return { axis: bandAxis(path, values), at: (v) => values.indexOf(v), numeric };
  const xs = values.map(Number);
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const pad = hi > lo ? (hi - lo) * 0.05 : 0.5;
  return {
    axis: {
      label: path,
      domain: [lo - pad, hi + pad],
      ticks: xs.length <= 8 ? [...xs].sort((a, b) => a - b) : niceTicks(lo, hi, 6),
    },
    at: Number,
    numeric,
  };
}

/** One figure against one axis. */
export function figureAgainstAxis(
  figure: HeadlineFigure,
  axisIndex: number,
  manifest: SweepManifest,
  records: readonly RunRecord[],
): string {
  const axis = manifest.grid[axisIndex]!;
  const others = manifest.grid.filter((_, i) => i !== axisIndex);
  const combos = others.reduce<Record<string, string>[]>(
    (acc, a) => acc.flatMap((c) => a.values.map((v) => ({ ...c, [a.path]: v }))),
    [{}],
  );
  const pooled = combos.length > MAX_SERIES;
  const series = pooled ? [{}] : combos;
  const x = gridXAxis(axis.path, axis.values);
  const lines = series.map((combo, s) => {
    const label = pooled
      ? `all runs pooled (${combos.length} combinations of ${others.map((o) => o.path).join(", ")})`
      : Object.entries(combo)
          .map(([k, v]) => `${k}=${v}`)
          .join(", ") || "mean over seeds";
    const stats = axis.values.map((v) =>
      replicateStat(
        records
          .filter(
            (r) => r.grid[axis.path] === v && Object.entries(combo).every(([k, cv]) => r.grid[k] === cv),
          )
          .map((r) => figure.get(r.summary)),
        FIGURE_RANGES[figure.kind],
      ),
    );
    return { label, color: PALETTE[s % PALETTE.length]!, stats };
  });
  const all = lines.flatMap((l) => l.stats.flatMap((st) => [st.mean, st.high]));
  const lowest = Math.min(0, ...lines.flatMap((l) => l.stats.map((st) => st.low)).filter(Number.isFinite));
  const top = all.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, v) : m), 0);
  const yLabel = figure.kind === "days" ? `${figure.label} (days)` : figure.label;
  const yBase = valueAxis(yLabel, figure.kind === "share" ? Math.max(top, 0.01) : top);
  const y: Axis =
    lowest < 0
      ? { ...yBase, domain: [lowest * 1.1, yBase.domain[1]], ticks: niceTicks(lowest * 1.1, yBase.domain[1]) }
      : yBase;
  if (figure.kind === "share") y.format = (v) => `${Math.round(v * 100)}%`;
  const legend: LegendItem[] = lines.map((l) => ({ label: l.label, color: l.color, mark: "line" }));
  const id = `${figure.key.replace(/[^a-zA-Z0-9]/g, "-")}--${axis.path.replace(/[^a-zA-Z0-9]/g, "-")}`;
  return renderChart({
    id,
    title: `${figure.label} against ${axis.path}`,
    description:
      `${figure.meaning}. ` +
      lines
        .map(
          (l) =>
            `${l.label}: ${axis.values.map((v, i) => `${axis.path}=${v}: ${formatFigure(figure.kind, l.stats[i]!.mean)}`).join("; ")}`,
        )
        .join(". ") +
      `. Mean over ${manifest.seeds.length} seeds with 95% t intervals.`,
    x: x.axis,
    y,
    legend,
    plot: (sx, sy) =>
      lines
        .map((l) => {
          const xs = axis.values.map(x.at);
          const mean = l.stats.map((st) => st.mean);
          const band = x.numeric
            ? bandArea(
                xs,
                l.stats.map((st) => st.low),
                l.stats.map((st) => st.high),
                sx,
                sy,
                { fill: l.color, "fill-opacity": 0.15 },
              )
            : l.stats
                .map((st, i) =>
                  Number.isFinite(st.low)
                    ? el("line", {
                        x1: sx(xs[i]!),
                        x2: sx(xs[i]!),
                        y1: sy(st.low),
                        y2: sy(st.high),
                        stroke: l.color,
                        "stroke-width": 2,
                        class: "whisker",
                      })
                    : "",
                )
                .join("");
          const order = xs.map((_, i) => i).sort((a, b) => xs[a]! - xs[b]!);
          return (
            band +
            seriesPath(
              order.map((i) => [xs[i]!, mean[i]!] as [number, number]),
              sx,
              sy,
              { class: "series", stroke: l.color },
            ) +
            order
              .filter((i) => Number.isFinite(mean[i]!))
              .map((i) => el("circle", { cx: sx(xs[i]!), cy: sy(mean[i]!), r: 3.5, fill: l.color }))
              .join("")
          );
        })
        .join(""),
  });
}

const STYLE = `
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1b1f24; }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
h1 { font-size: 24px; margin: 20px 0 6px; } h2 { font-size: 18px; margin: 24px 0 10px; }
table { border-collapse: collapse; } th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #d0d7de; }
td.value { text-align: right; font-variant-numeric: tabular-nums; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 20px; }
figure { margin: 0; padding: 12px; border: 1px solid #d0d7de; border-radius: 6px; }
figcaption { font-weight: 600; } figcaption small { font-weight: 400; color: #57606a; display: block; }
svg.chart { display: block; width: 100%; height: auto; font-size: 12px; fill: #1b1f24; }
svg.chart .grid line, svg.chart line.grid { stroke: #eaeef2; }
svg.chart .axis-line, svg.chart .tick { stroke: #8c959f; }
svg.chart .axis-label { font-size: 13px; fill: #57606a; }
svg.chart .series { fill: none; stroke-width: 2.5; }
footer { color: #57606a; font-size: 13px; padding: 16px 24px 24px; }
`;

/** The sweep's report page. */
export function renderSweepReport(manifest: SweepManifest, records: readonly RunRecord[]): string {
  const points = records.reduce<Map<string, RunRecord[]>>((m, r) => {
    const k = manifest.grid.map((a) => r.grid[a.path]).join("\u0000");
    m.set(k, [...(m.get(k) ?? []), r]);
    return m;
  }, new Map());
  const key = ["infections", "infectionsAverted", "f1Recall", "f1Precision"].map(
    (k) => HEADLINE_FIGURES.find((f) => f.key === k)!,
  );
  const ci = (f: HeadlineFigure, rs: readonly RunRecord[]) => {
    const st = replicateStat(
      rs.map((r) => f.get(r.summary)),
      FIGURE_RANGES[f.kind],
    );
    // A figure undefined in some seeds (a ratio without a denominator) says over how many it is.
    const over = st.n < rs.length ? `; ${st.n} of ${rs.length} seeds` : "";
    const interval = Number.isFinite(st.low)
      ? ` (${formatFigure(f.kind, st.low)} to ${formatFigure(f.kind, st.high)}${over})`
      : over
        ? ` (${over.slice(2)})`
        : "";
    return `${formatFigure(f.kind, st.mean)}${interval}`;
  };
  const table =
    `<table aria-label="Grid points"><thead><tr>${manifest.grid.map((a) => `<th scope="col">${escapeHtml(a.path)}</th>`).join("")}` +
    `<th scope="col">Seeds</th>${key.map((f) => `<th scope="col">${escapeHtml(f.label)} (95% CI)</th>`).join("")}</tr></thead><tbody>` +
    [...points.values()]
      .map(
        (rs) =>
          `<tr>${manifest.grid.map((a) => `<td>${escapeHtml(rs[0]!.grid[a.path]!)}</td>`).join("")}<td class="value">${rs.length}</td>` +
          key.map((f) => `<td class="value">${escapeHtml(ci(f, rs))}</td>`).join("") +
          "</tr>",
      )
      .join("") +
    "</tbody></table>";
  const sections = HEADLINE_FIGURES.map((f) => {
    const charts = manifest.grid
      .map(
        (_, i) =>
          `<figure><figcaption>${escapeHtml(f.label)} against ${escapeHtml(manifest.grid[i]!.path)}<small>${escapeHtml(f.meaning)}</small></figcaption>\n${figureAgainstAxis(f, i, manifest, records)}\n</figure>`,
      )
      .join("\n");
    return `<section><h2>${escapeHtml(f.label)}</h2><div class="charts">\n${charts}\n</div></section>`;
  }).join("\n");
  const grid =
    manifest.grid.map((a) => `${a.path} = ${a.values.join(", ")}`).join("; ") || "(no grid: seeds only)";
  return htmlPage(
    `bluezone sweep report: ${manifest.scenario}`,
    STYLE,
    `<header>
<h1>bluezone sweep report: ${escapeHtml(manifest.scenario)}</h1>
<p>Grid: ${escapeHtml(grid)}. Seeds: ${escapeHtml(manifest.seeds.join(", "))} (${manifest.seeds.length} per grid point). ${manifest.set.length > 0 ? `Overrides: ${escapeHtml(manifest.set.join(" "))}. ` : ""}
${records.length} runs; bluezone ${escapeHtml(manifest.version)}; scenario hash ${escapeHtml(manifest.scenarioHash.slice(0, 16))}…</p>
<p>Every point is the mean over seeds; bands and whiskers are 95% t intervals of the mean (mean ± t(0.975, n−1)·SD/√n). Infections averted are paired per seed (the same world with and without the app).</p>
</header>
<main>
<section><h2>Grid points</h2>${table}</section>
${sections}
</main>
<footer>Data next to this page: sweep.json (manifest), runs.csv and runs.parquet (one row per run, every summary figure), daily.parquet (one row per run and day), runs/ (one JSON file per finished run).</footer>
`,
  );
}
