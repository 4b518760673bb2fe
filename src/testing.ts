/**
 * `bluezone/testing`: fast-check arbitraries of keys, key files, sightings, scans and contact
 * scenarios, and a property harness for contact policies. Needs `fast-check` (an optional peer
 * dependency) installed beside bluezone.
 *
 * @packageDocumentation
 */
export * from "./testing/key-files";
export * from "./testing/keys";
export * from "./testing/policy-property";
export * from "./testing/scenario";
export * from "./testing/signer";
export * from "./testing/sightings";
