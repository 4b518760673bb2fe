/** The `bluezone` command-line tool. Each subcommand lives in its own module under `commands/`. */
import { setFlagsFromString } from "node:v8";
import { Command } from "commander";
import { registerDerive } from "./commands/derive";
import { registerProximity } from "./commands/proximity";
import { registerExport } from "./commands/export";
import { registerMatch } from "./commands/match";
import { registerFeed } from "./commands/feed";
import { registerSim } from "./commands/sim";
import { packageVersion, registerSweep } from "./commands/sweep";
import { runCli } from "./run";

// V8 lets a thread's old generation grow to up to 4× what survived its last full collection. The
// simulator's phones keep their logs in slabs (few ArrayBuffers, so little external-memory pressure to
// trigger collections), and its garbage then piled up: hanoi-ward, 40,000 people at 25% adoption, 3 days,
// 2 workers peaked at 2.84 GB resident against 2.07 GB with a fixed growth of 1.5×, at the same CPU time
// (README, "Garbage collection"). Set before any worker starts (V8's flags are per process); a
// --heap-growing-percent given to node (or in NODE_OPTIONS) wins.
if (!`${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`.includes("--heap-growing-percent"))
  setFlagsFromString("--heap-growing-percent=50");

const program = new Command()
  .name("bluezone")
  .description("Bluetooth LE proximity contact logging: identifiers, contact logs, key files, simulation.")
  .version(packageVersion(), "-V, --version", "print the package's version");
registerDerive(program);
registerProximity(program);
registerExport(program);
registerMatch(program);
registerFeed(program);
registerSim(program);
registerSweep(program);

await runCli(program, process.argv);
