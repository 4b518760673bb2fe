/**
 * The zip container of a key file, read and written with fflate. Reading is bounded twice: by the
 * sizes the central directory declares (checked before anything is inflated) and by counting the
 * bytes actually inflated, with the input fed in small chunks so a lying zip bomb cannot grow memory
 * past the limit.
 */
import { Unzip, UnzipInflate, unzipSync, zipSync } from "fflate";
import { BluezoneError } from "../errors";
import { KeyFileFormatError, KeyFileLimitError } from "./errors";

/**
 * Names of the two entries of a key-file zip.
 * @public
 */
export const EXPORT_BIN = "export.bin";
/**
 * Name of the signature entry.
 * @public
 */
export const EXPORT_SIG = "export.sig";

/** True when the bytes start like a zip (local file header signature). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04
  );
}

/** Entries allowed in a zip, with the uncompressed size limit of each. */
export type EntryLimits = Readonly<Record<string, number>>;

interface Declared {
  originalSize: number;
  compression: number;
}

/** Compressed input is fed to the inflater in chunks of this size (deflate expands ≤ ~1032×). */
const CHUNK = 1024;

function formatError(message: string, cause: unknown): KeyFileFormatError {
  return new KeyFileFormatError(`${message}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
}

function readCentralDirectory(zip: Uint8Array, limits: EntryLimits): Map<string, Declared> {
  const declared = new Map<string, Declared>();
  try {
    unzipSync(zip, {
      filter(file) {
        if (!Object.hasOwn(limits, file.name)) {
          throw new KeyFileFormatError(
            `unexpected zip entry "${file.name}" (allowed: ${Object.keys(limits).join(", ")})`,
          );
        }
        if (declared.has(file.name)) throw new KeyFileFormatError(`duplicate zip entry "${file.name}"`);
        if (file.compression !== 0 && file.compression !== 8) {
          throw new KeyFileFormatError(
            `zip entry "${file.name}" uses unsupported compression ${file.compression}`,
          );
        }
        const max = limits[file.name]!;
        if (file.originalSize > max) {
          throw new KeyFileLimitError(
            `zip entry "${file.name}" declares ${file.originalSize} bytes, limit ${max}`,
          );
        }
        declared.set(file.name, { originalSize: file.originalSize, compression: file.compression });
        return false; // inflate nothing here
      },
    });
  } catch (err) {
    if (err instanceof KeyFileFormatError || err instanceof KeyFileLimitError) throw err;
    throw formatError("not a readable zip", err);
  }
  return declared;
}

function inflateEntries(zip: Uint8Array, limits: EntryLimits): Map<string, Uint8Array> {
  const chunks = new Map<string, Uint8Array[]>();
  const sizes = new Map<string, number>();
  const done = new Set<string>();
  const unzip = new Unzip((file) => {
    if (!Object.hasOwn(limits, file.name) || chunks.has(file.name)) {
      throw new KeyFileFormatError(`local zip entry "${file.name}" is unexpected or repeated`);
    }
    const max = limits[file.name]!;
    const parts: Uint8Array[] = [];
    chunks.set(file.name, parts);
    sizes.set(file.name, 0);
    file.ondata = (err, data, final) => {
      // fflate hands errors thrown below (the limit) back here: keep typed ones as they are.
      if (err instanceof BluezoneError) throw err;
      if (err) throw formatError(`zip entry "${file.name}" does not inflate`, err);
      const size = sizes.get(file.name)! + data.length;
      if (size > max) {
        file.terminate();
        throw new KeyFileLimitError(`zip entry "${file.name}" inflates past its limit of ${max} bytes`);
      }
      sizes.set(file.name, size);
      parts.push(data);
      if (final) done.add(file.name);
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    for (let o = 0; o < zip.length; o += CHUNK) {
      const end = Math.min(zip.length, o + CHUNK);
      unzip.push(zip.subarray(o, end), end === zip.length);
    }
  } catch (err) {
    if (err instanceof BluezoneError) throw err;
    throw formatError("zip data is corrupt", err);
  }
  const out = new Map<string, Uint8Array>();
  for (const [name, parts] of chunks) {
    if (!done.has(name)) throw new KeyFileFormatError(`zip entry "${name}" is truncated`);
    out.set(name, Buffer.concat(parts));
  }
  return out;
}

/**
 * Reads the entries of a zip, allowing only the names in `limits`, each at most its limit once
 * inflated. The central directory and the local entries must agree on names and sizes.
 * @returns entry name → uncompressed bytes
 * @throws KeyFileFormatError on a corrupt zip or unknown, duplicate or inconsistent entries;
 *   KeyFileLimitError when an entry declares or inflates past its limit
 */
export function readZipEntries(zip: Uint8Array, limits: EntryLimits): Map<string, Uint8Array> {
  const declared = readCentralDirectory(zip, limits);
  const entries = inflateEntries(zip, limits);
  for (const [name, d] of declared) {
    const data = entries.get(name);
    if (!data) throw new KeyFileFormatError(`zip entry "${name}" is in the directory but has no data`);
    if (data.length !== d.originalSize) {
      throw new KeyFileFormatError(
        `zip entry "${name}" inflates to ${data.length} bytes but declares ${d.originalSize}`,
      );
    }
  }
  for (const name of entries.keys()) {
    if (!declared.has(name))
      throw new KeyFileFormatError(`zip entry "${name}" is missing from the directory`);
  }
  return entries;
}

/** Fixed modification time of written entries (DOS epoch, local fields), for reproducible zips. */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

/** Writes a deflated zip of the given entries, in the given order, with fixed timestamps. */
export function writeZip(entries: ReadonlyArray<readonly [string, Uint8Array]>): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 9; mtime: Date }]> = {};
  for (const [name, data] of entries) files[name] = [data, { level: 9, mtime: FIXED_MTIME }];
  return zipSync(files);
}
