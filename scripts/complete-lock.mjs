#!/usr/bin/env node
/**
 * Completes package-lock.json with the platform-specific optional packages that npm left out.
 *
 * Why: the registry mirror reachable from this project's machines does not serve every platform
 * binary of some packages (e.g. @biomejs/cli-android-arm64, most @rollup/rollup-* targets). `npm install`
 * then silently drops them from the lock, and npm 11's `npm ci` refuses a lock that does not name every
 * optional dependency. An entry carrying the package's os/cpu/libc lets `npm ci` validate the lock and
 * skip the package on this platform, exactly as it would with a complete lock.
 *
 * Run after any dependency change: `npm install && node scripts/complete-lock.mjs`.
 */
import { readFileSync, writeFileSync } from "node:fs";

const OS = [
  "android",
  "darwin",
  "linux",
  "win32",
  "freebsd",
  "openbsd",
  "netbsd",
  "openharmony",
  "sunos",
  "aix",
];
const CPU = ["arm64", "x64", "arm", "ia32", "loong64", "ppc64", "riscv64", "s390x", "mips64el"];

/** os/cpu/libc from a platform package name such as `rollup-linux-arm-musleabihf`. */
function platformOf(name) {
  const tokens = name.split("/").pop().split("-");
  const os = tokens.find((t) => OS.includes(t));
  let cpu = tokens.find((t) => CPU.includes(t));
  let libc;
  for (const t of tokens) {
    if (t === "gnueabihf") [cpu, libc] = ["arm", "glibc"];
    else if (t === "musleabihf") [cpu, libc] = ["arm", "musl"];
    else if (t === "gnu") libc = "glibc";
    else if (t === "musl") libc = "musl";
  }
  if (os === "linux" && !libc && cpu) libc = "glibc";
  return os && cpu ? { os, cpu, libc } : undefined;
}

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const packages = lock.packages;
let added = 0;
for (const [where, pkg] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const base = where === "" ? "" : `${where}/`;
    const candidates = [`${base}node_modules/${dep}`, `node_modules/${dep}`];
    if (candidates.some((c) => packages[c])) continue;
    const p = platformOf(dep);
    if (!p || !/^\d+\.\d+\.\d+/.test(version)) continue; // not a platform binary: leave it to npm
    packages[`node_modules/${dep}`] = {
      version,
      ...(pkg.dev ? { dev: true } : {}),
      optional: true,
      os: [p.os],
      cpu: [p.cpu],
      ...(p.libc ? { libc: [p.libc] } : {}),
    };
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)),
);
lock.packages = sorted;
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lock: added ${added} platform entries`);
