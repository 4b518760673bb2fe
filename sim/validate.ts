/**
 * A tiny typed reader for untrusted JSON: every failure is a {@link ScenarioError} naming the field path
 * (e.g. `households.sizeDistribution[2]: must be a non-negative number`).
 */
import { BluezoneError } from "../src/index";

/** A scenario (or other simulator input) failed validation; `path` names the offending field. */
export class ScenarioError extends BluezoneError {
  /** Dotted path of the offending field, e.g. `venues[1].areaM2`. */
  readonly path: string;
  /**
   * @param path - dotted field path
   * @param problem - what is wrong, e.g. `must be a non-negative number`
   */
  constructor(path: string, problem: string) {
    super("ERR_INVALID_SCENARIO", `${path || "(root)"}: ${problem}`);
    this.path = path;
  }
}

/** Joins a path and a key or index: `join("a", "b")` is `a.b`, `join("a", 2)` is `a[2]`. */
export function join(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** Asserts a plain object and returns it. */
export function obj(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new ScenarioError(path, "must be an object");
  return v as Record<string, unknown>;
}

/** Asserts an array and returns it. */
export function arr(v: unknown, path: string, minLength = 0): unknown[] {
  if (!Array.isArray(v)) throw new ScenarioError(path, "must be an array");
  if (v.length < minLength) throw new ScenarioError(path, `must have at least ${minLength} element(s)`);
  // Array.from turns holes of sparse arrays into undefined elements, which the element checks reject.
  return Array.from(v);
}

/** Bounds accepted by {@link num}. */
export interface NumBounds {
  /** Inclusive minimum. */
  min?: number;
  /** Inclusive maximum. */
  max?: number;
  /** Must be an integer. */
  integer?: boolean;
}

/** Asserts a finite number within bounds, with a message that states the accepted range. */
export function num(v: unknown, path: string, bounds: NumBounds = {}): number {
  const { min, max, integer } = bounds;
  const kind = integer ? "an integer" : "a number";
  let describe = `must be ${kind}`;
  if (min === 0 && max === undefined) describe = `must be a non-negative ${integer ? "integer" : "number"}`;
  else if (min !== undefined && max !== undefined) describe = `must be ${kind} in [${min}, ${max}]`;
  else if (min !== undefined) describe = `must be ${kind} >= ${min}`;
  else if (max !== undefined) describe = `must be ${kind} <= ${max}`;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ScenarioError(path, describe);
  if (integer && !Number.isInteger(v)) throw new ScenarioError(path, describe);
  if ((min !== undefined && v < min) || (max !== undefined && v > max))
    throw new ScenarioError(path, describe);
  return v;
}

/** Asserts a probability (a number in [0, 1]). */
export function prob(v: unknown, path: string): number {
  return num(v, path, { min: 0, max: 1 });
}

/** Asserts a non-empty string. */
export function str(v: unknown, path: string): string {
  if (typeof v !== "string" || v.length === 0) throw new ScenarioError(path, "must be a non-empty string");
  return v;
}

/** Asserts a boolean. */
export function bool(v: unknown, path: string): boolean {
  if (typeof v !== "boolean") throw new ScenarioError(path, "must be true or false");
  return v;
}

/** Asserts one of a fixed set of strings. */
export function oneOf<T extends string>(v: unknown, path: string, options: readonly T[]): T {
  if (typeof v !== "string" || !(options as readonly string[]).includes(v))
    throw new ScenarioError(path, `must be one of ${options.map((o) => JSON.stringify(o)).join(", ")}`);
  return v as T;
}

/** Asserts an ISO calendar date `YYYY-MM-DD` and returns it as unix ms at 00:00 UTC. */
export function isoDate(v: unknown, path: string): number {
  if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(v))
    throw new ScenarioError(path, "must be a date YYYY-MM-DD");
  const t = Date.parse(`${v}T00:00:00Z`);
  if (Number.isNaN(t)) throw new ScenarioError(path, "must be a valid calendar date");
  return t;
}

/** Reads an optional field: `undefined` stays `undefined`, anything else goes through `read`. */
export function opt<T>(v: unknown, read: (v: unknown) => T): T | undefined {
  return v === undefined ? undefined : read(v);
}

/** Asserts an array of non-negative weights with a positive sum. */
export function weights(v: unknown, path: string): number[] {
  const a = arr(v, path, 1).map((w, i) => num(w, join(path, i), { min: 0 }));
  if (!(a.reduce((s, w) => s + w, 0) > 0)) throw new ScenarioError(path, "must have a positive sum");
  return a;
}
