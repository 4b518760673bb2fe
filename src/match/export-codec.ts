/**
 * export.bin and export.sig codecs: the 16-byte header plus the published protobuf messages, decoded
 * and encoded with protobufjs, mapped to camel-case TypeScript shapes.
 */
import protobuf from "protobufjs";
import type { TemporaryExposureKey } from "../protocol/gaen";
import { KeyFileFormatError, KeyFileLimitError } from "./errors";
import { exportType } from "./export-proto";

/**
 * The 16-byte header that starts every export.bin.
 * @public
 */
export const EXPORT_HEADER = "EK Export v1    ";
const HEADER_BYTES = Buffer.from(EXPORT_HEADER, "ascii");

/**
 * Report types of the export schema (`TemporaryExposureKey.ReportType`).
 * @public
 */
export const ReportType = Object.freeze({
  UNKNOWN: 0,
  CONFIRMED_TEST: 1,
  CONFIRMED_CLINICAL_DIAGNOSIS: 2,
  SELF_REPORT: 3,
  RECURSIVE: 4,
  REVOKED: 5,
} as const);
/**
 * A report type value (0…5).
 * @public
 */
export type ReportType = (typeof ReportType)[keyof typeof ReportType];

/**
 * A diagnosis key as carried in an export: a TEK plus the optional export fields (absent = unset).
 * @public
 */
export interface ExposureKey extends TemporaryExposureKey {
  /** Deprecated transmission risk level, 0…8. */
  transmissionRiskLevel?: number;
  /** How the diagnosis was made. */
  reportType?: ReportType;
  /** Days from symptom onset to the key's day, −14…14. */
  daysSinceOnsetOfSymptoms?: number;
}

/**
 * Which key signed a file, and how.
 * @public
 */
export interface SignatureInfo {
  /** Key version, for rollovers (e.g. "v1"). */
  verificationKeyVersion?: string;
  /** Key alias (e.g. "310", often the MCC). */
  verificationKeyId?: string;
  /** Algorithm OID: "1.2.840.10045.4.3.2" (ECDSA P-256 SHA-256) or "1.3.101.112" (Ed25519). */
  signatureAlgorithm?: string;
}

/**
 * Header fields of a `TemporaryExposureKeyExport`.
 * @public
 */
export interface KeyFileHeader {
  /** Start of the key arrival window, UTC seconds. */
  startTimestamp: number;
  /** End of the key arrival window, UTC seconds. */
  endTimestamp: number;
  /** Region the keys came from. */
  region: string;
  /** File number within its batch, 1-based. */
  batchNum: number;
  /** Number of files in the batch. */
  batchSize: number;
}

/**
 * A decoded export.bin.
 * @public
 */
export interface ExportContents extends KeyFileHeader {
  /** Signature infos listed in the export itself. */
  signatureInfos: SignatureInfo[];
  /** Newly released keys. */
  keys: ExposureKey[];
  /** Keys whose status was revised. */
  revisedKeys: ExposureKey[];
}

/**
 * One signature of export.sig.
 * @public
 */
export interface TekSignature {
  /** The signing key and algorithm. */
  signatureInfo: SignatureInfo;
  /** Batch number the signature claims (must match the export). */
  batchNum: number;
  /** Batch size the signature claims (must match the export). */
  batchSize: number;
  /** Signature bytes: DER for ECDSA, 64 raw bytes for Ed25519. */
  signature: Uint8Array;
}

type Msg = Record<string, unknown>;
const has = (m: Msg, field: string) => Object.hasOwn(m, field) && m[field] !== null;
/** A decoded scalar as a number (64-bit fields arrive as protobufjs Long objects). */
const num = (v: unknown) => (typeof v === "number" ? v : v == null ? 0 : Number(String(v)));

