/** The `bluezone` command-line tool. Each subcommand lives in its own module under `commands/`. */
import { Command } from "commander";
import { registerDerive } from "./commands/derive";
import { registerProximity } from "./commands/proximity";
import { registerExport } from "./commands/export";
import { registerMatch } from "./commands/match";
import { registerFeed } from "./commands/feed";
import { registerSim } from "./commands/sim";
import { registerSweep } from "./commands/sweep";
import { runCli } from "./run";

const program = new Command()
  .name("bluezone")
  .description("Bluetooth LE proximity contact logging: identifiers, contact logs, key files, simulation.")
  .showHelpAfterError();
registerDerive(program);
registerProximity(program);
registerExport(program);
registerMatch(program);
registerFeed(program);
registerSim(program);
registerSweep(program);

await runCli(program, process.argv);
