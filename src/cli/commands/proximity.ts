/** `bluezone proximity`: decide close contact per pair and window from a raw beacon CSV. */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { InvalidArgumentError } from "../../errors";
import { beaconWindows, type PairWindow, parseBeaconCsv } from "../../proximity/beacon-csv";
import { getPolicy } from "../../proximity/policy";
import { DEFAULT_WINDOW_SECONDS } from "../../proximity/windows";
import { parseIntOption, printJson } from "../run";

interface ProximityOptions {
  beacons: string;
  policy: string;
  window: number;
  json?: boolean;
}

/** The CLI's output document. */
export interface ProximityOutput {
  /** Policy name. */
  policy: string;
  /** Windows ordered by pair then start; `start` in unix seconds, like the input's `time` column. */
  windows: PairWindow[];
}

/**
 * Runs the proximity command on CSV text.
 * @throws CsvFormatError for a malformed row (naming its line); PolicyError for an unknown policy
 */
export function proximityFromCsv(
  text: string,
  policyName = "default",
  windowSeconds = DEFAULT_WINDOW_SECONDS,
) {
  const policy = getPolicy(policyName);
  const out: ProximityOutput = {
    policy: policy.name,
    windows: beaconWindows(parseBeaconCsv(text), policy, { windowSeconds }).map((w) => ({
      ...w,
      start: w.start / 1000,
    })),
  };
  return out;
}

/** Registers `proximity` on the program. */
export function registerProximity(program: Command): void {
  program
    .command("proximity")
    .description("Per pair and window: attenuation and close-contact decision from a beacon CSV")
    .requiredOption("--beacons <file>", "CSV: pair,time,rssi,tx_power,receiver_model,transmitter_model")
    .option("--policy <name>", "default | swisscovid | cwa | bluezone", "default")
    .option(
      "--window <seconds>",
      "window length",
      parseIntOption("--window", 1, 86_400),
      DEFAULT_WINDOW_SECONDS,
    )
    .option("--json", "print JSON (the only output format; accepted for symmetry)")
    .action((o: ProximityOptions) => {
      let text: string;
      try {
        text = readFileSync(o.beacons, "utf8");
      } catch (err) {
        throw new InvalidArgumentError(`cannot read --beacons ${o.beacons}: ${(err as Error).message}`, {
          cause: err,
        });
      }
      printJson(proximityFromCsv(text, o.policy, o.window));
    });
}