function decodeMessage(type: ReturnType<typeof exportType>, bytes: Uint8Array, what: string): Msg {
  const reader = protobuf.Reader.create(bytes);
  reader.discardUnknown = false; // keep out-of-range enum values visible (see unknownReportType)
  try {
    return type.decode(reader) as unknown as Msg;
  } catch (err) {
    throw new KeyFileFormatError(`${what} is not a valid ${type.name} protobuf: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * Counts the occurrences of top-level fields in a protobuf message without decoding them, with
 * protobufjs's reader (used to refuse too many keys before building any objects).
 */
function countFields(bytes: Uint8Array, fields: readonly number[], what: string): number {
  const reader = protobuf.Reader.create(bytes);
  let count = 0;
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      if (fields.includes(tag >>> 3)) count++;
      reader.skipType(tag & 7);
    }
  } catch (err) {
    throw new KeyFileFormatError(`${what} is not a valid protobuf: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return count;
}

function fromSignatureInfo(m: Msg): SignatureInfo {
  const out: SignatureInfo = {};
  if (has(m, "verification_key_version")) out.verificationKeyVersion = String(m.verification_key_version);
  if (has(m, "verification_key_id")) out.verificationKeyId = String(m.verification_key_id);
  if (has(m, "signature_algorithm")) out.signatureAlgorithm = String(m.signature_algorithm);
  return out;
}

function toSignatureInfo(s: SignatureInfo): Msg {
  return {
    verification_key_version: s.verificationKeyVersion,
    verification_key_id: s.verificationKeyId,
    signature_algorithm: s.signatureAlgorithm,
  };
}

const REPORT_TYPE_FIELD = 5;

/**
 * proto2 enums are closed: protobufjs keeps an out-of-range report_type among the message's
 * `$unknowns` instead of the field. Fetch it from there so validation can reject it.
 */
function unknownReportType(m: Msg): number | undefined {
  for (const raw of (m.$unknowns as Uint8Array[] | undefined) ?? []) {
    const r = protobuf.Reader.create(raw);
    const tag = r.uint32();
    if (tag >>> 3 === REPORT_TYPE_FIELD && (tag & 7) === 0) return r.int32();
  }
  return undefined;
}

function fromKey(m: Msg): ExposureKey {
  const key: ExposureKey = {
    keyData: new Uint8Array((m.key_data as Uint8Array | undefined) ?? []),
    rollingStartIntervalNumber: num(m.rolling_start_interval_number),
    // proto2 default 144 applies when the field is absent (protobufjs puts it on the prototype).
    rollingPeriod: num(m.rolling_period),
  };
  if (has(m, "transmission_risk_level")) key.transmissionRiskLevel = num(m.transmission_risk_level);
  // An explicit UNKNOWN (0) reads as absent: protobufjs drops the enum default on decode.
  const reportType = has(m, "report_type") ? num(m.report_type) : unknownReportType(m);
  if (reportType !== undefined) key.reportType = reportType as ReportType;
  if (has(m, "days_since_onset_of_symptoms"))
    key.daysSinceOnsetOfSymptoms = num(m.days_since_onset_of_symptoms);
  return key;
}

function toKey(k: ExposureKey): Msg {
  return {
    key_data: k.keyData,
    transmission_risk_level: k.transmissionRiskLevel,
    rolling_start_interval_number: k.rollingStartIntervalNumber,
    rolling_period: k.rollingPeriod,
    report_type: k.reportType,
    days_since_onset_of_symptoms: k.daysSinceOnsetOfSymptoms,
  };
}

/**
 * Decodes an export.bin (header + `TemporaryExposureKeyExport`).
 * @param maxKeys - most keys + revised keys accepted, counted before decoding
 * @throws KeyFileFormatError on a bad header or protobuf; KeyFileLimitError on too many keys
 * @public
 */
export function decodeExportBin(bin: Uint8Array, maxKeys = Number.POSITIVE_INFINITY): ExportContents {
  if (bin.length < HEADER_BYTES.length || !HEADER_BYTES.equals(bin.subarray(0, HEADER_BYTES.length))) {
    throw new KeyFileFormatError(`export.bin must start with the 16-byte header "${EXPORT_HEADER}"`);
  }
  const body = bin.subarray(HEADER_BYTES.length);
  const count = countFields(body, [7, 8], "export.bin");
  if (count > maxKeys)
    throw new KeyFileLimitError(`export.bin holds ${count} keys, more than the limit ${maxKeys}`);
  const m = decodeMessage(exportType("TemporaryExposureKeyExport"), body, "export.bin");
  return {
    startTimestamp: num(m.start_timestamp),
    endTimestamp: num(m.end_timestamp),
    region: String(m.region ?? ""),
    batchNum: num(m.batch_num),
    batchSize: num(m.batch_size),
    signatureInfos: ((m.signature_infos as Msg[]) ?? []).map(fromSignatureInfo),
    keys: ((m.keys as Msg[]) ?? []).map(fromKey),
    revisedKeys: ((m.revised_keys as Msg[]) ?? []).map(fromKey),
  };
}

/**
 * Encodes an export.bin: the header followed by the `TemporaryExposureKeyExport` protobuf.
 * @public
 */
export function encodeExportBin(contents: ExportContents): Uint8Array {
  const type = exportType("TemporaryExposureKeyExport");
  // encode (not fromObject) writes exactly the given values; validation happens before, in the writer.
  const body = type
    .encode(
      type.create({
        start_timestamp: contents.startTimestamp,
        end_timestamp: contents.endTimestamp,
        region: contents.region,
        batch_num: contents.batchNum,
        batch_size: contents.batchSize,
        signature_infos: contents.signatureInfos.map(toSignatureInfo),
        keys: contents.keys.map(toKey),
        revised_keys: contents.revisedKeys.map(toKey),
      }),
    )
    .finish();
  const out = new Uint8Array(HEADER_BYTES.length + body.length);
  out.set(HEADER_BYTES);
  out.set(body, HEADER_BYTES.length);
  return out;
}

/**
 * Decodes an export.sig (`TEKSignatureList`).
 * @throws KeyFileFormatError on a bad protobuf; KeyFileLimitError on too many signatures
 * @public
 */
export function decodeSignatureList(
  sig: Uint8Array,
  maxSignatures = Number.POSITIVE_INFINITY,
): TekSignature[] {
  const count = countFields(sig, [1], "export.sig");
  if (count > maxSignatures) {
    throw new KeyFileLimitError(`export.sig holds ${count} signatures, more than the limit ${maxSignatures}`);
  }
  const m = decodeMessage(exportType("TEKSignatureList"), sig, "export.sig");
  return ((m.signatures as Msg[]) ?? []).map((s) => ({
    signatureInfo: fromSignatureInfo((s.signature_info as Msg | undefined) ?? {}),
    batchNum: num(s.batch_num),
    batchSize: num(s.batch_size),
    signature: new Uint8Array((s.signature as Uint8Array | undefined) ?? []),
  }));
}

/**
 * Encodes an export.sig (`TEKSignatureList`).
 * @public
 */
export function encodeSignatureList(signatures: readonly TekSignature[]): Uint8Array {
  const type = exportType("TEKSignatureList");
  return type
    .encode(
      type.create({
        signatures: signatures.map((s) => ({
          signature_info: toSignatureInfo(s.signatureInfo),
          batch_num: s.batchNum,
          batch_size: s.batchSize,
          signature: s.signature,
        })),
      }),
    )
    .finish();
}
