/**
 * `npx tsx scripts/intervention-spread.ts <arm> <first seed> <last seed> [people]`: one JSON line per seed with
 * the figures of both sides of a comparison arm of tests/sim/interventions-rings-green.test.ts (`rings`,
 * `entry`, `delivery`, `reporting`), to measure the spread between seeds the test's bounds come from.
 */
import type { Intervention } from "../sim/scenario";
import { greenZone, ringLockdown, runArm } from "../tests/sim/intervention-arms";

const arm = process.argv[2] ?? "rings";
const first = Number(process.argv[3] ?? 1);
const last = Number(process.argv[4] ?? 5);
const people = Number(process.argv[5] ?? 3000);
for (let seed = first; seed <= last; seed++) {
  const t0 = performance.now();
  let pair: unknown;
  if (arm === "rings") {
    const o = { seedWard: 0, focusWard: 0 };
    pair = [runArm([], seed, o), runArm([ringLockdown()], seed, o)];
  } else if (arm === "entry") {
    const o = { seedWard: -1, focusWard: 0, seedCases: 20 };
    const bg: Intervention[] = [{ kind: "venueClosure", from: "2021-07-12", venues: ["school"] }];
    pair = [
      runArm([...bg, greenZone({ exitShare: 0.1, entryShare: 1 })], seed, o),
      runArm([...bg, greenZone({ exitShare: 0.1, entryShare: 0 })], seed, o),
    ];
  } else if (arm === "delivery") {
    const o = { seedWard: -1, focusWard: -1, seedCases: 20, people };
    pair = [
      runArm([greenZone({ wards: "all", foodDeliveryShare: 0 })], seed, o),
      runArm([greenZone({ wards: "all", foodDeliveryShare: 0.8 })], seed, o),
    ];
  } else {
    const o = { seedWard: -1, focusWard: -1, seedCases: 20, people };
    pair = [
      runArm([greenZone({ wards: "all", symptomReportShare: 0 })], seed, o),
      runArm([greenZone({ wards: "all", symptomReportShare: 0.9, symptomReportDelayDays: 0.5 })], seed, o),
    ];
  }
  process.stdout.write(
    `${JSON.stringify({ arm, seed, s: ((performance.now() - t0) / 1000).toFixed(1), pair })}\n`,
  );
}
