/**
 * Reading and writing diagnosis-key export files: a zip of export.bin + export.sig (or a bare
 * export.bin), size-bounded, signature-verified and key-validated as a whole.
 */
import { InvalidArgumentError } from "../errors";
import { KeyFileFormatError, KeyFileLimitError, SignatureError } from "./errors";
import {
  decodeExportBin,
  decodeSignatureList,
  type ExportContents,
  type ExposureKey,
  encodeExportBin,
  encodeSignatureList,
  type KeyFileHeader,
  type SignatureInfo,
  type TekSignature,
} from "./export-codec";
import { type KeyPlausibility, validateExposureKeys } from "./key-validation";
import { type KeyFileLimits, resolveLimits } from "./limits";
import { type KeyFileSigner, type TrustedKey, verifySignature } from "./signing";
import { EXPORT_BIN, EXPORT_SIG, looksLikeZip, readZipEntries, writeZip } from "./zip-entries";

/**
 * Options of `readKeyFile`.
 * @public
 */
export interface ReadKeyFileOptions extends KeyPlausibility {
  /** Keys trusted to sign; at least one must verify a signature unless `verify` is false. */
  trustedKeys?: readonly TrustedKey[];
  /**
   * Whether to require a valid signature (default true). `false` is an explicit opt-out: the file is
   * still size-bounded and key-validated, and the result says `verified: false`.
   */
  verify?: boolean;
  /** Size and count limits (defaults in `DEFAULT_KEY_FILE_LIMITS`). */
  limits?: Partial<KeyFileLimits>;
}

/**
 * A key file that was read in full.
 * @public
 */
export interface KeyFile extends ExportContents {
  /** Signatures of export.sig (empty for a bare export.bin). */
  signatures: TekSignature[];
  /** True when a signature verified with a trusted key. */
  verified: boolean;
  /** The signature info of the signature that verified, when one did. */
  verifiedBy?: SignatureInfo;
  /** The whole export.bin, as signed. */
  exportBin: Uint8Array;
}

/**
 * A key's identity across files: its bytes and its first interval (a key listed again, e.g. with a
 * revised report type, has the same identity).
 * @public
 */
export function keyIdentity(key: Pick<ExposureKey, "keyData" | "rollingStartIntervalNumber">): string {
  return `${Buffer.from(key.keyData).toString("hex")}/${key.rollingStartIntervalNumber}`;
}

/**
 * The keys a file publishes, each once under its latest listing: `keys` in order, a key also listed in
 * `revisedKeys` replaced by its revision (a new report type, e.g. REVOKED or CONFIRMED after a
 * CLINICAL_DIAGNOSIS), then the revised keys not in `keys` (revisions of keys an earlier file listed).
 * This is what matching should be given: `revisedKeys` alone would otherwise be ignored (Exposure
 * Notification export format, `TemporaryExposureKeyExport.revised_keys`). A key listed twice in one list
 * keeps its last listing.
 * @public
 */
export function listedKeys(file: Pick<ExportContents, "keys" | "revisedKeys">): ExposureKey[] {
  const byIdentity = new Map<string, ExposureKey>();
  for (const k of file.keys) byIdentity.set(keyIdentity(k), k);
  for (const k of file.revisedKeys ?? []) byIdentity.set(keyIdentity(k), k);
  return [...byIdentity.values()];
}

function matchesKey(key: TrustedKey, info: SignatureInfo): boolean {
  return (
    info.signatureAlgorithm === key.algorithm &&
    (key.keyId === undefined || key.keyId === info.verificationKeyId) &&
    (key.keyVersion === undefined || key.keyVersion === info.verificationKeyVersion)
  );
}

/** The first signature that a trusted key verifies, or a SignatureError saying why none did. */
function findValidSignature(
  contents: ExportContents,
  bin: Uint8Array,
  signatures: readonly TekSignature[],
  trustedKeys: readonly TrustedKey[],
): TekSignature {
  if (trustedKeys.length === 0)
    throw new SignatureError("no trusted keys given to verify the signature with");
  if (signatures.length === 0) throw new SignatureError("export.sig holds no signatures");
  let candidates = 0;
  for (const s of signatures) {
    for (const key of trustedKeys) {
      if (!matchesKey(key, s.signatureInfo)) continue;
      candidates++;
      if (s.batchNum !== contents.batchNum || s.batchSize !== contents.batchSize) continue;
      if (verifySignature(key, bin, s.signature)) return s;
    }
  }
  throw new SignatureError(
    candidates === 0
      ? "no signature was made with a trusted key (algorithm, key id and version must match)"
      : "signature does not match export.bin for any trusted key",
  );
}

function unpack(bytes: Uint8Array, verify: boolean, limits: KeyFileLimits) {
  if (looksLikeZip(bytes)) {
    const entries = readZipEntries(bytes, {
      [EXPORT_BIN]: limits.maxExportBytes,
      [EXPORT_SIG]: limits.maxSignatureBytes,
    });
    const bin = entries.get(EXPORT_BIN);
    if (!bin) throw new KeyFileFormatError(`the zip holds no ${EXPORT_BIN}`);
    const sig = entries.get(EXPORT_SIG);
    if (!sig && verify) throw new SignatureError(`the zip holds no ${EXPORT_SIG}`);
    return { bin, sig, bare: false };
  }
  if (bytes.length > limits.maxExportBytes) {
    throw new KeyFileLimitError(`export.bin is ${bytes.length} bytes, limit ${limits.maxExportBytes}`);
  }
  return { bin: bytes, sig: undefined, bare: true };
}

