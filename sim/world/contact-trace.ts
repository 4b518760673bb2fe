/**
 * Real contact traces in the KONECT format of the SocioPatterns data sets: one record per line,
 * `from to weight time` (whitespace-separated; `from to time` with an implicit weight of 1 is accepted
 * too), `%` comment lines and blank lines skipped. Each record says that nodes `from` and `to` were in
 * face-to-face contact for `weight` consecutive 20-second intervals starting at unix second `time`, i.e.
 * during [time, time + 20·weight s). Node ids are arbitrary integers, mapped to dense person indices
 * 0 … N − 1 in ascending id order.
 */
import { readFileSync } from "node:fs";
import { BluezoneError } from "../../src/index";

/**
 * Length (s) of one contact interval: SocioPatterns badges record contacts at a 20-second resolution.
 * @public
 */
export const CONTACT_INTERVAL_S = 20;

/**
 * A parsed contact trace. Plain data (arrays and typed arrays), so it can be posted to a worker thread.
 * @public
 */
export interface ContactTrace {
  /** Number of distinct nodes: the population that replays it. */
  readonly size: number;
  /** Original node id of each person, ascending (person `p` is node `ids[p]`). */
  readonly ids: readonly number[];
  /** First person of each record, in file order. */
  readonly from: Int32Array;
  /** Second person of each record (never equal to `from`). */
  readonly to: Int32Array;
  /** Number of consecutive {@link CONTACT_INTERVAL_S}-second intervals of each record (a positive integer). */
  readonly weight: Uint32Array;
  /** Start of each record, unix seconds. */
  readonly time: Float64Array;
}

/**
 * A contact trace could not be read or parsed; `line` (1-based) names the offending line when known.
 * @public
 */
export class ContactTraceError extends BluezoneError {
  /** 1-based line of the offending record, `undefined` when the problem is not on one line. */
  readonly line: number | undefined;
  /**
   * @param message - what is wrong
   * @param line - 1-based line number, when the problem is on one line
   * @param source - file name to prefix the message with
   */
  constructor(message: string, line?: number, source?: string) {
    const where = [source, line === undefined ? undefined : `line ${line}`].filter((s) => s !== undefined);
    super("ERR_CONTACT_TRACE", [...where, message].join(": "));
    this.line = line;
  }
}

/**
 * Options of {@link parseContactTrace}.
 * @public
 */
export interface ParseContactTraceOptions {
  /** Name of the input (a file path) to prefix error messages with. */
  source?: string;
}

/** Largest weight accepted: one year of 20-second intervals. */
const MAX_WEIGHT = (365 * 86_400) / CONTACT_INTERVAL_S;
const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses a contact trace from its text.
 * @throws ContactTraceError naming the line of a malformed record, or when there is no record at all
 * @public
 */
export function parseContactTrace(text: string, options: ParseContactTraceOptions = {}): ContactTrace {
  const fail = (message: string, line?: number): never => {
    throw new ContactTraceError(message, line, options.source);
  };
  const nodes: number[] = [];
  const weights: number[] = [];
  const times: number[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("%")) continue;
    const fields = line.split(/\s+/);
    if (fields.length !== 3 && fields.length !== 4)
      fail(`expected "from to weight time" or "from to time", got ${fields.length} field(s)`, i + 1);
    const node = (token: string, name: string) => {
      const v = Number(token);
      if (!INTEGER.test(token) || !Number.isSafeInteger(v))
        fail(`${name} node id "${token}" is not an integer`, i + 1);
      return v;
    };
    const from = node(fields[0]!, "from");
    const to = node(fields[1]!, "to");
    if (from === to) fail(`node ${from} is in contact with itself`, i + 1);
    const wToken = fields.length === 4 ? fields[2]! : "1";
    const weight = Number(wToken);
    if (!INTEGER.test(wToken) || weight < 1 || weight > MAX_WEIGHT)
      fail(`weight "${wToken}" is not an integer in 1…${MAX_WEIGHT} (20-second intervals)`, i + 1);
    const tToken = fields[fields.length - 1]!;
    const time = Number(tToken);
    if (!DECIMAL.test(tToken) || !Number.isFinite(time)) fail(`time "${tToken}" is not a number`, i + 1);
    nodes.push(from, to);
    weights.push(weight);
    times.push(time);
  }
  if (times.length === 0) fail("no contact records (only comments or blank lines)");
  const ids = [...new Set(nodes)].sort((a, b) => a - b);
  const person = new Map(ids.map((id, p) => [id, p]));
  const n = times.length;
  const from = new Int32Array(n);
  const to = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    from[r] = person.get(nodes[2 * r]!)!;
    to[r] = person.get(nodes[2 * r + 1]!)!;
  }
  return {
    size: ids.length,
    ids,
    from,
    to,
    weight: Uint32Array.from(weights),
    time: Float64Array.from(times),
  };
}

/**
 * Formats a trace in the 4-column format with KONECT's two header lines (`% sym positive`, then
 * `% records nodes nodes`); {@link parseContactTrace} reads it back to an equal trace.
 * @public
 */
export function formatContactTrace(trace: ContactTrace): string {
  const out = ["% sym positive", `% ${trace.time.length} ${trace.size} ${trace.size}`];
  for (let r = 0; r < trace.time.length; r++)
    out.push(`${trace.ids[trace.from[r]!]} ${trace.ids[trace.to[r]!]} ${trace.weight[r]} ${trace.time[r]}`);
  return `${out.join("\n")}\n`;
}

/**
 * Reads and parses a contact trace file.
 * @throws ContactTraceError naming the file (and the line) when it cannot be read or parsed
 * @public
 */
export function loadContactTrace(path: string): ContactTrace {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new ContactTraceError(`cannot read contact trace: ${(cause as Error).message}`, undefined, path);
  }
  return parseContactTrace(text, { source: path });
}
