/** Shared CLI plumbing: JSON output and uniform error handling (message on stderr, non-zero exit). */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { BluezoneError, InvalidArgumentError } from "../errors";

/** Exit code for bad input (malformed arguments or files). */
export const EXIT_BAD_INPUT = 2;

/** Prints a value as JSON on stdout (one document, 2-space indent when `pretty`). */
export function printJson(value: unknown, pretty = false): void {
  process.stdout.write(`${JSON.stringify(value, null, pretty ? 2 : undefined)}\n`);
}

/** Parses a decimal integer option, with a message naming the option on failure. */
export function parseIntOption(name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new BluezoneError(
        "ERR_INVALID_ARGUMENT",
        `${name} must be an integer in ${min}…${max}, got "${value}"`,
      );
    }
    return n;
  };
}

/** Runs the program; typed errors become `bluezone: message` on stderr and exit code 2. */
export async function runCli(program: Command, argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof BluezoneError) {
      process.stderr.write(`bluezone: ${err.message}\n`);
      process.exitCode = EXIT_BAD_INPUT;
      return;
    }
    throw err;
  }
}

/** Reads a file named on the command line; a missing or unreadable file is a typed error naming it. */
export function readInput(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    throw new InvalidArgumentError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}
