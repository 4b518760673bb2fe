/**
 * The published Exposure Notification export schema, embedded as text so the built package needs no
 * file-system lookup, and parsed once with protobufjs. `export.proto` beside this module is the same
 * text (a test keeps them identical) for other tools.
 */
import protobuf from "protobufjs";

/** The text of `export.proto` (proto2, published field numbers). */
export const EXPORT_PROTO = `// Exposure Notification key export format (proto2), as published by Google and Apple in
// "Exposure Key File Format and Verification" and google/exposure-notifications-server
// (Apache-2.0). Field numbers are the published ones; do not renumber.
//
// export.bin = 16-byte header "EK Export v1    " followed by a TemporaryExposureKeyExport.
// export.sig = a TEKSignatureList whose signatures cover the whole export.bin (header included).
//
// src/match/export-proto.ts embeds this text verbatim (a test keeps the two identical).
syntax = "proto2";

message TemporaryExposureKeyExport {
  // Time window of keys in this file based on arrival to the server, in UTC seconds.
  optional fixed64 start_timestamp = 1;
  optional fixed64 end_timestamp = 2;
  // Region the keys came from, e.g. an ISO country code or MCC.
  optional string region = 3;
  // File batch_num of batch_size (1-based).
  optional int32 batch_num = 4;
  optional int32 batch_size = 5;
  // Information about the associated signatures.
  repeated SignatureInfo signature_infos = 6;
  // The keys of their first release.
  repeated TemporaryExposureKey keys = 7;
  // Keys whose status changed (e.g. revoked) after an earlier release.
  repeated TemporaryExposureKey revised_keys = 8;
}

message SignatureInfo {
  // Were app_bundle_id (1) and android_package (2); old files still carry them.
  reserved 1, 2;
  // Key version, for rollovers.
  optional string verification_key_version = 3;
  // Alias identifying the public key to verify with.
  optional string verification_key_id = 4;
  // ASN.1 OID of the algorithm: 1.2.840.10045.4.3.2 (ECDSA P-256 SHA-256) or 1.3.101.112 (Ed25519).
  optional string signature_algorithm = 5;
}

message TemporaryExposureKey {
  // 16 key bytes.
  optional bytes key_data = 1;
  // Deprecated by the v1.5+ API; still 0…8 where present.
  optional int32 transmission_risk_level = 2 [deprecated = true];
  // First ENIntervalNumber (10-minute interval since the epoch) of validity.
  optional int32 rolling_start_interval_number = 3;
  // Number of intervals of validity.
  optional int32 rolling_period = 4 [default = 144];
  enum ReportType {
    UNKNOWN = 0;
    CONFIRMED_TEST = 1;
    CONFIRMED_CLINICAL_DIAGNOSIS = 2;
    SELF_REPORT = 3;
    RECURSIVE = 4;
    REVOKED = 5;
  }
  optional ReportType report_type = 5;
  optional sint32 days_since_onset_of_symptoms = 6;
}

message TEKSignatureList {
  repeated TEKSignature signatures = 1;
}

message TEKSignature {
  // Signing key and algorithm.
  optional SignatureInfo signature_info = 1;
  // Must equal the export's batch_num and batch_size.
  optional int32 batch_num = 2;
  optional int32 batch_size = 3;
  // ECDSA: X9.62 DER (SEQUENCE of two INTEGERs). Ed25519: the raw 64 bytes.
  optional bytes signature = 4;
}
`;

let root: protobuf.Root | undefined;

/** The parsed schema (parsed on first use, then cached). */
export function exportSchema(): protobuf.Root {
  root ??= protobuf.parse(EXPORT_PROTO, { keepCase: true }).root;
  return root;
}

/** Names of the messages of the export schema. */
export type ExportMessageName =
  | "TemporaryExposureKeyExport"
  | "TemporaryExposureKey"
  | "SignatureInfo"
  | "TEKSignatureList"
  | "TEKSignature";

/** The protobufjs type of a message of the export schema. */
export function exportType(name: ExportMessageName): protobuf.Type {
  return exportSchema().lookupType(name);
}
