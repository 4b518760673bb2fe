/**
 * Text helpers of the simulation report: escaping for HTML/SVG, and number formatting that turns
 * undefined figures (NaN) into a dash instead of "NaN".
 */

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML or SVG element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/**
 * A self-contained HTML page (the run's and the sweep's reports): UTF-8, a content security policy that
 * forbids scripts and any network access (inline styles only), the escaped `title`, `style` inlined, and
 * `body` (HTML, ending with a line break) inside `<body>`.
 */
export function htmlPage(title: string, style: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
${body}</body>
</html>
`;
}

/** What {@link formatNumber} and friends print for a missing (non-finite) figure. */
export const MISSING = "—";

const counts = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** An integer count with thousands separators ("12,345"), or {@link MISSING}. */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? counts.format(n) : MISSING;
}

/** A number with at most `digits` decimals ("0.87"), or {@link MISSING}. */
export function formatNumber(n: number, digits = 2): string {
  if (!Number.isFinite(n)) return MISSING;
  return new Intl.NumberFormat("en-US", { maximumFractionDigits: digits }).format(n);
}

/** A share in [0, 1] as a percentage with one decimal ("87.5%"), or {@link MISSING}. */
export function formatPercent(share: number): string {
  return Number.isFinite(share) ? `${(share * 100).toFixed(1)}%` : MISSING;
}

const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** An axis tick label: compact from ten thousand on ("150K", "1.2M") so it fits the margin. */
export function formatTick(n: number): string {
  return Math.abs(n) >= 10_000 ? compact.format(n) : formatNumber(n);
}
