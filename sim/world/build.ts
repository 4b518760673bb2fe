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
import { buildWorld, type World } from "./world";

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
  /**
   * The world to move, built by {@link buildRunWorld} with the same scenario, seed and contacts (for
   * instance shared with worker threads by `shareWorld`) instead of building it again. Default: built here.
   */
  world?: World;
}

/**
 * Builds the world of `scenario` alone: what {@link buildMobility} moves (the population and places, or
 * the nodes of a replayed contact trace), from the same streams.
 * @public
 */
export function buildRunWorld(
  scenario: Scenario,
  options: Pick<BuildMobilityOptions, "seed" | "contacts"> = {},
): World {
  const streams = createStreams(options.seed ?? scenario.seed);
  return options.contacts
    ? buildContactWorld(scenario, options.contacts.size, streams)
    : buildWorld(scenario, streams);
}

/**
 * Builds the world of `scenario` and its mobility. Deterministic in the seed: the world draws from the
 * streams `population`, `app`, `mobility`, `positions` and `contacts`, which no other layer uses, so
 * building it here or inside `createEpidemic` gives the same world and the same epidemic.
 * @public
 */
export function buildMobility(scenario: Scenario, options: BuildMobilityOptions = {}): Mobility {
  const streams = createStreams(options.seed ?? scenario.seed);
  // The world draws from its own streams only, so building it apart (buildRunWorld) changes nothing.
  const world = options.world ?? buildRunWorld(scenario, options);
  if (options.world && (options.contacts ? options.contacts.size : scenario.population) !== world.size)
    throw new RangeError(`buildMobility: a world of ${world.size} people for a run of another size`);
  return options.contacts
    ? createContactMobility(
        world,
        options.contacts,
        streams,
        options.stepMinutes === undefined ? {} : { stepMinutes: options.stepMinutes },
      )
    : createMobility(world, streams, { stepMinutes: options.stepMinutes ?? 5 });
}
