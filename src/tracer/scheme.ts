/** The tracer's scheme option, checked once for the core and the device shell (not re-exported). */
import { InvalidArgumentError } from "../errors";
import type { SchemeName } from "../protocol/schedule";

/**
 * The scheme option, `gaen` by default. Checked, not defaulted: a misspelt "GAEN" would otherwise run
 * the Bluezone scheme, whose hash-chained day keys can link a phone across days.
 * @throws InvalidArgumentError for anything but `gaen`, `bluezone` or undefined
 */
export function checkScheme(scheme: SchemeName | undefined): SchemeName {
  if (scheme === undefined) return "gaen";
  if (scheme !== "gaen" && scheme !== "bluezone")
    throw new InvalidArgumentError(`scheme must be "gaen" or "bluezone", got ${JSON.stringify(scheme)}`);
  return scheme;
}
