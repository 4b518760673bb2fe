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

// Types of the main entry that this entry's signatures use, re-exported so that it stands alone.
export type { BluezoneError, MalformedAdvertisementError } from "./errors";
export type { ContactLog, LogStats, Sighting, StoredResult } from "./log/types";
export type { ContactPolicy, DayRule, ProbabilityModel, WindowRule } from "./proximity/policy";
export type { BucketThresholds, DistanceBucket } from "./proximity/attenuation";
export type { ExposureCheck } from "./match/check-exposure";
export type { ExposureWindow, ScanInstance, TxPowerSource } from "./match/exposure-windows";
export type { KeyMatch, MatchedSighting } from "./match/matcher";
export type { Clock, TimerHandle } from "./clock";
export type { DayBoundary } from "./proximity/day-boundary";
export type { DayResult, WindowResult } from "./proximity/windows";
export type { Payload } from "./protocol/payload";
export type { ExposureKey, ReportType } from "./match/export-codec";
export type {
  DailyExposure,
  ExposureAssessment,
  ExposureStatus,
  KeyAssessment,
  RiskConfig,
} from "./match/risk";
export type {
  ECDSA_P256_SHA256,
  ED25519,
  KeyFileSigner,
  SignatureAlgorithm,
  TrustedKey,
} from "./match/signing";
export type { SignatureInfo } from "./match/export-codec";
export type { Metadata } from "./protocol/metadata";
export type { ReadKeyFileOptions } from "./match/key-file";
export type { KeyPlausibility } from "./match/key-validation";
export type { KeyFileLimits } from "./match/limits";
export type { ScanCycle } from "./tracer/scan-cycle";
export type { TemporaryExposureKey } from "./protocol/gaen";
export type { CarriagePair, RadioPairParams, RadioParams } from "./radio/path-loss";
export type { AdapterState, ScanListener, ScanReport, Transport } from "./transport/types";
