/**
 * Minimal inline-SVG charting for the simulation report: linear scales, "nice" ticks, and a chart
 * frame (grid, axes with ticks and labels, legend, accessible title and description) around plot
 * content drawn by the caller. No chart library, no scripts: the output is static markup.
 */
import { escapeHtml, formatTick } from "./report-format";

/** Maps data values to pixels. */
export type Scale = (value: number) => number;

/** A linear map from `domain` onto `range` (a constant map onto `range[0]` when the domain is empty). */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** The 1, 2 or 5 × 10ⁿ step giving about `target` intervals over `span` (> 0). */
function niceStep(span: number, target: number): number {
  const raw = span / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw * (1 - 1e-9))!;
}

const tidy = (v: number) => Number(v.toPrecision(12));

/** Round tick values (multiples of a 1, 2 or 5 × 10ⁿ step) within [`min`, `max`], about `target` of them. */
export function niceTicks(min: number, max: number, target = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) return [];
  if (max === min) return [min];
  const step = niceStep(max - min, target);
  const first = Math.ceil(min / step - 1e-9);
  const out: number[] = [];
  for (let i = first; i * step <= max + step * 1e-9; i++) out.push(tidy(i * step));
  return out;
}

/** An axis: its label, the data range it spans, where to put ticks and how to label them. */
export interface Axis {
  /** Axis title. */
  label: string;
  /** Data values at the two ends of the axis. */
  domain: [number, number];
  /** Tick positions (data values). */
  ticks: readonly number[];
  /** Tick label text; default {@link formatTick}. */
  format?: (value: number) => string;
}

/** A value axis from 0 up to a round number at or above `max` (at least 1), ticked at round values. */
export function valueAxis(label: string, max: number, format?: (value: number) => string): Axis {
  const top = Number.isFinite(max) && max > 0 ? max : 1;
  const step = niceStep(top, 5);
  const end = tidy(Math.ceil(top / step - 1e-9) * step);
  return { label, domain: [0, end], ticks: niceTicks(0, end), ...(format ? { format } : {}) };
}

/** A category axis: one band per entry of `labels`, centred on 0, 1, 2…; labels as ticks. */
export function bandAxis(label: string, labels: readonly string[]): Axis {
  return {
    label,
    domain: [-0.5, labels.length - 0.5],
    ticks: labels.map((_, i) => i),
    format: (i) => labels[i] ?? "",
  };
}

/** What a legend entry shows next to its label. */
export type LegendMark = "line" | "dashed" | "box" | "dot";

/** One legend entry. */
export interface LegendItem {
  /** Label text. */
  label: string;
  /** Stroke or fill colour. */
  color: string;
  /** Swatch shape. */
  mark: LegendMark;
}

/** The plot area, in pixels of the chart's view box. */
export interface PlotArea {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** A chart to frame: identity, accessible text, axes, legend and the plot content. */
export interface ChartSpec {
  /** Stable identifier, written to the `data-chart` attribute. */
  id: string;
  /** Accessible title (`<title>` and `aria-label`). */
  title: string;
  /** Longer accessible description (`<desc>`): what the chart shows, in words and figures. */
  description: string;
  /** Horizontal axis. */
  x: Axis;
  /** Vertical axis. */
  y: Axis;
  /** Legend entries, drawn above the plot. */
  legend?: readonly LegendItem[];
  /** Draws the plot content (SVG markup) with the axes' scales. */
  plot: (x: Scale, y: Scale, area: PlotArea) => string;
}

/** View-box width and height of every chart. */
export const CHART_SIZE = { width: 560, height: 340 } as const;

const MARGIN = { top: 44, right: 20, bottom: 56, left: 64 } as const;

/** The plot area of a chart of {@link CHART_SIZE}. */
export const PLOT_AREA: PlotArea = {
  left: MARGIN.left,
  right: CHART_SIZE.width - MARGIN.right,
  top: MARGIN.top,
  bottom: CHART_SIZE.height - MARGIN.bottom,
};

/** Attribute values: strings are escaped, numbers rounded to two decimals; `undefined` is left out. */
export type Attrs = Record<string, string | number | undefined>;

/** One SVG element: `<name attrs>children</name>`, or self-closed without children. */
export function el(name: string, attrs: Attrs, children?: string): string {
  let out = `<${name}`;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    out += ` ${k}="${typeof v === "number" ? tidy(Math.round(v * 100) / 100) : escapeHtml(v)}"`;
  }
  return children === undefined ? `${out}/>` : `${out}>${children}</${name}>`;
}

