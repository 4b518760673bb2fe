/**
 * `bluezone/testing`: fast-check arbitraries of keys, key files, sightings, scans and contact
 * scenarios, a property harness for contact policies, and the conformance suites a contact-log store
 * or a radio transport must pass (`contactLogConformance`, `transportConformance`), registered with
 * any `describe`/`it` test framework. Built on `fast-check`, a dependency of bluezone.
 *
 * @packageDocumentation
 */
export * from "./testing/key-files";
export * from "./testing/keys";
export * from "./testing/log-conformance";
export * from "./testing/policy-property";
export * from "./testing/scenario";
export * from "./testing/signer";
export * from "./testing/sightings";
export type { SuiteFunctions } from "./testing/suite-functions";
export * from "./testing/transport-conformance";
