/**
 * Construction of a run's world and its movement: the population, places and schedules of a scenario
 * (or the nodes of a replayed contact trace) and the mobility model stepping them. The epidemic, the
 * phones and the evaluation receive what this builds; none of them builds a world.
 */
import { createStreams } from "../random";
import type { Scenario } from "../scenario";
import { buildContactWorld, createContactMobility } from "./contact-mobility";
import type { ContactTrace } from "./contact-trace";
import { createMobility, type Mobility } from "./mobility";
import { buildWorld } from "./world";

/**
 * Options of {@link buildMobility}.
 * @public
 */
export interface BuildMobilityOptions {
  /** Master seed (default: the scenario's); the world draws from its own named streams of it. */
  seed?: number;
  /** Mobility step in minutes (default 5, or 20 s when replaying `contacts`). */
  stepMinutes?: number;
  /**
   * Replay this contact trace instead of generated mobility: one person per trace node (the scenario's
   * population is ignored).
   */
  contacts?: ContactTrace;
}

/**
 * Builds the world of `scenario` and its mobility. Deterministic in the seed: the world draws from the
 * streams `population`, `app`, `mobility`, `positions` and `contacts`, which no other layer uses, so
 * building it here or inside `createEpidemic` gives the same world and the same epidemic.
 * @public
 */
export function buildMobility(scenario: Scenario, options: BuildMobilityOptions = {}): Mobility {
  const streams = createStreams(options.seed ?? scenario.seed);
  return options.contacts
    ? createContactMobility(
        buildContactWorld(scenario, options.contacts.size, streams),
        options.contacts,
        streams,
        options.stepMinutes === undefined ? {} : { stepMinutes: options.stepMinutes },
      )
    : createMobility(buildWorld(scenario, streams), streams, { stepMinutes: options.stepMinutes ?? 5 });
}
