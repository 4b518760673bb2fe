/**
 * Error manners shared by the runnable examples: a failure prints one line `<name>: <reason>` on stderr
 * and exits with the CLI's codes (2 bad options or input, 3 a system failure such as a port in use, 70 a
 * bug), never a stack trace. See the README's CLI section for the codes.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { describeError } from "../src/cli/run";

/** Prints `<name>: <reason>` for `err` and sets the exit code; returns the code. */
export function reportFailure(name: string, err: unknown): number {
  const { message, exitCode } = describeError(err);
  process.stderr.write(`${name}: ${message}\n`);
  process.exitCode = exitCode;
  return exitCode;
}

/** `node:util` parseArgs; an unknown or malformed option prints `<name>: <reason>` and exits 2. */
export function parseOptions<T extends ParseArgsConfig>(
  name: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    process.exit(reportFailure(name, err));
  }
}

/**
 * Runs `main`; any error it throws or rejects with ends the process as `<name>: <reason>` with its exit
 * code at once (radios or servers opened before the failure would otherwise keep it alive).
 */
export async function runMain(name: string, main: () => Promise<void> | void): Promise<void> {
  try {
    await main();
  } catch (err) {
    process.exit(reportFailure(name, err));
  }
}
