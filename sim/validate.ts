/**
 * Scenario validation against the published JSON Schema (`schemas/scenario.schema.json`) with Ajv, and
 * the typed error it raises: every failure is a {@link ScenarioError} naming the field path (e.g.
 * `households.sizeDistribution[2]: must be a non-negative number`).
 */
import Ajv, { type ErrorObject } from "ajv";
import scenarioSchema from "../schemas/scenario.schema.json";
import { BluezoneError, closestName } from "../src/index";

/**
 * A scenario (or other simulator input) failed validation; `path` names the offending field.
 * @public
 */
export class ScenarioError extends BluezoneError {
  /** Dotted path of the offending field, e.g. `venues[1].areaM2`. */
  readonly path: string;
  /**
   * @param path - dotted field path
   * @param problem - what is wrong, e.g. `must be a non-negative number`
   */
  constructor(path: string, problem: string) {
    super("ERR_INVALID_SCENARIO", path ? `${path}: ${problem}` : problem);
    this.path = path;
  }
}

/** Joins a path and a key or index: `join("a", "b")` is `a.b`, `join("a", 2)` is `a[2]`. */
export function join(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** Asserts an ISO calendar date `YYYY-MM-DD` that exists (not 2021-02-31) and returns unix ms at 00:00 UTC. */
export function isoDate(v: unknown, path: string): number {
  if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(v))
    throw new ScenarioError(path, "must be a date YYYY-MM-DD");
  const t = Date.parse(`${v}T00:00:00Z`);
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== v)
    throw new ScenarioError(path, "must be a valid calendar date");
  return t;
}

// One compiled validator. useDefaults fills the schema's defaults into the (cloned) input; verbose keeps
// each error's schema so messages can state the accepted range.
const ajv = new Ajv({ useDefaults: true, verbose: true, allErrors: false, strictTypes: false });
const validateScenario = ajv.compile(scenarioSchema);

/** A schema node as far as messages need it. */
interface SchemaNode {
  type?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  enum?: unknown[];
  properties?: Record<string, unknown>;
}

/** Dotted path of an Ajv instance path (`/venues/2/areaM2` → `venues[2].areaM2`), walking the data. */
function pathOf(instancePath: string, data: unknown): string {
  let path = "";
  let node = data;
  for (const raw of instancePath.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    const index = Array.isArray(node) ? Number(key) : key;
    path = join(path, index);
    node = (node as Record<string | number, unknown> | undefined)?.[index];
  }
  return path;
}

/** The value at an Ajv instance path. */
function valueAt(instancePath: string, data: unknown): unknown {
  return instancePath
    .split("/")
    .slice(1)
    .reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k.replace(/~1/g, "/")], data);
}

/** "must be a number in [0, 1]", "must be a non-negative integer", … from a numeric schema. */
function describeNumber(node: SchemaNode): string {
  const kind = node.type === "integer" ? "integer" : "number";
  const article = kind === "integer" ? "an" : "a";
  const { minimum: min, maximum: max } = node;
  if (node.exclusiveMinimum === 0) return `must be a positive ${kind}`;
  if (min === 0 && max === undefined) return `must be a non-negative ${kind}`;
  if (min !== undefined && max !== undefined) return `must be ${article} ${kind} in [${min}, ${max}]`;
  if (min !== undefined) return `must be ${article} ${kind} >= ${min}`;
  if (max !== undefined) return `must be ${article} ${kind} <= ${max}`;
  return `must be ${article} ${kind}`;
}

/** The one error reported for a failed validation, as a ScenarioError in the project's wording. */
function toScenarioError(errors: readonly ErrorObject[], data: unknown): ScenarioError {
  const wards = errors.find((e) => e.keyword === "anyOf" && String(e.schemaPath).includes("wardSelector"));
  if (wards)
    return new ScenarioError(pathOf(wards.instancePath, data), 'must be "all" or a list of ward names');
  const e = errors.find((x) => x.keyword !== "if" && x.keyword !== "anyOf") ?? errors[0]!;
  const at = pathOf(e.instancePath, data);
  const node = (e.parentSchema ?? {}) as SchemaNode;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties": {
      const field = String(params.additionalProperty);
      const path = join(at, field);
      const close = closestName(field, Object.keys(node.properties ?? {}));
      const what = at === "epidemic" ? "unknown epidemic parameter" : "unknown field";
      return new ScenarioError(path, `${what}${close ? ` (did you mean "${close}"?)` : ""}`);
    }
    case "required": {
      const path = join(at, String(params.missingProperty));
      const kind = (valueAt(e.instancePath, data) as { kind?: unknown } | undefined)?.kind;
      const byKind = String(e.schemaPath).includes("/then/") && typeof kind === "string";
      return new ScenarioError(path, byKind ? `is required for kind "${kind}"` : "is required");
    }
    case "enum":
      return new ScenarioError(
        at,
        `must be one of ${(e.schema as unknown[]).map((o) => JSON.stringify(o)).join(", ")}`,
      );
    case "const":
      return new ScenarioError(at, `must be ${JSON.stringify(e.schema)}`);
    case "minItems":
      return new ScenarioError(at, `must have at least ${params.limit} element(s)`);
    case "pattern":
      return new ScenarioError(at, "must be a date YYYY-MM-DD");
    default:
      break;
  }
  if (node.type === "number" || node.type === "integer") return new ScenarioError(at, describeNumber(node));
  if (node.type === "string" && node.enum)
    return new ScenarioError(at, `must be one of ${node.enum.map((o) => JSON.stringify(o)).join(", ")}`);
  if (node.type === "string") return new ScenarioError(at, "must be a non-empty string");
  if (node.type === "boolean") return new ScenarioError(at, "must be true or false");
  if (node.type === "object") return new ScenarioError(at, "must be an object");
  if (node.type === "array") return new ScenarioError(at, "must be an array");
  return new ScenarioError(at, e.message ?? "is invalid");
}

/**
 * Validates `json` against the scenario schema and returns a copy with the schema's defaults filled in
 * (`json` itself is not modified).
 * @throws ScenarioError naming the first offending field
 */
export function checkSchema<T>(json: unknown): T {
  const copy = structuredClone(json);
  if (!validateScenario(copy)) throw toScenarioError(validateScenario.errors ?? [], copy);
  return copy as T;
}
