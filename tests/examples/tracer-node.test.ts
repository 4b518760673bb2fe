/** Runs examples/tracer-node as users do (tsx, child process) and checks what it prints. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "bluezone-example-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "examples/tracer-node/index.ts", ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe("examples/tracer-node", () => {
  it("--emulate --minutes 1: both phones log each other at the configured distance, then exit", () => {
    const r = run("--emulate", "--minutes", "1", "--distance", "2", "--db", dir);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/emulating two phones 2 m apart for 1 min/);
    for (const who of ["alice", "bob"]) {
      const heard = lines.filter((l) => l.includes(`${who} heard`));
      expect(heard.length).toBeGreaterThanOrEqual(1);
      // Path-loss exponent 3 at 2 m: −49 dBm mean, 2 dB shadowing.
      for (const l of heard) {
        const mean = Number(/rssi mean (-?[\d.]+)/.exec(l)![1]);
        expect(Math.abs(mean + 49)).toBeLessThan(3);
      }
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${who}: stopped, .*radio failures 0`)));
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${who} logged [1-9]\\d* sightings`)));
    }
    expect(r.stderr).not.toMatch(/Error/);
  });

  // Whether this machine has Bluetooth sockets: the kernel lists /proc/net/bluetooth once AF_BLUETOOTH
  // is up in this network namespace (a container's own namespace never has it: socket() → EAFNOSUPPORT).
  const bluetoothSocket = existsSync("/proc/net/bluetooth");

  it(`on the real radio (${bluetoothSocket ? "this machine has a Bluetooth socket" : "this machine has no Bluetooth socket"}): a clean run or a typed error with its fix, never a stack trace`, () => {
    const r = run("--minutes", "0.01", "--db", join(dir, "real"));
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    if (!bluetoothSocket) {
      expect(r.status).toBe(3);
      expect(r.stderr).toMatch(/No usable Bluetooth adapter \(EAFNOSUPPORT/);
      expect(r.stderr).toMatch(/Fix: /);
    } else if (r.status === 0) {
      // An adapter that works: the tracer ran for 0.6 s, printed its status and stopped.
      expect(r.stdout).toMatch(/^logging to /m);
      expect(r.stdout).toMatch(/^me: .*radio failures \d+/m);
      expect(r.stdout.trim().split("\n").at(-1)).toBe("stopped");
    } else {
      // A socket but no usable adapter (none plugged in, powered off, no permission): the typed error.
      expect(r.stderr).not.toMatch(/EAFNOSUPPORT/);
      expect(r.stderr).toMatch(/^tracer-node: /m);
      expect([1, 3]).toContain(r.status);
    }
  });
});
