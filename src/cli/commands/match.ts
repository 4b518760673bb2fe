/** `bluezone match`: match a key file against a contact log (LevelDB) or a sightings CSV. */
import type { Command } from "commander";
import { toHex } from "../../bytes";
import { InvalidArgumentError } from "../../errors";
import { openLevelLog } from "../../log/level-log";
import { createMemoryLog } from "../../log/memory-log";
import type { ContactLog } from "../../log/types";
import { checkExposure, type ExposureCheck } from "../../match/check-exposure";
import { exposureWindowSeconds } from "../../match/exposure-windows";
import type { ExposureKey } from "../../match/export-codec";
import { listedKeys, readKeyFile } from "../../match/key-file";
import { parsePublicKey } from "../../match/signing";
import { parseSightingsCsv } from "../../match/sightings-csv";
import { utcOffsetBoundary } from "../../proximity/day-boundary";
import { getPolicy, withDayBoundary } from "../../proximity/policy";
import { collect, parseUtcOffset, printJson, readInput } from "../run";

interface MatchOptions {
  export: string;
  publicKey?: string[];
  verify: boolean;
  utcOffset?: number;
  db?: string;
  sightings?: string;
  policy: string;
  receiverModel?: string;
  json?: boolean;
}

/** The JSON document `bluezone match` prints. */
export function matchReport(
  keys: readonly ExposureKey[],
  check: ExposureCheck,
  policy: string,
  verified: boolean,
) {
  const byKey = new Map(check.assessment.keys.map((k) => [k.keyIndex, k]));
  const indices = [...new Set(check.windows.map((w) => w.keyIndex))].sort((a, b) => a - b);
  return {
    exposures: indices.map((i) => {
      const a = byKey.get(i);
      return {
        key: toHex(keys[i]!.keyData),
        reportType: keys[i]!.reportType ?? 0,
        level: a?.level ?? 1,
        windows: check.windows
          .filter((w) => w.keyIndex === i)
          .map((w) => ({
            start: Math.floor(w.start / 1000),
            seconds: exposureWindowSeconds(w),
            typicalAttenuation: Math.round(
              w.scanInstances.reduce((s, x) => s + x.typicalAttenuation, 0) / w.scanInstances.length,
            ),
            minAttenuation: Math.min(...w.scanInstances.map((x) => x.minAttenuation)),
          })),
        f1: a?.contact === true && a.level === 1,
      };
    }),
    summary: {
      status: check.assessment.status,
      ...(check.assessment.level !== undefined ? { level: check.assessment.level } : {}),
      policy,
      verified,
      keys: keys.length,
      matchedKeys: indices.length,
      matchedSightings: check.matches.reduce((s, m) => s + m.sightings.length, 0),
      riskScore: Math.round(check.assessment.riskScore),
      ...(check.assessment.lastContactAt !== undefined
        ? { lastContactAt: Math.floor(check.assessment.lastContactAt / 1000) }
        : {}),
    },
  };
}

async function openSource(o: MatchOptions): Promise<{ log: ContactLog; receiverModel?: string }> {
  if ((o.db === undefined) === (o.sightings === undefined)) {
    throw new InvalidArgumentError("match needs exactly one of --db DIR or --sightings FILE.csv");
  }
  if (o.db !== undefined) return { log: await openLevelLog(o.db, { createIfMissing: false }) };
  const csv = parseSightingsCsv(Buffer.from(readInput(o.sightings!)).toString("utf8"));
  const log = createMemoryLog();
  await log.record(csv.sightings);
  return { log, ...(csv.receiverModel ? { receiverModel: csv.receiverModel } : {}) };
}

/** Registers `match` on the program. */
export function registerMatch(program: Command): void {
  program
    .command("match")
    .description(
      "Match a diagnosis-key file against a contact log or a sightings CSV; print exposures and F1/F2",
    )
    .requiredOption("--export <file>", "key file: .zip (export.bin + export.sig) or a bare export.bin")
    .option(
      "--public-key <key>",
      "trusted signing key: SPKI base64 (ECDSA/Ed25519), 64 hex digits (Ed25519) or a PEM public key; repeatable",
      collect,
    )
    .option("--no-verify", "accept the file without checking its signature")
    .option("--db <dir>", "LevelDB contact log directory (must exist; never created)")
    .option("--sightings <file>", "sightings CSV: time,rpi,aem,rssi,receiver_model")
    .option("--policy <name>", "contact policy: default | swisscovid | cwa | bluezone", "default")
    .option(
      "--utc-offset <h>",
      "where the day rule's days begin, in hours east of UTC (7 for Vietnam's local days); UTC by default",
      parseUtcOffset,
    )
    .option("--receiver-model <model>", "this phone's model, for its RSSI correction (CSV column otherwise)")
    .option("--json", "print JSON (the only output format; accepted for symmetry)")
    .action(async (o: MatchOptions) => {
      const named = getPolicy(o.policy);
      const policy =
        o.utcOffset === undefined ? named : withDayBoundary(named, utcOffsetBoundary(o.utcOffset));
      if (!o.verify && o.publicKey !== undefined)
        throw new InvalidArgumentError(
          "--public-key and --no-verify exclude each other: give the key to check the signature, or --no-verify to skip the check",
        );
      if (o.verify && !o.publicKey?.length)
        throw new InvalidArgumentError(
          "match needs --public-key KEY, or --no-verify to skip the signature check",
        );
      const file = readKeyFile(
        readInput(o.export),
        o.verify ? { trustedKeys: o.publicKey!.map((k) => parsePublicKey(k)) } : { verify: false },
      );
      const { log, receiverModel } = await openSource(o);
      try {
        const model = o.receiverModel ?? receiverModel;
        // Each key once, under its latest listing: a revised key (revised_keys) replaces its listing.
        const keys = listedKeys(file);
        const check = await checkExposure(log, keys, {
          policy,
          ...(model ? { receiverModel: model } : {}),
        });
        printJson(matchReport(keys, check, policy.name, file.verified));
      } finally {
        await log.close();
      }
    });
}
