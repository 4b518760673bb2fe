/**
 * CI-sized fuzz campaign (10⁴ cases over all targets; `npm run fuzz` runs 10⁶) and the fixed hostile
 * inputs the limits exist for: zip bombs (declared and lying) and huge key counts.
 */
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { KeyFileLimitError, readKeyFile } from "../../src/index";
import { runFuzz } from "./driver";
import { findSignatures, ZIP } from "./mutate";

describe("fuzzing", () => {
  it("10⁴ cases: only typed errors or complete valid results", () => {
    const r = runFuzz({ cases: 10_000, seed: 2024 });
    for (const t of r.targets) expect(t.counterexample ?? "", t.name).toBe("");
    expect(r.failures).toBe(0);
    expect(r.cases).toBeGreaterThanOrEqual(9_990);
    // every target reaches both outcomes, so the mutants are neither all junk nor all harmless
    for (const t of r.targets) expect(t.accepted * t.rejected, t.name).toBeGreaterThan(0);
  });
});

const header = new TextEncoder().encode("EK Export v1    ");

describe("limits against hostile files", () => {
  const bombBin = new Uint8Array(64 << 20); // 64 MiB of zeros deflates to ~64 KiB
  bombBin.set(header);
  const bomb = zipSync({ "export.bin": [bombBin, { level: 1 }] });

  it("refuses a zip bomb by its declared size", () => {
    expect(bomb.length).toBeLessThan(1 << 20);
    expect(() => readKeyFile(bomb, { verify: false })).toThrow(KeyFileLimitError);
  });

  it("refuses a zip bomb that lies about its size while inflating, without inflating it all", () => {
    const liar = bomb.slice();
    const v = new DataView(liar.buffer);
    for (const at of findSignatures(liar, ZIP.local)) v.setUint32(at + 22, 1000, true);
    for (const at of findSignatures(liar, ZIP.central)) v.setUint32(at + 24, 1000, true);
    expect(() => readKeyFile(liar, { verify: false })).toThrow(/inflates past its limit/);
    // With a 1 MiB limit the inflater must stop near 1 MiB: memory grows by far less than the 64 MiB
    // the entry holds (the default 32 MiB limit left too little room between the two to measure
    // reliably while the rest of the suite runs).
    const before = process.memoryUsage().arrayBuffers;
    expect(() => readKeyFile(liar, { verify: false, limits: { maxExportBytes: 1 << 20 } })).toThrow(
      /inflates past its limit of 1048576 bytes/,
    );
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  });

  it("refuses a file with more keys than the limit before decoding them", () => {
    const n = 1_000_001; // empty key messages: field 7, length 0
    const bin = new Uint8Array(16 + 2 * n);
    bin.set(header);
    for (let i = 0; i < n; i++) bin.set([0x3a, 0], 16 + 2 * i);
    expect(() => readKeyFile(bin, { verify: false })).toThrow(/more than the limit 1000000/);
    expect(() => readKeyFile(bin, { verify: false, limits: { maxKeys: 10 } })).toThrow(KeyFileLimitError);
  });
});
