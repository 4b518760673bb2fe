/**
 * `bluezone export`: verify, inspect and create diagnosis-key export files, and make signing keys.
 *
 * File shapes:
 * - FILE: a key-file zip (export.bin + export.sig) or a bare export.bin.
 * - `--public-key KEY`: an SPKI in base64 (ECDSA P-256, or Ed25519) or 64 hex digits (Ed25519).
 * - `--sign-key FILE`: an Ed25519 secret key in hex (the 64-byte tweetnacl secret key `keygen` writes,
 *   seed ‖ public key, checked for consistency) or an ECDSA P-256 private key PEM (PKCS8 or SEC1). A
 *   public key (`PREFIX.pub`) is refused with a message saying so.
 * - `--keys KEYS.json`: an array of keys `{keyData: hex, rollingStartIntervalNumber, rollingPeriod,
 *   transmissionRiskLevel?, reportType?, daysSinceOnsetOfSymptoms?}`, or an object
 *   `{region?, batchNum?, batchSize?, startTimestamp?, endTimestamp?, keys, revisedKeys?}`.
 */
import { generateKeyPairSync } from "node:crypto";
import { rmSync, statSync } from "node:fs";
import type { Command } from "commander";
import nacl from "tweetnacl";
import { fromHex, toHex } from "../../bytes";
import { BluezoneError, InvalidArgumentError } from "../../errors";
import type { ExposureKey, KeyFileHeader, ReportType } from "../../match/export-codec";
import { createKeyFile, type KeyFile, readKeyFile } from "../../match/key-file";
import {
  ecdsaSigner,
  ed25519Signer,
  type KeyFileSigner,
  parsePublicKey,
  type SignerIdentity,
} from "../../match/signing";
import { closestName } from "../../options";
import { DEFAULT_KEY_FILE_LIMITS } from "../../match/limits";
import { checkOutputFile, collect, printJson, readInput, writeOutput } from "../run";

/** Exit code of `export verify` for a file that does not verify. */
export const EXIT_INVALID = 1;

/** Summary of a read key file, as printed by `verify` and `inspect`. */
export function summarizeKeyFile(f: KeyFile) {
  const starts = f.keys.map((k) => k.rollingStartIntervalNumber);
  const ends = f.keys.map((k) => k.rollingStartIntervalNumber + k.rollingPeriod);
  return {
    region: f.region,
    batchNum: f.batchNum,
    batchSize: f.batchSize,
    startTimestamp: f.startTimestamp,
    endTimestamp: f.endTimestamp,
    keys: f.keys.length,
    revisedKeys: f.revisedKeys.length,
    keyIntervals:
      f.keys.length === 0
        ? null
        : {
            firstStart: Math.min(...starts),
            lastEnd: Math.max(...ends),
            from: new Date(Math.min(...starts) * 600_000).toISOString(),
            to: new Date(Math.max(...ends) * 600_000).toISOString(),
          },
    signatureInfos: f.signatureInfos,
    signatures: f.signatures.map((s) => ({
      ...s.signatureInfo,
      batchNum: s.batchNum,
      batchSize: s.batchSize,
    })),
  };
}

/** Result of {@link verifyKeyFileBytes}. */
export type VerifyResult =
  | ({ valid: true } & ReturnType<typeof summarizeKeyFile>)
  | { valid: false; reason: string; code: string };

/**
 * Verifies a key file against one or more public keys (valid when a signature verifies with any);
 * typed read errors become `{valid: false, reason}`.
 * @param publicKey - SPKI base64 (ECDSA or Ed25519), 64 hex digits (Ed25519) or a PEM public key
 * @throws InvalidArgumentError when a public key itself is malformed
 */
export function verifyKeyFileBytes(bytes: Uint8Array, publicKey: string | readonly string[]): VerifyResult {
  const trusted = (typeof publicKey === "string" ? [publicKey] : publicKey).map((k) => parsePublicKey(k));
  try {
    return { valid: true, ...summarizeKeyFile(readKeyFile(bytes, { trustedKeys: trusted })) };
  } catch (err) {
    if (err instanceof BluezoneError) return { valid: false, reason: err.message, code: err.code };
    throw err;
  }
}

/** Reads a key file without verifying its signature (keys are still validated). */
export function inspectKeyFileBytes(bytes: Uint8Array) {
  return summarizeKeyFile(readKeyFile(bytes, { verify: false }));
}

