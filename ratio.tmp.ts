import { loadScenario } from "./sim/scenario";
import { runSimulation } from "./sim/run";
const s = loadScenario("office");
const t0 = process.cpuUsage();
const r = await runSimulation({ scenario: { ...s, epidemic: { ...s.epidemic, initialInfected: 8 } }, phones: 30, days: 4, adoption: 1, seed: 7, workers: 1, counterfactual: false });
const u = process.cpuUsage(t0);
console.log(process.cwd(), "cpu s", ((u.user + u.system) / 1e6).toFixed(1), r.summary.f1Notified);
