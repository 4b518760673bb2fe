// API reports: one per public entry point (package.json `exports`), made by API Extractor (which
// analyses with its own bundled TypeScript) from the declarations `tsc -p tsconfig.api.json` emits into
// temp/api-dts. `npm run api:check` (this script) fails when a checked-in report under api-report/
// differs from the code: the public API changed without its report. `npm run api:update` (`--update`)
// rewrites the reports; commit them with the change, so the diff shows what the API gained or lost.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Extractor, ExtractorConfig } from "@microsoft/api-extractor";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const update = process.argv.includes("--update");

/** Subpath of package.json `exports` → the declaration file of its source entry. */
const entries = [
  { subpath: ".", report: "bluezone.api.md", dts: "src/index.d.ts" },
  { subpath: "./ble", report: "bluezone-ble.api.md", dts: "src/ble.d.ts" },
  { subpath: "./sim", report: "bluezone-sim.api.md", dts: "sim/index.d.ts" },
  { subpath: "./testing", report: "bluezone-testing.api.md", dts: "src/testing.d.ts" },
];

// Declarations afresh (a module removed since the last run must not linger in temp/api-dts).
rmSync(join(root, "temp/api-dts"), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const emitted = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.api.json")], {
  stdio: "inherit",
});
if (emitted.status !== 0) {
  console.error("api-report: tsc -p tsconfig.api.json failed");
  process.exit(2);
}

const reported = { logLevel: "warning", addToApiReportFile: true };
let failed = false;
for (const entry of entries) {
  const mainEntryPointFilePath = join(root, "temp/api-dts", entry.dts);
  if (!existsSync(mainEntryPointFilePath)) {
    console.error(`api-report: ${mainEntryPointFilePath} is missing: run tsc -p tsconfig.api.json first`);
    process.exit(2);
  }
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath,
      compiler: { tsconfigFilePath: join(root, "tsconfig.api.json") },
      apiReport: {
        enabled: true,
        reportFileName: entry.report,
        reportFolder: join(root, "api-report"),
        reportTempFolder: join(root, "temp/api-report"),
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      newlineKind: "lf",
      messages: {
        compilerMessageReporting: { default: { logLevel: "warning" } },
        extractorMessageReporting: {
          default: reported,
          "ae-missing-release-tag": reported,
          "ae-undocumented": reported,
          "ae-forgotten-export": reported,
          "ae-internal-missing-underscore": reported,
        },
        tsdocMessageReporting: { default: reported },
      },
    },
    configObjectFullPath: join(root, "api-extractor.json"),
    packageJsonFullPath: join(root, "package.json"),
  });
  const result = Extractor.invoke(config, {
    localBuild: update,
    showVerboseMessages: false,
    messageCallback: (message) => {
      // Findings go into the report file (reviewed there); only the changed-report notice is printed.
      if (message.category === "Extractor" || message.category === "TSDoc") message.logLevel = "none";
    },
  });
  if (result.apiReportChanged && !update) {
    failed = true;
    console.error(
      `api-report: ${entry.subpath} differs from api-report/${entry.report} (new: temp/api-report/${entry.report}); ` +
        "if the change is meant, run npm run api:update and commit the report",
    );
  } else if (!result.succeeded) {
    failed = true;
    console.error(`api-report: ${entry.subpath}: ${result.errorCount} errors`);
  } else {
    console.log(
      `api-report: ${entry.subpath} ${update ? "written to" : "matches"} api-report/${entry.report}`,
    );
  }
  // Every finding (an undocumented export, a type used but not exported, a broken link or TSDoc) is a
  // failure: the reports have none, and a new one is fixed where it arises.
  const written = readFileSync(join(root, update ? "api-report" : "temp/api-report", entry.report), "utf8");
  const findings = written.split("\n").filter((l) => /^\s*\/\/ .*\((ae|tsdoc)-[a-z-]+\)/.test(l));
  if (findings.length > 0) {
    failed = true;
    console.error(`api-report: ${entry.subpath}: ${findings.length} findings:\n${findings.join("\n")}`);
  }
}
// The README's list of each entry point's exports, between its markers, written from the reports.
const START = "<!-- api-exports:start: written by npm run api:update from api-report/ -->";
const END = "<!-- api-exports:end -->";
/** Top-level names a report declares (a name declared as a type and a value counts once). */
function reportNames(report) {
  const names = new Set();
  for (const line of report.split("\n")) {
    const m =
      /^(?:export )?(?:declare )?(?:export )?(?:abstract )?(?:function|class|const|type|interface|enum|let|namespace) ([A-Za-z0-9_$]+)/.exec(
        line,
      );
    if (m) names.add(m[1]);
  }
  return [...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()) || a.localeCompare(b));
}
const block = [START, "", "| entry point | exports | API report |", "| --- | --- | --- |"];
const lists = [];
for (const entry of entries) {
  const specifier = entry.subpath === "." ? "bluezone" : `bluezone/${entry.subpath.slice(2)}`;
  const names = reportNames(readFileSync(join(root, "api-report", entry.report), "utf8"));
  block.push(
    `| \`${specifier}\` | ${names.length} | [api-report/${entry.report}](api-report/${entry.report}) |`,
  );
  lists.push(
    "",
    `<details><summary><code>${specifier}</code>: ${names.length} exports</summary>`,
    "",
    names.map((n) => `\`${n}\``).join(", "),
    "",
    "</details>",
  );
}
block.push(...lists, "", END);
const readmePath = join(root, "README.md");
const readme = readFileSync(readmePath, "utf8");
const at = readme.indexOf(START);
const to = readme.indexOf(END);
if (at < 0 || to < at) {
  failed = true;
  console.error(`api-report: README.md lacks the markers ${START} … ${END}`);
} else {
  const next = readme.slice(0, at) + block.join("\n") + readme.slice(to + END.length);
  if (next !== readme && update) {
    writeFileSync(readmePath, next);
    console.log("api-report: README.md export lists written");
  } else if (next !== readme) {
    failed = true;
    console.error("api-report: README.md export lists differ from the reports; run npm run api:update");
  } else console.log("api-report: README.md export lists match the reports");
}
process.exit(failed ? 1 : 0);
