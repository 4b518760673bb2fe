/** The sightings of crash-test batches: each sighting names its batch and its place in it. */
import type { Sighting } from "../../src/index";

/** Unix ms of batch 0. */
const T0 = Date.UTC(2021, 4, 1);

/** The sightings of batch `id`: `size` sightings at T0 + id s, identifier = id (uint32) ‖ index ‖ 0…. */
export function crashBatch(id: number, size: number): Sighting[] {
  return Array.from({ length: size }, (_, i) => {
    const identifier = new Uint8Array(16);
    new DataView(identifier.buffer).setUint32(0, id);
    identifier[4] = i;
    return {
      time: T0 + id * 1000,
      identifier,
      aem: new Uint8Array([1, 2, 3, 4]),
      meanRssi: -(i % 100),
      maxRssi: 0,
      packets: 1 + i,
      secondsSinceLastScan: 300,
    };
  });
}

/** The batch id and index a crash-test sighting carries, or undefined when it is not one of ours. */
export function batchOf(s: Sighting): { id: number; index: number } | undefined {
  if (s.identifier.length !== 16) return undefined;
  const id = new DataView(s.identifier.buffer, s.identifier.byteOffset).getUint32(0);
  const index = s.identifier[4]!;
  if (s.time !== T0 + id * 1000 || s.packets !== 1 + index) return undefined;
  return { id, index };
}
