/**
 * Checks of a LevelDB directory made before LevelDB opens it, for the two damages LevelDB would
 * otherwise turn into silent loss:
 *
 * - a database without its `CURRENT` file: LevelDB (with `createIfMissing`) creates a new, empty
 *   database over it and deletes every table and log file of the old one;
 * - a write-ahead log (`NNNNNN.log`) with a damaged record: LevelDB's recovery (without
 *   `paranoid_checks`, which classic-level does not expose) drops the rest of the 32 KiB block and
 *   goes on, then deletes the log file after converting it to a table.
 *
 * The log format is LevelDB's `doc/log_format.md`: 32 KiB blocks of records, each a 7-byte header
 * (masked CRC-32C of type + payload, little-endian u32; payload length, u16; type: 1 full,
 * 2 first, 3 middle, 4 last) and the payload; a block's last < 7 bytes are zero padding.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** A LevelDB file name: the names LevelDB creates and deletes (`db/filename.cc`). */
const DATA_FILE = /^(?:\d+\.(?:log|ldb|sst)|MANIFEST-\d+)$/;
/** A write-ahead log file name. */
export const WAL_FILE = /^\d+\.log$/;

/** What a directory holds, as far as opening a LevelDB database there is concerned. */
export interface LevelDirectory {
  /** "missing": nothing at the path; "file": not a directory; "directory": a directory. */
  kind: "missing" | "file" | "directory";
  /** The directory has a `CURRENT` file (LevelDB's pointer to its manifest). */
  hasCurrent: boolean;
  /** LevelDB data files in it: write-ahead logs, tables, manifests (sorted by name). */
  dataFiles: string[];
}

/** Lists what is at `path` (no writes). A directory that cannot be read is reported by LevelDB. */
export function inspectLevelDirectory(path: string): LevelDirectory {
  let names: string[];
  try {
    if (!statSync(path).isDirectory()) return { kind: "file", hasCurrent: false, dataFiles: [] };
    names = readdirSync(path);
  } catch {
    return { kind: "missing", hasCurrent: false, dataFiles: [] };
  }
  return {
    kind: "directory",
    hasCurrent: names.includes("CURRENT"),
    dataFiles: names.filter((n) => DATA_FILE.test(n)).sort(),
  };
}

/** A damaged record found in a write-ahead log. */
export interface WalDamage {
  /** Byte offset of the damaged record's header in the file. */
  offset: number;
  /** LevelDB's name for the damage, e.g. "checksum mismatch". */
  reason: string;
}

const BLOCK_SIZE = 32768;
const HEADER_SIZE = 7;
const FULL = 1;
const FIRST = 2;
const MIDDLE = 3;
const LAST = 4;

/**
 * Reads a LevelDB write-ahead log the way LevelDB's `log::Reader` reads it with checksums on, and
 * lists every damage it would report and drop (`db/log_reader.cc`): a damaged record (checksum
 * mismatch, bad record length) loses the rest of its 32 KiB block; a broken fragment sequence loses
 * the incomplete record. An incomplete record at the very end of the file is not damage: it is what
 * a crash during a write leaves (LevelDB reads it as the end), and a file truncated there looks the
 * same.
 */
export function scanWriteAheadLog(bytes: Uint8Array): WalDamage[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const damages: WalDamage[] = [];
  let inRecord = false;
  for (let block = 0; block < bytes.length; block += BLOCK_SIZE) {
    const end = Math.min(block + BLOCK_SIZE, bytes.length);
    let off = block;
    while (end - off >= HEADER_SIZE) {
      const length = view.getUint16(off + 4, true);
      const type = bytes[off + 6]!;
      if (off + HEADER_SIZE + length > end) {
        if (end === bytes.length) return damages; // incomplete last record: a crash's tail
        damages.push({ offset: off, reason: "bad record length" });
        inRecord = false;
        break;
      }
      if (type === 0 && length === 0) break; // LevelDB skips the rest of the block silently
      const stored = view.getUint32(off, true);
      const crc = crc32c(bytes.subarray(off + 6, off + HEADER_SIZE + length));
      if (unmask(stored) !== crc) {
        damages.push({ offset: off, reason: "checksum mismatch" });
        inRecord = false;
        break;
      }
      if (type === FULL || type === FIRST) {
        if (inRecord) damages.push({ offset: off, reason: "partial record without end" });
        inRecord = type === FIRST;
      } else if (type === MIDDLE || type === LAST) {
        if (!inRecord) damages.push({ offset: off, reason: "missing start of fragmented record" });
        else inRecord = type === MIDDLE;
      } else {
        damages.push({ offset: off, reason: `unknown record type ${type}` });
        inRecord = false;
      }
      off += HEADER_SIZE + length;
    }
  }
  return damages;
}

/** The first damage {@link scanWriteAheadLog} finds, or undefined when every record is whole. */
export function verifyWriteAheadLog(bytes: Uint8Array): WalDamage | undefined {
  return scanWriteAheadLog(bytes)[0];
}

/**
 * A copy of a write-ahead log with every damaged record zeroed from its header to the end of its
 * 32 KiB block — which LevelDB's reader skips silently, so a reader without checksums (LevelDB's
 * `RepairDB` reads logs without them) drops exactly what a checking reader drops instead of
 * keeping damaged bytes as records.
 */
export function zeroDamagedBlocks(bytes: Uint8Array): { bytes: Uint8Array; damages: WalDamage[] } {
  const out = new Uint8Array(bytes);
  const damages = scanWriteAheadLog(bytes);
  for (const d of damages) {
    if (d.reason !== "checksum mismatch" && d.reason !== "bad record length") continue;
    out.fill(0, d.offset, Math.min((Math.floor(d.offset / BLOCK_SIZE) + 1) * BLOCK_SIZE, out.length));
  }
  return { bytes: out, damages };
}

/** The first damaged write-ahead log in a LevelDB directory, read from disk. */
export function findWalDamage(
  path: string,
  dataFiles: readonly string[],
): (WalDamage & { file: string }) | undefined {
  for (const file of dataFiles) {
    if (!WAL_FILE.test(file)) continue;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(join(path, file));
    } catch {
      continue; // removed meanwhile (another process's LevelDB rotated it); LevelDB reports the rest
    }
    const damage = verifyWriteAheadLog(bytes);
    if (damage) return { file, ...damage };
  }
  return undefined;
}

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as LevelDB's util/crc32c.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32C of `bytes` (check value of "123456789" is 0xE3069283). */
export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Undoes LevelDB's `crc32c::Mask` (rotate right by 15, plus 0xA282EAD8). */
function unmask(masked: number): number {
  const rot = (masked - 0xa282ead8) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}
