/** Size and count limits applied when reading a key file, before and while decoding it. */

/**
 * Limits of `readKeyFile`; every field has a generous default.
 * @public
 */
export interface KeyFileLimits {
  /** Largest input (zip or bare export.bin) in bytes. Default 64 MiB. */
  maxFileBytes: number;
  /** Largest uncompressed export.bin, declared in the zip and counted while inflating. Default 32 MiB. */
  maxExportBytes: number;
  /** Largest uncompressed export.sig. Default 64 KiB. */
  maxSignatureBytes: number;
  /** Most keys (keys + revised_keys) in one file, counted before decoding them. Default 1,000,000. */
  maxKeys: number;
  /** Most signatures in export.sig. Default 16. */
  maxSignatures: number;
}

/**
 * Default limits. A real export holds at most a few hundred thousand keys of ~30 bytes each (servers
 * split larger batches), so 1 M keys and 32 MiB leave ample room while bounding memory.
 * @public
 */
export const DEFAULT_KEY_FILE_LIMITS: Readonly<KeyFileLimits> = Object.freeze({
  maxFileBytes: 64 * 1024 * 1024,
  maxExportBytes: 32 * 1024 * 1024,
  maxSignatureBytes: 64 * 1024,
  maxKeys: 1_000_000,
  maxSignatures: 16,
});

/**
 * The defaults overridden by `partial`.
 * @public
 */
export function resolveLimits(partial?: Partial<KeyFileLimits>): KeyFileLimits {
  return { ...DEFAULT_KEY_FILE_LIMITS, ...partial };
}
