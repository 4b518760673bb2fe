/** `bluezone derive`: print the identifiers a key produces (both schemes). */
import type { Command } from "commander";
import { fromHex, toHex } from "../../bytes";
import { InvalidArgumentError } from "../../errors";
import {
  BLUEZONE_ID_LENGTH,
  BLUEZONE_KEY_LENGTH,
  BLUEZONE_SLOTS_PER_DAY,
  deriveBluezoneIds,
} from "../../protocol/bluezone-compat";
import { cryptAem, deriveAemk, deriveRpik, deriveRpis, KEY_LENGTH } from "../../protocol/gaen";
import { parseIntOption, printJson } from "../run";

interface DeriveOptions {
  scheme: string;
  tek?: string;
  interval?: number;
  count?: number;
  metadata: string;
  dailyKey?: string;
  json?: boolean;
}

/** EN: RPI and AEM for intervals N … N+K−1. */
export function deriveGaenRows(tekHex: string, interval: number, count: number, metadataHex: string) {
  const tek = fromHex(tekHex, KEY_LENGTH, "--tek");
  const metadata = fromHex(metadataHex, 4, "--metadata");
  const aemk = deriveAemk(tek);
  const rpis = deriveRpis(deriveRpik(tek), interval, count);
  return Array.from({ length: count }, (_, i) => {
    const rpi = rpis.subarray(i * 16, i * 16 + 16);
    return { interval: interval + i, rpi: toHex(rpi), aem: toHex(cryptAem(aemk, rpi, metadata)) };
  });
}

/** Bluezone: IDs of slots 0 … K−1 of a day. */
export function deriveBluezoneRows(dailyKeyHex: string, count: number) {
  const ids = deriveBluezoneIds(fromHex(dailyKeyHex, BLUEZONE_KEY_LENGTH, "--daily-key"), count);
  return Array.from({ length: count }, (_, i) => ({
    slot: i,
    id: toHex(ids.subarray(i * BLUEZONE_ID_LENGTH, (i + 1) * BLUEZONE_ID_LENGTH)),
  }));
}

/** Registers `derive` on the program. */
export function registerDerive(program: Command): void {
  program
    .command("derive")
    .description("Print the rotating identifiers of a key: EN RPIs/AEMs (default) or Bluezone slot IDs")
    .option("--scheme <name>", "gaen | bluezone", "gaen")
    .option("--tek <hex>", "EN: Temporary Exposure Key, 32 hex digits")
    .option("--interval <n>", "EN: first ENIntervalNumber", parseIntOption("--interval", 0, 0xffffffff))
    .option(
      "--count <k>",
      "number of identifiers (EN default 144, Bluezone default 96)",
      parseIntOption("--count", 1, 100_000),
    )
    .option("--metadata <hex>", "EN: 4 metadata bytes encrypted into the AEM", "40000000")
    .option("--daily-key <hex>", "Bluezone: 32-byte day key, 64 hex digits")
    .option("--json", "print JSON (the only output format; accepted for symmetry)")
    .action((o: DeriveOptions) => {
      if (o.scheme === "gaen") {
        if (!o.tek || o.interval === undefined)
          throw new InvalidArgumentError("derive needs --tek and --interval");
        printJson(deriveGaenRows(o.tek, o.interval, o.count ?? 144, o.metadata));
      } else if (o.scheme === "bluezone") {
        if (!o.dailyKey) throw new InvalidArgumentError("derive --scheme bluezone needs --daily-key");
        const count = o.count ?? BLUEZONE_SLOTS_PER_DAY;
        if (count > BLUEZONE_SLOTS_PER_DAY)
          throw new InvalidArgumentError(`--count must be ≤ ${BLUEZONE_SLOTS_PER_DAY} for Bluezone`);
        printJson(deriveBluezoneRows(o.dailyKey, count));
      } else {
        throw new InvalidArgumentError(`unknown --scheme "${o.scheme}" (gaen | bluezone)`);
      }
    });
}
