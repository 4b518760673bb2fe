/**
 * Shared CLI plumbing: JSON output and uniform error handling. Every failure ends as one line
 * `bluezone: <reason>` on stderr and a documented exit code (README, "CLI"), never a stack trace.
 */
import {
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { type Command, CommanderError } from "commander";
import { BluezoneError, InvalidArgumentError } from "../errors";

/** Exit code for bad input: malformed arguments or options, unreadable input, unusable output paths. */
export const EXIT_BAD_INPUT = 2;
/** Exit code when the system failed us (disk full, permission denied mid-run, …): not the input. */
export const EXIT_SYSTEM = 3;
/** Exit code of an unexpected error (a bug in bluezone; the message names it). */
export const EXIT_INTERNAL = 70;
/** Exit code after an interrupt (Ctrl-C, SIGINT): 128 + 2, as shells report it. */
export const EXIT_INTERRUPTED = 130;

/** Prints a value as JSON on stdout (one document, 2-space indent when `pretty`). */
export function printJson(value: unknown, pretty = false): void {
  process.stdout.write(`${JSON.stringify(value, null, pretty ? 2 : undefined)}\n`);
}

/** Parses `--utc-offset`: hours east of UTC in −12…14, quarter hours allowed. */
export function parseUtcOffset(value: string): number {
  const x = Number(value);
  if (value.trim() === "" || !Number.isFinite(x) || x < -12 || x > 14 || !Number.isInteger(x * 4)) {
    throw new InvalidArgumentError(
      `--utc-offset must be hours east of UTC in −12…14 (quarter hours allowed), got "${value}"`,
    );
  }
  return x;
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

/**
 * Commander's argument parser for a repeatable option: each occurrence is added to the list (without
 * it, a repeated option silently keeps only its last value).
 */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Node's system-error codes that mean "this path given on the command line cannot be used". */
const PATH_ERRORS: Record<string, string> = {
  ENOENT: "no such file or directory",
  ENOTDIR: "a part of the path is not a directory",
  EISDIR: "is a directory",
  EEXIST: "already exists",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENAMETOOLONG: "name too long",
};

/**
 * The one-line reason of an error and its exit code: typed errors (and `node:util` parseArgs option
 * errors) are bad input, exit 2; system errors are named by their code — a path that cannot be used
 * exit 2, anything else (port in use, disk full) exit 3; the rest is a bug, exit 70.
 */
export function describeError(err: unknown): { message: string; exitCode: number } {
  if (err instanceof BluezoneError) return { message: err.message, exitCode: EXIT_BAD_INPUT };
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (e instanceof Error && typeof e.code === "string" && e.code.startsWith("ERR_PARSE_ARGS_"))
    return { message: e.message, exitCode: EXIT_BAD_INPUT };
  if (e instanceof Error && typeof e.code === "string" && typeof e.syscall === "string") {
    // A system error that escaped a command: say what failed, on which path, without the stack.
    if (e.code === "EADDRINUSE")
      return {
        message: `cannot listen on ${e.address ?? "the address"}:${e.port ?? "?"}: address already in use (EADDRINUSE; another server on that port?)`,
        exitCode: EXIT_SYSTEM,
      };
    const where = e.path ? ` ${e.path}` : "";
    const what = PATH_ERRORS[e.code] ?? e.message;
    return {
      message: `${e.syscall}${where}: ${what} (${e.code})`,
      exitCode: e.code in PATH_ERRORS ? EXIT_BAD_INPUT : EXIT_SYSTEM,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    message: `internal error: ${message} (please report it; BLUEZONE_DEBUG=1 prints the stack)`,
    exitCode: EXIT_INTERNAL,
  };
}

/** Prints `bluezone: <reason>` for any error and sets the exit code it maps to; returns that code. */
export function reportError(err: unknown): number {
  const { message, exitCode } = describeError(err);
  // One line, whatever the message holds (a JSON parser's message quotes the input, newlines and all).
  process.stderr.write(`bluezone: ${message.replace(/\s*[\r\n]+\s*/g, " ")}\n`);
  if (exitCode === EXIT_INTERNAL && process.env.BLUEZONE_DEBUG === "1") {
    process.stderr.write(`${(err as Error)?.stack ?? ""}\n`);
  }
  process.exitCode = exitCode;
  return exitCode;
}

/** `1 day`, `2 days`: a count with its noun, plural unless the count is 1. */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n.toLocaleString("en")} ${n === 1 ? noun : nouns}`;
}

/** `bluezone derive` for the derive command (its parents' names, then its own). */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/**
 * Commander's parse errors (unknown option, missing argument, …) as one line `bluezone: …`, exit 2:
 * its suggestion joined to the line, and where the usage is instead of the usage itself.
 */
function configureCommands(cmd: Command): void {
  cmd.exitOverride();
  cmd.configureOutput({
    outputError: (text, write) =>
      write(
        `bluezone: ${text
          .replace(/^error: /, "")
          .trim()
          .replace(/\s*\n\s*/g, " ")
          .replace(/\(Did you mean/, "(did you mean")} — see ${commandPath(cmd)} --help\n`,
      ),
  });
  for (const sub of cmd.commands) configureCommands(sub);
}

/**
 * Runs the program. Typed errors and bad paths → `bluezone: message`, exit 2; other system errors
 * exit 3; anything unexpected exit 70 (no stack unless BLUEZONE_DEBUG=1). A reader that closes stdout
 * early (`bluezone derive … | head -c 50`) ends the run quietly with exit 0.
 */
export async function runCli(program: Command, argv: string[]): Promise<void> {
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    process.exit(reportError(err));
  });
  configureCommands(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every parse error was already printed by outputError. A command
      // given without its subcommand (`bluezone`, `bluezone export`) printed its usage: the reason
      // follows as the one `bluezone:` line.
      if (err.exitCode !== 0 && err.code === "commander.help")
        process.stderr.write("bluezone: a command is missing or unknown: choose one from the usage above\n");
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
      return;
    }
    reportError(err);
  }
}

/** Reads a file named on the command line; a missing or unreadable file is a typed error naming it. */
export function readInput(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "";
    const why = PATH_ERRORS[code] ?? (err as Error).message;
    throw new InvalidArgumentError(`cannot read ${path}: ${why}`, { cause: err });
  }
}

/**
 * Checks that `path` can be written as a new or replaced file before any work is done: its directory
 * exists and is a directory, and the path itself is not a directory (nor, with `mustNotExist`, anything).
 * @throws InvalidArgumentError naming the option and the path
 */
export function checkOutputFile(option: string, path: string, mustNotExist = false): void {
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing?.isDirectory())
    throw new InvalidArgumentError(`${option} ${path} is a directory; give a file name`);
  if (existing && mustNotExist)
    throw new InvalidArgumentError(`${option} ${path} already exists; remove it or choose another name`);
  const dir = dirname(path);
  const parent = statSync(dir, { throwIfNoEntry: false });
  if (!parent) throw new InvalidArgumentError(`${option} ${path}: directory ${dir} does not exist`);
  if (!parent.isDirectory()) throw new InvalidArgumentError(`${option} ${path}: ${dir} is not a directory`);
}

/**
 * Writes an output file named on the command line (after {@link checkOutputFile}); a failure is a typed
 * error naming the path. `exclusive` refuses to replace an existing file (for secret keys).
 */
export function writeOutput(
  option: string,
  path: string,
  data: string | Uint8Array,
  options: { mode?: number; exclusive?: boolean } = {},
): void {
  checkOutputFile(option, path, options.exclusive === true);
  // Written whole or not at all: to a temporary file beside it, then linked (exclusive: fails if the
  // path exists meanwhile) or renamed into place. A full disk used to leave an empty file, which an
  // exclusive rerun then refused as "already exists".
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, data, {
      ...(options.mode === undefined ? {} : { mode: options.mode }),
      flag: "wx",
    });
    if (options.exclusive) {
      linkSync(temp, path);
      unlinkSync(temp);
    } else renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    const code = (err as NodeJS.ErrnoException).code ?? "";
    // A path problem is bad input (exit 2); anything else (disk full, I/O error) is the system's (exit 3).
    if (!(code in PATH_ERRORS)) throw err;
    throw new InvalidArgumentError(`cannot write ${path}: ${PATH_ERRORS[code]}`, { cause: err });
  }
}

/**
 * Runs `cleanup` (e.g. stopping a progress bar, which shows the cursor again) on Ctrl-C, then exits
 * with {@link EXIT_INTERRUPTED}. Returns a function that removes the handler.
 */
export function onInterrupt(cleanup: () => void): () => void {
  const handler = () => {
    try {
      cleanup();
    } finally {
      process.stderr.write("\nbluezone: interrupted\n");
      process.exit(EXIT_INTERRUPTED);
    }
  };
  process.once("SIGINT", handler);
  return () => process.off("SIGINT", handler);
}

/**
 * Makes an output directory named by `option` and checks, before any work, that each of `files` can be
 * written there: the directory is one (or can be made) and writable, and no file name is taken by a
 * directory or anything but a file.
 * @throws InvalidArgumentError naming the path (exit 2)
 */
export function prepareOutDir(option: string, out: string, files: readonly string[]): void {
  if (statSync(out, { throwIfNoEntry: false })?.isDirectory() === false)
    throw new InvalidArgumentError(`${option} ${out} exists and is not a directory; give a directory`);
  try {
    makeDirectories(out);
  } catch (err) {
    throw new InvalidArgumentError(
      `${option} ${out}: cannot make the directory (${(err as Error).message})`,
      {
        cause: err,
      },
    );
  }
  for (const name of files) {
    const path = join(out, name);
    if (statSync(path, { throwIfNoEntry: false })?.isFile() === false)
      throw new InvalidArgumentError(`${option} ${out}: ${path} exists and is not a file`);
  }
  // A file is made and removed, rather than asking access(2): root passes that check on file systems
  // that refuse every new file (/sys), and the run would fail only at its end.
  const probe = join(out, `.bluezone-write-test-${process.pid}`);
  try {
    writeFileSync(probe, "", { flag: "wx" });
    unlinkSync(probe);
  } catch (err) {
    rmSync(probe, { force: true });
    throw new InvalidArgumentError(`${option} ${out}: the directory is not writable`, { cause: err });
  }
}

/**
 * `mkdir -p`: makes the missing directories of `path` one at a time, from the deepest that exists.
 * Node's recursive mkdirSync spins forever where a parent exists but refuses new entries with ENOENT
 * (/proc/foo).
 * @throws the first mkdir's system error
 */
function makeDirectories(path: string): void {
  const missing: string[] = [];
  let at = resolve(path);
  while (statSync(at, { throwIfNoEntry: false }) === undefined) {
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
}
