import { loadScenario } from "./sim/scenario";
import { runSimulation } from "./sim/run";
const s = loadScenario("office");
const t0 = Date.now();
const r = await runSimulation({ scenario: { ...s, epidemic: { ...s.epidemic, initialInfected: 8 } }, phones: 30, days: 3, adoption: 1, seed: 7, workers: 1, counterfactual: false });
console.log(JSON.stringify(r.summary.detection.sensitivity), r.summary.detection.trueCloseContacts, Date.now() - t0);
