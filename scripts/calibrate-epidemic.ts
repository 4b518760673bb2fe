/**
 * `npx tsx scripts/calibrate-epidemic.ts [target]`: finds β so that R (mean secondary infections of
 * generations 0–1, no app, no interventions) averaged over several seeds is the target (default 2) in
 * sim/scenarios/hanoi-ward.json at 5,000 people. Prints β to paste into DEFAULT_EPIDEMIC_PARAMS.
 */
import { measureR } from "../sim/epidemic";
import { loadScenario } from "../sim/scenario";

const target = Number(process.argv[2] ?? 2);
const scenario = { ...loadScenario("hanoi-ward"), epidemic: {} };
const SEEDS = [11, 12, 13, 14];
const POPULATION = 5000;

const meanR = (beta: number) => {
  const rs = SEEDS.map((seed) => measureR(scenario, { seed, population: POPULATION, beta }).R);
  const r = rs.reduce((a, b) => a + b, 0) / rs.length;
  process.stderr.write(
    `beta ${beta.toPrecision(3)}: R ${r.toFixed(2)} (${rs.map((x) => x.toFixed(2)).join(", ")})\n`,
  );
  return r;
};

// Secant on log β against log R (R grows sub-linearly in β as households saturate).
let b0 = 0.0005;
let b1 = 0.001;
let r0 = meanR(b0);
let r1 = meanR(b1);
for (let i = 0; i < 4 && Math.abs(r1 - target) > 0.05; i++) {
  const slope = (Math.log(r1) - Math.log(r0)) / (Math.log(b1) - Math.log(b0));
  const b2 = Math.exp(Math.log(b1) + (Math.log(target) - Math.log(r1)) / Math.max(0.2, slope));
  [b0, r0] = [b1, r1];
  b1 = b2;
  r1 = meanR(b1);
}
process.stdout.write(
  `${JSON.stringify({ target, beta: Number(b1.toPrecision(3)), R: Number(r1.toFixed(3)), seeds: SEEDS, population: POPULATION })}\n`,
);