const PUBLIC_NOT_SECRET =
  "is a public key; signing needs the secret key (keygen's PREFIX.key, not PREFIX.pub)";

/**
 * Loads a signer from the text of a `--sign-key` file: an Ed25519 secret key in hex (64 bytes, seed ‖
 * public key, as `keygen` writes it) or an ECDSA P-256 private key PEM (PKCS8 or SEC1).
 *
 * A 32-byte Ed25519 hex string is refused: it is what `keygen` writes as the *public* key, and taking it
 * for a seed would sign with an unrelated key and write a file that never verifies.
 * @throws InvalidArgumentError for a public key, an inconsistent Ed25519 key or anything else
 */
export function parseSignKey(text: string, identity: SignerIdentity = {}): KeyFileSigner {
  const t = text.trim();
  if (/^-----BEGIN (EC )?PUBLIC KEY-----/.test(t))
    throw new InvalidArgumentError(`sign key ${PUBLIC_NOT_SECRET}`);
  if (t.startsWith("-----BEGIN")) return ecdsaSigner(t, identity);
  if (/^(0x)?[0-9a-fA-F]{64}$/.test(t))
    throw new InvalidArgumentError(`sign key of 32 bytes ${PUBLIC_NOT_SECRET}`);
  if (/^(0x)?[0-9a-fA-F]{128}$/.test(t)) {
    const secret = fromHex(t);
    const derived = nacl.sign.keyPair.fromSeed(secret.subarray(0, 32)).publicKey;
    if (toHex(derived) !== toHex(secret.subarray(32)))
      throw new InvalidArgumentError(
        "sign key is not an Ed25519 secret key: its last 32 bytes are not the public key of its first 32",
      );
    return ed25519Signer(secret, identity);
  }
  if (/^[A-Za-z0-9+/=\s]+$/.test(t) && t.length >= 40)
    throw new InvalidArgumentError(
      "sign key looks like a base64 SPKI public key; signing needs the secret key (keygen's PREFIX.key)",
    );
  throw new InvalidArgumentError(
    "sign key must be an Ed25519 secret key in hex (64 bytes, as keygen writes) or a private-key PEM",
  );
}

/** Keys and header fields of a KEYS.json file. */
export interface KeysDocument extends Partial<KeyFileHeader> {
  /** The keys. */
  keys: ExposureKey[];
  /** Revised keys. */
  revisedKeys: ExposureKey[];
}

/** A key's fields in KEYS.json. */
const KEY_FIELDS = [
  "keyData",
  "rollingStartIntervalNumber",
  "rollingPeriod",
  "transmissionRiskLevel",
  "reportType",
  "daysSinceOnsetOfSymptoms",
] as const;
/** The document's fields in KEYS.json (its object form). */
const DOCUMENT_FIELDS = [
  "region",
  "batchNum",
  "batchSize",
  "startTimestamp",
  "endTimestamp",
  "keys",
  "revisedKeys",
] as const;

/**
 * Refuses a field KEYS.json does not define (a misspelt optional field would otherwise be left out
 * silently, e.g. `rollingPeriode` giving the default period of 144), naming the nearest known one.
 */
function unknownFields(o: Record<string, unknown>, known: readonly string[], where: string): void {
  for (const name of Object.keys(o)) {
    if (known.includes(name)) continue;
    const near = closestName(name, known);
    throw new InvalidArgumentError(
      `keys file: ${where ? `${where}.` : ""}${name} is not a field${near ? ` (did you mean "${near}"?)` : ""}; known: ${known.join(", ")}`,
    );
  }
}

function parseKeyObject(value: unknown, i: number, list = "keys"): ExposureKey {
  const where = `${list}[${i}]`;
  if (typeof value !== "object" || value === null)
    throw new InvalidArgumentError(`${where} must be an object`);
  const o = value as Record<string, unknown>;
  unknownFields(o, KEY_FIELDS, where);
  const int = (name: string, optional: boolean): number | undefined => {
    const v = o[name];
    if (v === undefined && optional) return undefined;
    if (!Number.isSafeInteger(v)) throw new InvalidArgumentError(`${where}.${name} must be an integer`);
    return v as number;
  };
  if (typeof o.keyData !== "string") throw new InvalidArgumentError(`${where}.keyData must be a hex string`);
  const key: ExposureKey = {
    keyData: fromHex(o.keyData, undefined, `${where}.keyData`),
    rollingStartIntervalNumber: int("rollingStartIntervalNumber", false)!,
    rollingPeriod: int("rollingPeriod", true) ?? 144,
  };
  const risk = int("transmissionRiskLevel", true);
  const reportType = int("reportType", true);
  const onset = int("daysSinceOnsetOfSymptoms", true);
  if (risk !== undefined) key.transmissionRiskLevel = risk;
  if (reportType !== undefined) key.reportType = reportType as ReportType;
  if (onset !== undefined) key.daysSinceOnsetOfSymptoms = onset;
  return key;
}

