/**
 * Misspelt option names, refused: a caller in plain JavaScript has no compiler to tell them that
 * `{ retry: { baseMs: 10 } }` is not `baseDelayMs`, and the option would silently keep its default.
 */
import { InvalidArgumentError } from "./errors";

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(up + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

/**
 * The known name nearest to a misspelt `name` (case-insensitive Levenshtein distance at most
 * max(2, ⌊length / 4⌋)), or else the one known name that holds `name` or is held in it (a shortened or
 * lengthened name of at least 4 letters: `recall` for `tracingRecall`), for a "did you mean" in an error
 * message; undefined when none is that near.
 * @public
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const near = known
    .map((n) => ({ n, d: distance(lower, n.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(name.length / 4)))
    .sort((a, b) => a.d - b.d)[0]?.n;
  if (near !== undefined || name.length < 4) return near;
  const holding = known.filter(
    (n) => n.length >= 4 && (n.toLowerCase().includes(lower) || lower.includes(n.toLowerCase())),
  );
  return holding.length === 1 ? holding[0] : undefined;
}

/**
 * Every option name of `T`, listed once: `{ a: true, b: true } satisfies OptionNames<Options>` makes
 * the compiler check the list is complete and has nothing more.
 */
export type OptionNames<T> = { readonly [K in keyof Required<T>]: true };

/**
 * Refuses an option `options` has that `known` does not list, naming the nearest known one.
 * Nothing is checked when `options` is not an object (the caller's own checks say what it must be).
 * @throws InvalidArgumentError `<what>: unknown option "x" (did you mean "y"?)`
 */
export function checkOptionNames(
  options: unknown,
  known: Readonly<Record<string, true>>,
  what: string,
): void {
  if (typeof options !== "object" || options === null) return;
  for (const name of Object.keys(options)) {
    if (Object.hasOwn(known, name)) continue;
    const near = closestName(name, Object.keys(known));
    throw new InvalidArgumentError(
      `${what}: unknown option "${name}"${near ? ` (did you mean "${near}"?)` : ""}; known: ${Object.keys(known).join(", ")}`,
    );
  }
}