/** A text element; `content` is escaped. */
export function text(x: number, y: number, content: string, attrs: Attrs = {}): string {
  return el("text", { x, y, ...attrs }, escapeHtml(content));
}

/**
 * Path data through the points (data values mapped by the scales); a non-finite coordinate breaks
 * the line, so a missing value leaves a gap instead of a spike. Empty when no point is finite.
 */
export function linePath(points: readonly (readonly [number, number])[], x: Scale, y: Scale): string {
  let d = "";
  let pen = false;
  for (const [px, py] of points) {
    if (!Number.isFinite(px) || !Number.isFinite(py)) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${tidy(Math.round(x(px) * 100) / 100)},${tidy(Math.round(y(py) * 100) / 100)}`;
    pen = true;
  }
  return d;
}

/** A line through the points (see {@link linePath}) as a path element; nothing when no point is finite. */
export function seriesPath(
  points: readonly (readonly [number, number])[],
  x: Scale,
  y: Scale,
  attrs: Attrs,
): string {
  const d = linePath(points, x, y);
  return d ? el("path", { d, ...attrs }) : "";
}

function axes(spec: ChartSpec, x: Scale, y: Scale): string {
  const a = PLOT_AREA;
  const fx = spec.x.format ?? formatTick;
  const fy = spec.y.format ?? formatTick;
  const grid = spec.y.ticks
    .map((t) => el("line", { x1: a.left, x2: a.right, y1: y(t), y2: y(t), class: "grid" }))
    .join("");
  const xTicks = spec.x.ticks
    .map(
      (t) =>
        el("line", { x1: x(t), x2: x(t), y1: a.bottom, y2: a.bottom + 5, class: "tick" }) +
        text(x(t), a.bottom + 18, fx(t), { "text-anchor": "middle" }),
    )
    .join("");
  const yTicks = spec.y.ticks
    .map(
      (t) =>
        el("line", { x1: a.left - 5, x2: a.left, y1: y(t), y2: y(t), class: "tick" }) +
        text(a.left - 8, y(t) + 4, fy(t), { "text-anchor": "end" }),
    )
    .join("");
  const midY = (a.top + a.bottom) / 2;
  return (
    el("g", { class: "grid" }, grid) +
    el(
      "g",
      { class: "axis x-axis" },
      el("line", { x1: a.left, x2: a.right, y1: a.bottom, y2: a.bottom, class: "axis-line" }) +
        xTicks +
        text((a.left + a.right) / 2, CHART_SIZE.height - 12, spec.x.label, {
          class: "axis-label",
          "text-anchor": "middle",
        }),
    ) +
    el(
      "g",
      { class: "axis y-axis" },
      el("line", { x1: a.left, x2: a.left, y1: a.top, y2: a.bottom, class: "axis-line" }) +
        yTicks +
        text(16, midY, spec.y.label, {
          class: "axis-label",
          "text-anchor": "middle",
          transform: `rotate(-90 16 ${midY})`,
        }),
    )
  );
}

function swatch(item: LegendItem, x: number, y: number): string {
  switch (item.mark) {
    case "box":
      return el("rect", { x, y: y - 6, width: 14, height: 12, fill: item.color });
    case "dot":
      return el("circle", { cx: x + 7, cy: y, r: 4, fill: item.color });
    default:
      return el("line", {
        x1: x,
        x2: x + 18,
        y1: y,
        y2: y,
        stroke: item.color,
        "stroke-width": 2.5,
        "stroke-dasharray": item.mark === "dashed" ? "6 4" : undefined,
      });
  }
}

/** Legend entries in a row (wrapping) above the plot area. */
function legend(items: readonly LegendItem[]): string {
  let x = PLOT_AREA.left;
  let y = 16;
  let out = "";
  for (const item of items) {
    const w = 26 + item.label.length * 6.6 + 18;
    if (x + w > CHART_SIZE.width - MARGIN.right && x > PLOT_AREA.left) {
      x = PLOT_AREA.left;
      y += 18;
    }
    out += swatch(item, x, y) + text(x + 24, y + 4, item.label);
    x += w;
  }
  return el("g", { class: "legend" }, out);
}

function svg(id: string, title: string, description: string, body: string): string {
  const titleId = `chart-${id}-title`;
  const descId = `chart-${id}-desc`;
  return el(
    "svg",
    {
      xmlns: "http://www.w3.org/2000/svg",
      viewBox: `0 0 ${CHART_SIZE.width} ${CHART_SIZE.height}`,
      role: "img",
      "aria-label": title,
      "aria-labelledby": titleId,
      "aria-describedby": descId,
      "data-chart": id,
      class: "chart",
    },
    el("title", { id: titleId }, escapeHtml(title)) +
      el("desc", { id: descId }, escapeHtml(description)) +
      body,
  );
}

/** A framed chart: grid, axes, legend, and the spec's plot content clipped to the plot area. */
export function renderChart(spec: ChartSpec): string {
  const a = PLOT_AREA;
  const x = linearScale(spec.x.domain, [a.left, a.right]);
  const y = linearScale(spec.y.domain, [a.bottom, a.top]);
  const clipId = `chart-${spec.id}-clip`;
  const clip = el(
    "clipPath",
    { id: clipId },
    el("rect", { x: a.left, y: a.top - 4, width: a.right - a.left, height: a.bottom - a.top + 4 }),
  );
  return svg(
    spec.id,
    spec.title,
    spec.description,
    el("defs", {}, clip) +
      axes(spec, x, y) +
      el("g", { class: "plot", "clip-path": `url(#${clipId})` }, spec.plot(x, y, a)) +
      (spec.legend?.length ? legend(spec.legend) : ""),
  );
}

/** A placeholder chart with the same identity and size, showing `note` instead of data. */
export function renderEmptyChart(id: string, title: string, note: string): string {
  const a = PLOT_AREA;
  return svg(
    id,
    title,
    note,
    el("rect", {
      x: a.left,
      y: a.top,
      width: a.right - a.left,
      height: a.bottom - a.top,
      class: "empty-frame",
    }) +
      text((a.left + a.right) / 2, (a.top + a.bottom) / 2, note, { class: "note", "text-anchor": "middle" }),
  );
}

/**
 * A shaded band between `low` and `high` (one value per x, at `xs`): a filled area closed along the
 * high edge forward and the low edge back, broken where either bound is not finite. Empty when no x
 * has both bounds.
 */
export function bandArea(
  xs: readonly number[],
  low: readonly number[],
  high: readonly number[],
  x: Scale,
  y: Scale,
  attrs: Attrs,
): string {
  const pieces: [number, number, number][][] = [];
  let piece: [number, number, number][] = [];
  xs.forEach((px, i) => {
    const lo = low[i]!;
    const hi = high[i]!;
    if (Number.isFinite(px) && Number.isFinite(lo) && Number.isFinite(hi)) piece.push([px, lo, hi]);
    else if (piece.length > 0) {
      pieces.push(piece);
      piece = [];
    }
  });
  if (piece.length > 0) pieces.push(piece);
  const r = (v: number) => tidy(Math.round(v * 100) / 100);
  return pieces
    .map((p) => {
      const upper = p.map(([px, , hi], i) => `${i === 0 ? "M" : "L"}${r(x(px))},${r(y(hi))}`).join("");
      const lower = [...p]
        .reverse()
        .map(([px, lo]) => `L${r(x(px))},${r(y(lo))}`)
        .join("");
      return el("path", { d: `${upper}${lower}Z`, class: "band", ...attrs });
    })
    .join("");
}

/** A vertical marker at data value `at` across the plot area, labelled at its top. */
export function verticalMarker(at: number, label: string, x: Scale, area: PlotArea, row = 0): string {
  const px = x(at);
  return (
    el("line", {
      x1: px,
      x2: px,
      y1: area.top,
      y2: area.bottom,
      class: "marker",
      stroke: "#6e7781",
      "stroke-width": 1,
      "stroke-dasharray": "2 3",
    }) + text(px + 3, area.top + 10 + 12 * row, label, { class: "marker-label" })
  );
}
