/** The protocol core: keys, identifiers, metadata, payloads and key schedules of both schemes. */
export * from "./bluezone-compat";
export {
  AEM_LENGTH,
  cryptAem,
  type DerivedIdentifiers,
  deriveAemk,
  deriveAllRpis,
  deriveRpi,
  deriveRpik,
  deriveRpis,
  generateTek,
  KEY_LENGTH,
  rpiPaddedData,
  type TemporaryExposureKey,
} from "./gaen";
export * from "./intervals";
export {
  DEFAULT_METADATA,
  decodeMetadata,
  encodeMetadata,
  isPlausibleMetadata,
  type Metadata,
  PLAUSIBLE_TX_POWER,
} from "./metadata";
export * from "./payload";
export * from "./schedule";