/** Parses KEYS.json text: an array of keys or an object with header fields and `keys`. */
export function parseKeysJson(text: string): KeysDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`keys file is not JSON: ${(err as Error).message}`);
  }
  const obj = (Array.isArray(doc) ? { keys: doc } : doc) as Record<string, unknown> | null;
  if (typeof obj !== "object" || obj === null || !Array.isArray(obj.keys)) {
    throw new InvalidArgumentError("keys file must be an array of keys or an object with a keys array");
  }
  if (!Array.isArray(doc)) unknownFields(obj, DOCUMENT_FIELDS, "");
  const out: KeysDocument = {
    keys: obj.keys.map((k, i) => parseKeyObject(k, i)),
    revisedKeys: [],
  };
  if (obj.revisedKeys !== undefined) {
    if (!Array.isArray(obj.revisedKeys))
      throw new InvalidArgumentError(
        `keys file: revisedKeys must be an array of keys, got ${JSON.stringify(obj.revisedKeys)}`,
      );
    out.revisedKeys = obj.revisedKeys.map((k, i) => parseKeyObject(k, i, "revisedKeys"));
  }
  for (const f of ["batchNum", "batchSize", "startTimestamp", "endTimestamp"] as const) {
    if (obj[f] === undefined) continue;
    if (!Number.isSafeInteger(obj[f]))
      throw new InvalidArgumentError(`keys file: ${f} must be an integer, got ${JSON.stringify(obj[f])}`);
    out[f] = obj[f] as number;
  }
  if (obj.region !== undefined) {
    // Never String(): an object would be written as the region "[object Object]".
    if (typeof obj.region !== "string")
      throw new InvalidArgumentError(
        `keys file: region must be a string (e.g. "VN"), got ${JSON.stringify(obj.region)}`,
      );
    out.region = obj.region;
  }
  return out;
}

/** Makes a signing key pair; returns the file contents `{secret, public}` (see module doc). */
export function generateSigningKeyPair(type: string): { secret: string; public: string } {
  if (type === "ed25519") {
    const pair = nacl.sign.keyPair();
    return { secret: `${toHex(pair.secretKey)}\n`, public: `${toHex(pair.publicKey)}\n` };
  }
  if (type === "ecdsa") {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    return {
      secret: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
      public: `${publicKey.export({ format: "der", type: "spki" }).toString("base64")}\n`,
    };
  }
  throw new InvalidArgumentError(`unknown --type "${type}" (ed25519 | ecdsa)`);
}

