/**
 * An open-addressing hash table accumulating minutes per unordered pair of people (typed arrays, grows
 * by doubling), for counting cumulative close-contact time over a day.
 */

/** Minutes accumulated per pair (a < b). */
export interface PairMinutes {
  /** Adds `minutes` to pair (a, b); requires a < b. */
  add(a: number, b: number, minutes: number): void;
  /** Minutes of pair (a, b), 0 if never added. */
  get(a: number, b: number): number;
  /** Number of distinct pairs. */
  readonly size: number;
  /** Calls `fn` for every pair. */
  forEach(fn: (a: number, b: number, minutes: number) => void): void;
  /** Empties the table (keeps its capacity). */
  clear(): void;
}

/** Creates an empty table with room for about `expected` pairs before growing. */
export function createPairMinutes(expected = 1024): PairMinutes {
  let cap = 16;
  while (cap < expected * 2) cap *= 2;
  let ka = new Int32Array(cap).fill(-1);
  let kb = new Int32Array(cap);
  let val = new Float32Array(cap);
  let size = 0;
  const slot = (a: number, b: number, mask: number) => {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b);
    h ^= h >>> 15;
    let i = h & mask;
    for (;;) {
      const x = ka[i]!;
      if (x === -1 || (x === a && kb[i] === b)) return i;
      i = (i + 1) & mask;
    }
  };
  const grow = () => {
    const oa = ka;
    const ob = kb;
    const ov = val;
    cap *= 2;
    ka = new Int32Array(cap).fill(-1);
    kb = new Int32Array(cap);
    val = new Float32Array(cap);
    for (let i = 0; i < oa.length; i++) {
      if (oa[i] === -1) continue;
      const j = slot(oa[i]!, ob[i]!, cap - 1);
      ka[j] = oa[i]!;
      kb[j] = ob[i]!;
      val[j] = ov[i]!;
    }
  };
  return {
    get size() {
      return size;
    },
    add(a, b, minutes) {
      let i = slot(a, b, cap - 1);
      if (ka[i] === -1) {
        if ((size + 1) * 2 > cap) {
          grow();
          i = slot(a, b, cap - 1);
        }
        ka[i] = a;
        kb[i] = b;
        val[i] = 0;
        size++;
      }
      val[i]! += minutes;
    },
    get(a, b) {
      const i = slot(a, b, cap - 1);
      return ka[i] === -1 ? 0 : val[i]!;
    },
    forEach(fn) {
      for (let i = 0; i < cap; i++) if (ka[i] !== -1) fn(ka[i]!, kb[i]!, val[i]!);
    },
    clear() {
      ka.fill(-1);
      size = 0;
    },
  };
}
