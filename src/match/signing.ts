/**
 * Key-file signatures: ECDSA P-256 / SHA-256 (Node crypto, DER signatures as in real files) and
 * Ed25519 (tweetnacl, 64 raw bytes), both over the whole export.bin.
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import nacl from "tweetnacl";
import { fromHex } from "../bytes";
import { InvalidArgumentError } from "../errors";
import type { SignatureInfo } from "./export-codec";

/**
 * OID of ECDSA with SHA-256 (on P-256 here).
 * @public
 */
export const ECDSA_P256_SHA256 = "1.2.840.10045.4.3.2";
/**
 * OID of Ed25519.
 * @public
 */
export const ED25519 = "1.3.101.112";

/**
 * A signature algorithm this library verifies and produces.
 * @public
 */
export type SignatureAlgorithm = typeof ECDSA_P256_SHA256 | typeof ED25519;

/**
 * A public key trusted to sign key files, optionally bound to a key id and version.
 * @public
 */
export interface TrustedKey {
  /** Algorithm of the key. */
  algorithm: SignatureAlgorithm;
  /** ECDSA: a P-256 public KeyObject. Ed25519: the 32 raw public-key bytes. */
  publicKey: KeyObject | Uint8Array;
  /** When set, only signatures whose `verificationKeyId` equals it are checked with this key. */
  keyId?: string;
  /** When set, only signatures whose `verificationKeyVersion` equals it are checked with this key. */
  keyVersion?: string;
}

/**
 * Something that signs export.bin files.
 * @public
 */
export interface KeyFileSigner {
  /** The info written into export.bin and export.sig for this signature. */
  readonly info: SignatureInfo & { signatureAlgorithm: SignatureAlgorithm };
  /** Signs the whole export.bin. */
  sign(data: Uint8Array): Uint8Array;
}

/**
 * Key id and version written with a signature.
 * @public
 */
export interface SignerIdentity {
  /** Key alias, e.g. "310". */
  keyId?: string;
  /** Key version, e.g. "v1". */
  keyVersion?: string;
}

function ecPublicKey(key: KeyObject): KeyObject {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType !== "ec" || details?.namedCurve !== "prime256v1") {
    throw new InvalidArgumentError("ECDSA keys must be on the P-256 (prime256v1) curve");
  }
  return key;
}

/**
 * Parses a trusted public key: a 32-byte Ed25519 key (hex string or bytes), an SPKI (base64 or DER
 * bytes, PEM text) of a P-256 or Ed25519 key, or a Node KeyObject.
 * @throws InvalidArgumentError when the key is none of these
 * @public
 */
export function parsePublicKey(
  key: string | Uint8Array | KeyObject,
  identity: SignerIdentity = {},
): TrustedKey {
  const bound = {
    ...(identity.keyId === undefined ? {} : { keyId: identity.keyId }),
    ...(identity.keyVersion === undefined ? {} : { keyVersion: identity.keyVersion }),
  };
  if (typeof key === "string" && /^(0x)?[0-9a-fA-F]{64}$/.test(key.trim())) {
    return { algorithm: ED25519, publicKey: fromHex(key.trim(), 32, "Ed25519 public key"), ...bound };
  }
  if (key instanceof Uint8Array && key.length === 32)
    return { algorithm: ED25519, publicKey: key.slice(), ...bound };
  let obj: KeyObject;
  try {
    if (typeof key === "string") {
      const text = key.trim();
      obj = text.startsWith("-----BEGIN")
        ? createPublicKey(text)
        : createPublicKey({ key: Buffer.from(text, "base64"), format: "der", type: "spki" });
    } else if (key instanceof Uint8Array) {
      obj = createPublicKey({ key: Buffer.from(key), format: "der", type: "spki" });
    } else {
      obj = key.type === "private" ? createPublicKey(key) : key;
    }
  } catch (err) {
    throw new InvalidArgumentError(
      "public key must be 32-byte Ed25519 hex, or an SPKI (base64/PEM) of a P-256 or Ed25519 key",
      { cause: err },
    );
  }
  if (obj.asymmetricKeyType === "ed25519") {
    const x = obj.export({ format: "jwk" }).x!;
    return { algorithm: ED25519, publicKey: new Uint8Array(Buffer.from(x, "base64url")), ...bound };
  }
  return { algorithm: ECDSA_P256_SHA256, publicKey: ecPublicKey(obj), ...bound };
}

/**
 * Checks one signature with one key; never throws (malformed signatures are just invalid).
 * @public
 */
export function verifySignature(key: TrustedKey, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (key.algorithm === ED25519) {
      const pk = key.publicKey as Uint8Array;
      return signature.length === 64 && pk.length === 32 && nacl.sign.detached.verify(data, signature, pk);
    }
    return verify("sha256", data, { key: key.publicKey as KeyObject, dsaEncoding: "der" }, signature);
  } catch {
    return false;
  }
}

/**
 * An Ed25519 signer.
 * @param secretKey - tweetnacl 64-byte secret key, or its 32-byte seed
 * @public
 */
export function ed25519Signer(secretKey: Uint8Array, identity: SignerIdentity = {}): KeyFileSigner {
  let pair: nacl.SignKeyPair;
  if (secretKey.length === 32) pair = nacl.sign.keyPair.fromSeed(secretKey);
  else if (secretKey.length === 64) pair = nacl.sign.keyPair.fromSecretKey(secretKey);
  else
    throw new InvalidArgumentError(
      `Ed25519 secret key must be 32 (seed) or 64 bytes, got ${secretKey.length}`,
    );
  const sk = pair.secretKey;
  return {
    info: { ...infoOf(identity), signatureAlgorithm: ED25519 },
    sign: (data) => nacl.sign.detached(data, sk),
  };
}

/**
 * An ECDSA P-256 / SHA-256 signer producing DER signatures (randomised, as Node signs).
 * @param privateKey - a private KeyObject or PKCS8/SEC1 PEM text
 * @public
 */
export function ecdsaSigner(privateKey: KeyObject | string, identity: SignerIdentity = {}): KeyFileSigner {
  let key: KeyObject;
  try {
    key = typeof privateKey === "string" ? createPrivateKey(privateKey) : privateKey;
  } catch (err) {
    throw new InvalidArgumentError("ECDSA private key must be a PEM (PKCS8 or SEC1) or a KeyObject", {
      cause: err,
    });
  }
  if (key.type !== "private") throw new InvalidArgumentError("ECDSA signer needs a private key");
  ecPublicKey(key);
  return {
    info: { ...infoOf(identity), signatureAlgorithm: ECDSA_P256_SHA256 },
    sign: (data) => new Uint8Array(sign("sha256", data, { key, dsaEncoding: "der" })),
  };
}

function infoOf(identity: SignerIdentity): SignatureInfo {
  const info: SignatureInfo = {};
  if (identity.keyVersion !== undefined) info.verificationKeyVersion = identity.keyVersion;
  if (identity.keyId !== undefined) info.verificationKeyId = identity.keyId;
  return info;
}
