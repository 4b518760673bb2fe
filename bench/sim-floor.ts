/**
 * The floor of the simulator's per-sighting work in JavaScript on this machine, for `npm run bench:sim`:
 * what one sighting needs at the least, written as one fused loop over typed arrays. Per (scanner,
 * advertiser, scan): four 32-bit integer hashes (the advertising events, the within-scan table row, the
 * shadowing, the blocking draw), one row of 16 single-precision offsets picked at random from 50 tables
 * of 4,096 rows (13 MB, as the radio's within-scan tables: larger than a core's cache), the search for
 * the weakest packet received and the sum of the received ones, and a 4-byte append to a column (as the
 * memory log's sighting row). No mobility, neighbour search, key derivation, identifiers, scan entries or
 * matching: the whole engine's cost per sighting cannot fall below this, and the rest of its work comes
 * on top. Compared in the same run with the target row's CPU-nanoseconds per sighting.
 */

const ROWS = 4096;
const EVENTS = 16;
const TABLES = 50;

/** A 32-bit finaliser (MurmurHash3's fmix32). */
function mix(h: number): number {
  let x = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function hash3(a: number, b: number, c: number): number {
  return mix(mix(mix(a) ^ b) ^ c);
}

/** Sorted rows of offsets (deterministic: a hash, not Math.random). */
function makeTables(): Float32Array[] {
  return Array.from({ length: TABLES }, (_, t) => {
    const table = new Float32Array(ROWS * EVENTS);
    const row = new Float64Array(EVENTS);
    for (let r = 0; r < ROWS; r++) {
      for (let k = 0; k < EVENTS; k++) row[k] = (hash3(t, r, k) / 2 ** 32) * 20 - 10;
      row.sort();
      table.set(row, r * EVENTS);
    }
    return table;
  });
}

/**
 * Runs the loop for `phones` scanners × `scans` scans × `neighbours` advertisers each.
 * @returns the sightings appended and CPU-nanoseconds per sighting (the best of `rounds` after a warm-up)
 */
export function measureSightingFloor(
  phones = 10_000,
  scans = 288,
  neighbours = 4,
  rounds = 3,
): { sightings: number; nsPerSighting: number } {
  const tables = makeTables();
  const column = new Uint32Array(phones * scans * neighbours);
  const run = (): number => {
    let w = 0;
    for (let p = 0; p < phones; p++)
      for (let s = 0; s < scans; s++)
        for (let k = 0; k < neighbours; k++) {
          const a = (p * 7 + k * 13) % phones;
          const t = s * 300;
          const first = mix(a ^ t) % 7;
          const table = tables[(a + p) % TABLES]!;
          const base = (hash3(a, p, first) & (ROWS - 1)) * EVENTS;
          const level = -60 + (hash3(p, a, t) / 2 ** 32) * 10 - ((hash3(a ^ p, t, 3) & 7) === 0 ? 8 : 0);
          const cut = (-95 - level) / 4;
          const highest = table[base + EVENTS - 1]!;
          if (!(highest >= cut)) continue;
          let i = base;
          let j = base + EVENTS;
          while (i < j) {
            const m = (i + j) >>> 1;
            if (table[m]! >= cut) j = m;
            else i = m + 1;
          }
          let sum = 0;
          for (let q = i; q < base + EVENTS; q++) sum += table[q]!;
          const packets = base + EVENTS - i;
          const mean = Math.round(level + (4 * sum) / packets);
          const max = Math.round(level + 4 * highest);
          column[w++] = (k & 255) | ((packets & 255) << 8) | ((-mean & 255) << 16) | ((-max & 255) << 24);
        }
    return w;
  };
  run();
  let best = Number.POSITIVE_INFINITY;
  let sightings = 0;
  for (let r = 0; r < rounds; r++) {
    const cpu0 = process.cpuUsage();
    sightings = run();
    const cpu = process.cpuUsage(cpu0);
    best = Math.min(best, ((cpu.user + cpu.system) * 1000) / sightings);
  }
  return { sightings, nsPerSighting: best };
}
