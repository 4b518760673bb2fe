/** A deterministic random-bytes source for tests (a 32-bit LCG; not for anything but tests). */
export function seededBytes(seed: number): (n: number) => Uint8Array {
  let s = seed >>> 0;
  return (n) =>
    new Uint8Array(n).map(() => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s >>> 24;
    });
}
