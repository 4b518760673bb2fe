/** Shared fixtures of the key-file tests: the real files from data/gaen and test signers. */
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import nacl from "tweetnacl";
import { ecdsaSigner, ed25519Signer, type ExposureKey, parsePublicKey } from "../../src/index";
import { repoData } from "../helpers/data";

/** Public key of the sample file, from data/README.md (google/exposure-notifications-internals). */
export const SAMPLE_PUBLIC_KEY =
  "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE49JY6kekDgxj3Crm4y6kEHdfoKQFSNDM4mV9cgDb+e5nOAw0GeRoRThCu9/wX5wDT2QloFoOjl2pGZHI0f3C3w==";
/** A time inside the sample files' era (2020-07-02), so plausibility checks are timeless. */
export const NOW_2020 = Date.UTC(2020, 6, 2);
/** A clock stuck at {@link NOW_2020}. */
export const clock2020 = { now: () => NOW_2020 };

/** Bytes of a file under data/gaen. */
export const gaenFile = (name: string) => new Uint8Array(readFileSync(repoData(`gaen/${name}`)));

/** A deterministic Ed25519 signer and its trusted public key. */
export function ed25519Pair(seedByte = 1, identity = { keyId: "test", keyVersion: "v1" }) {
  const seed = new Uint8Array(32).fill(seedByte);
  const pair = nacl.sign.keyPair.fromSeed(seed);
  return { signer: ed25519Signer(pair.secretKey, identity), trusted: parsePublicKey(pair.publicKey) };
}

/** A fresh ECDSA P-256 signer and its trusted public key. */
export function ecdsaPair(identity = { keyId: "310", keyVersion: "v1" }) {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { signer: ecdsaSigner(privateKey, identity), trusted: parsePublicKey(publicKey), privateKey };
}

/** A valid key (bytes all `i`) starting on one of the seven days before {@link NOW_2020}. */
export function sampleKey(i: number, extra: Partial<ExposureKey> = {}): ExposureKey {
  return {
    keyData: new Uint8Array(16).fill(i & 0xff),
    rollingStartIntervalNumber: 2_655_000 + (i % 7) * 144,
    rollingPeriod: 144,
    ...extra,
  };
}
