/**
 * The report page in a real browser: Debian's Chromium (`apt-get install chromium`; `.ci/run` installs
 * it) driven by playwright-core. A missing browser fails the test; it is never skipped.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { writeReport } from "../../sim/report/report";
import { REPORT_CHARTS } from "../../sim/report/report-charts";
import { syntheticResult } from "./report-fixture";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Launches Debian's Chromium; throws (failing the test, never skipping it) when it is not installed. */
async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install Debian's browser (apt-get install -y chromium, as .ci/run does) ` +
        "or point CHROMIUM_PATH at a Chromium binary",
    );
  // playwright-core gives launch() a fresh temporary profile (user-data dir) of its own.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

describe("report page in Chromium", () => {
  let browser: Browser | undefined;
  const dir = mkdtempSync(join(tmpdir(), "bluezone-report-browser-"));

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("renders every chart, with no errors and no network access", async () => {
    const { files } = writeReport(syntheticResult(), join(dir, "report"));
    const url = pathToFileURL(files.find((f) => f.endsWith("report.html"))!).href;
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const consoleErrors: string[] = [];
    const pageErrors: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("request", (r) => requests.push(r.url()));

    await page.goto(url, { waitUntil: "load" });

    expect(await page.title()).toBe("bluezone simulation report: hanoi-ward");
    const h1 = page.locator("h1");
    expect(await h1.isVisible()).toBe(true);
    expect(await h1.textContent()).toContain("bluezone simulation report");
    expect(await page.locator("table tbody tr").count()).toBeGreaterThanOrEqual(12);
    for (const id of REPORT_CHARTS) {
      const svg = page.locator(`svg[data-chart="${id}"]`);
      expect(await svg.count(), id).toBe(1);
      expect(await svg.getAttribute("aria-label"), id).toBeTruthy();
      expect(await svg.locator("title").textContent(), id).toBeTruthy();
      const box = await svg.boundingBox();
      expect(box?.width, id).toBeGreaterThan(400);
      expect(box?.height, id).toBeGreaterThan(200);
      // Drawn marks inside the plot (lines or bars) with a real rendered extent.
      const marks = svg.locator("g.plot path, g.plot rect");
      expect(await marks.count(), id).toBeGreaterThan(0);
      const extent = await marks.evaluateAll((els) =>
        els.reduce((m, e) => {
          const b = (e as unknown as { getBBox(): { width: number; height: number } }).getBBox();
          return Math.max(m, b.width + b.height);
        }, 0),
      );
      expect(extent, id).toBeGreaterThan(10);
    }
    // The page fits 1200 px: no horizontal scrolling.
    const overflow = await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
    expect(overflow).toBeLessThanOrEqual(0);

    const shot = join(dir, "report.png");
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);

    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });
});
