/** Deterministic key-file signers for tests: Ed25519 key pairs made from a seed byte. */
import nacl from "tweetnacl";
import { type KeyFileSigner, parsePublicKey, type TrustedKey, ed25519Signer } from "../match/signing";

/**
 * A signer and the trusted key that verifies it.
 * @public
 */
export interface TestSigner {
  /** Signs key files (Ed25519, so the same inputs give byte-identical files). */
  signer: KeyFileSigner;
  /** The public key to pass to `readKeyFile` as `trustedKeys: [trusted]`. */
  trusted: TrustedKey;
}

/**
 * A deterministic Ed25519 signer from a seed byte (the 32-byte seed is the byte repeated). Never use
 * it outside tests: anyone can recompute its secret key.
 * @param seedByte - 0…255; different bytes give unrelated key pairs
 * @param identity - key id and version written with each signature
 * @public
 */
export function testSigner(
  seedByte = 1,
  identity: { keyId?: string; keyVersion?: string } = { keyId: "test", keyVersion: "v1" },
): TestSigner {
  const pair = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(seedByte & 0xff));
  return { signer: ed25519Signer(pair.secretKey, identity), trusted: parsePublicKey(pair.publicKey) };
}