/**
 * Reads a key file: a zip of export.bin + export.sig, or a bare export.bin. Verifies the signature
 * over the whole export.bin unless `verify: false`, then validates every key; any failure rejects
 * the whole file.
 * @throws KeyFileFormatError, KeyFileLimitError, SignatureError or InvalidKeyError
 * @public
 */
export function readKeyFile(bytes: Uint8Array, options: ReadKeyFileOptions = {}): KeyFile {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError("key file must be bytes (a Uint8Array)");
  const verify = options.verify ?? true;
  const limits = resolveLimits(options.limits);
  if (bytes.length > limits.maxFileBytes) {
    throw new KeyFileLimitError(`key file is ${bytes.length} bytes, limit ${limits.maxFileBytes}`);
  }
  if (bytes.length === 0) throw new KeyFileFormatError("the key file is empty (0 bytes)");
  const { bin, sig, bare } = unpack(bytes, verify, limits);
  // Bytes that are neither a zip nor an export.bin (empty, cut short, a web page) are a format error
  // before they are an unsigned file.
  const contents = decodeExportBin(bin, limits.maxKeys);
  if (bare && verify)
    throw new SignatureError("a bare export.bin carries no signature (pass verify: false to read it)");
  const signatures = sig ? decodeSignatureList(sig, limits.maxSignatures) : [];
  const valid = verify ? findValidSignature(contents, bin, signatures, options.trustedKeys ?? []) : undefined;
  validateExposureKeys(contents.keys, options, "keys");
  validateExposureKeys(contents.revisedKeys, options, "revised_keys");
  return {
    ...contents,
    signatures,
    verified: valid !== undefined,
    ...(valid ? { verifiedBy: valid.signatureInfo } : {}),
    exportBin: bin,
  };
}

/** The seconds the keys cover (first interval start to last interval end); 0…0 without keys. */
function keySpan(keys: readonly ExposureKey[]): { start: number; end: number } {
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  for (const k of keys) {
    const first = k?.rollingStartIntervalNumber;
    const period = k?.rollingPeriod ?? 144;
    if (!Number.isSafeInteger(first) || !Number.isSafeInteger(period)) continue; // refused by validation
    start = Math.min(start, first * 600);
    end = Math.max(end, (first + period) * 600);
  }
  return start === Number.POSITIVE_INFINITY ? { start: 0, end: 0 } : { start, end };
}

/**
 * Options of {@link createKeyFile}.
 * @public
 */
export interface CreateKeyFileOptions extends Partial<KeyFileHeader>, KeyPlausibility {
  /** Keys to publish (validated first). */
  keys: readonly ExposureKey[];
  /** Revised keys to publish (validated first). */
  revisedKeys?: readonly ExposureKey[];
  /** One or more signers; each adds a signature info and a signature. */
  signer: KeyFileSigner | readonly KeyFileSigner[];
}

/**
 * Writes a signed key file: a zip of export.bin + export.sig with fixed timestamps (byte-identical for
 * the same inputs with Ed25519; ECDSA signatures are randomised). Header defaults: region "", batch
 * 1 of 1, and the timestamps (unix seconds) the span the keys and revised keys cover, from the first
 * key's first interval to the end of the last key's last (0 and 0 without keys).
 * @throws InvalidKeyError when a key is invalid; InvalidArgumentError on a bad header or without a signer
 * @public
 */
export function createKeyFile(options: CreateKeyFileOptions): Uint8Array {
  if (typeof options !== "object" || options === null)
    throw new InvalidArgumentError("createKeyFile needs options { keys, signer, … }");
  const signers = Array.isArray(options.signer) ? options.signer : [options.signer as KeyFileSigner];
  if (signers.length === 0 || signers.some((x) => typeof x?.sign !== "function" || x.info === undefined))
    throw new InvalidArgumentError(
      "createKeyFile needs at least one signer (ed25519Signer or ecdsaSigner) in options.signer",
    );
  if (!Array.isArray(options.keys))
    throw new InvalidArgumentError("createKeyFile needs options.keys (an array)");
  const span = keySpan([...options.keys, ...(options.revisedKeys ?? [])]);
  const header: KeyFileHeader = {
    startTimestamp: options.startTimestamp ?? span.start,
    endTimestamp: options.endTimestamp ?? Math.max(span.end, options.startTimestamp ?? 0),
    region: options.region ?? "",
    batchNum: options.batchNum ?? 1,
    batchSize: options.batchSize ?? 1,
  };
  const { startTimestamp: s, endTimestamp: e, batchNum: n, batchSize: size } = header;
  if (typeof header.region !== "string") {
    throw new InvalidArgumentError(`region must be a string (e.g. "VN"), got ${typeof header.region}`);
  }
  if (!Number.isSafeInteger(s) || !Number.isSafeInteger(e) || s < 0 || e < s) {
    throw new InvalidArgumentError(`timestamps must be whole seconds with 0 ≤ start ≤ end, got ${s}…${e}`);
  }
  if (!Number.isInteger(n) || !Number.isInteger(size) || n < 1 || n > size || size > 0x7fffffff) {
    throw new InvalidArgumentError(`batch must satisfy 1 ≤ batchNum ≤ batchSize, got ${n} of ${size}`);
  }
  const keys = [...options.keys];
  const revisedKeys = [...(options.revisedKeys ?? [])];
  validateExposureKeys(keys, options, "keys");
  validateExposureKeys(revisedKeys, options, "revised_keys");
  const bin = encodeExportBin({ ...header, signatureInfos: signers.map((x) => x.info), keys, revisedKeys });
  const sig = encodeSignatureList(
    signers.map((x) => ({ signatureInfo: x.info, batchNum: n, batchSize: size, signature: x.sign(bin) })),
  );
  return writeZip([
    [EXPORT_BIN, bin],
    [EXPORT_SIG, sig],
  ]);
}