/** Registers `export verify|inspect|create|keygen` on the program. */
export function registerExport(program: Command): void {
  const cmd = program.command("export").description("Diagnosis-key export files (export.bin + export.sig)");
  cmd
    .command("verify <file>")
    .description("Verify a key file's signature and keys; exit 1 when it does not verify")
    .option(
      "--public-key <key>",
      "SPKI base64 (ECDSA P-256 or Ed25519), 64 hex digits (Ed25519) or a PEM public key; repeatable (valid when any verifies)",
      collect,
    )
    .option("--json", "print a JSON result")
    .action((file: string, o: { publicKey?: string[]; json?: boolean }) => {
      if (!o.publicKey?.length)
        throw new InvalidArgumentError("export verify needs --public-key KEY (the authority's signing key)");
      const result = verifyKeyFileBytes(readInput(file), o.publicKey);
      if (o.json) printJson(result);
      else if (result.valid)
        process.stdout.write(
          `valid: ${result.keys} keys${result.region ? `, region ${result.region}` : ", no region"}\n`,
        );
      else process.stderr.write(`bluezone: invalid key file: ${result.reason}\n`);
      if (!result.valid) process.exitCode = EXIT_INVALID;
    });
  cmd
    .command("inspect <file>")
    .description("Print header fields, key count, key time range and signature infos (no verification)")
    .option("--json", "print JSON (the only output format; accepted for symmetry)")
    .action((file: string) => printJson(inspectKeyFileBytes(readInput(file)), true));
  cmd
    .command("create")
    .description("Write a signed key-file zip from a KEYS.json")
    .requiredOption("--keys <file>", "KEYS.json: array of keys, or {region, batchNum, …, keys}")
    .option(
      "--sign-key <file>",
      "Ed25519 secret key hex (64 bytes, keygen's .key) or an ECDSA P-256 private-key PEM (PKCS#8 or SEC1); repeatable: one signature each (a key rotation)",
      collect,
    )
    .requiredOption("--out <file>", "output zip")
    .option(
      "--key-id <id>",
      "verification key id written with the signature; repeatable, one per --sign-key in order",
      collect,
    )
    .option(
      "--key-version <v>",
      "verification key version written with the signature; repeatable, one per --sign-key in order",
      collect,
    )
    .action(
      (o: { keys: string; signKey?: string[]; out: string; keyId?: string[]; keyVersion?: string[] }) => {
        if (!o.signKey?.length)
          throw new InvalidArgumentError("export create needs --sign-key FILE (keygen's PREFIX.key)");
        for (const [name, list] of [
          ["--key-id", o.keyId],
          ["--key-version", o.keyVersion],
        ] as const)
          if (list !== undefined && list.length !== o.signKey.length)
            throw new InvalidArgumentError(
              `${name} is given ${list.length} time(s) for ${o.signKey.length} --sign-key: give one per sign key, in the same order`,
            );
        // A signed batch is never replaced: a feed serves batches by name, and clients that fetched the
        // first would never see the second.
        checkOutputFile("--out", o.out, true);
        const doc = parseKeysJson(Buffer.from(readInput(o.keys)).toString("utf8"));
        const total = doc.keys.length + doc.revisedKeys.length;
        if (total > DEFAULT_KEY_FILE_LIMITS.maxKeys)
          throw new InvalidArgumentError(
            `${total} keys are more than the ${DEFAULT_KEY_FILE_LIMITS.maxKeys} a reader accepts in one file: split them into batches (batchNum of batchSize)`,
          );
        const signers = o.signKey.map((path, i) =>
          parseSignKey(Buffer.from(readInput(path)).toString("utf8"), {
            ...(o.keyId === undefined ? {} : { keyId: o.keyId[i]! }),
            ...(o.keyVersion === undefined ? {} : { keyVersion: o.keyVersion[i]! }),
          }),
        );
        writeOutput("--out", o.out, createKeyFile({ ...doc, signer: signers }), { exclusive: true });
        printJson({ out: o.out, keys: doc.keys.length, revisedKeys: doc.revisedKeys.length });
      },
    );
  cmd
    .command("keygen")
    .description("Write a signing key pair: PREFIX.key (secret) and PREFIX.pub (for --public-key)")
    .requiredOption("--type <type>", "ed25519 | ecdsa")
    .requiredOption("--out <prefix>", "path prefix of the two files")
    .action((o: { type: string; out: string }) => {
      if (/[/\\]$/.test(o.out) || statSync(o.out, { throwIfNoEntry: false })?.isDirectory())
        throw new InvalidArgumentError(
          `--out ${o.out} is a directory; give a path prefix such as ${o.out.replace(/[/\\]+$/, "")}/authority`,
        );
      const pair = generateSigningKeyPair(o.type);
      // Neither file is replaced: overwriting an authority's signing key would lose it for good.
      checkOutputFile("--out", `${o.out}.key`, true);
      checkOutputFile("--out", `${o.out}.pub`, true);
      // Both files or neither: a pair whose public half is missing cannot be used.
      checkOutputFile("--out", `${o.out}.pub`, true);
      writeOutput("--out", `${o.out}.key`, pair.secret, { mode: 0o600, exclusive: true });
      try {
        writeOutput("--out", `${o.out}.pub`, pair.public, { exclusive: true });
      } catch (err) {
        rmSync(`${o.out}.key`, { force: true });
        throw err;
      }
      printJson({ secretKey: `${o.out}.key`, publicKey: `${o.out}.pub` });
    });
}
