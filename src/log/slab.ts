/**
 * Regions of a few large ArrayBuffers (slabs), for the memory log's tables: a log that grows moves to a
 * new region of a slab instead of a new ArrayBuffer (on Node 20 each `new ArrayBuffer` of ≈ 20 KB costs
 * 10–40 µs in backing-store creation and external-memory accounting, and a simulated phone's log grows
 * ≈ 20–25 times in its first day).
 *
 * The allocator is a two-level segregated fit with immediate coalescing (TLSF: M. Masmano et al., "TLSF:
 * a new dynamic memory allocator for real-time systems", ECRTS 2004): free blocks are kept in bins by
 * size (16 bins per power of two), found through a bitmap, and merged with free neighbours as soon as
 * they are freed, so the space a log leaves when it grows is reused by the next log that needs as much,
 * or, once its neighbours are freed too, by larger ones. (Free lists by exact size class without merging
 * would not do here: the simulator's logs grow in lockstep, so a class's freed regions would wait for a
 * log that is still that small.) Regions are never moved, so a region's owner holds plain typed-array
 * views on it.
 *
 * Sizes and offsets are multiples of 8 bytes (a Float64Array may start at any region). Slabs start at
 * 16 KiB and grow geometrically with what is reserved (about half of it, a power of two, at most 4 MiB),
 * so one log alone reserves tens of KB and thousands reserve few slabs; a request larger than that
 * gets a slab of its own. A slab whose regions are all free is released (dropped for the garbage
 * collector).
 */

/** A byte range `[offset, offset + size)` of `buffer`, both multiples of 8. */
export interface Region {
  readonly buffer: ArrayBuffer;
  readonly offset: number;
  readonly size: number;
}

/** Where regions come from. */
export interface RegionAllocator {
  /**
   * A region of at least `bytes` bytes (rounded up to a multiple of 8), overlapping no other live
   * region; its content is unspecified (a reused region keeps what it held).
   */
  allocate(bytes: number): Region;
  /** Returns `region` (from this allocator's `allocate`); it must not be used afterwards. */
  free(region: Region): void;
}

/** Reserved and used bytes of a {@link SlabAllocator}. */
export interface SlabStats {
  /** Slabs held. */
  slabs: number;
  /** Bytes of the slabs held. */
  reserved: number;
  /** Bytes of the live regions (the rest of `reserved` is free). */
  used: number;
  /** Live regions. */
  regions: number;
}

const GRANULE = 8;
/** Bins per power of two (log2). */
const SUB_BITS = 4;
const SUBS = 1 << SUB_BITS;
/** Bins: sizes in granules below {@link SUBS} one each, then {@link SUBS} per power of two up to 2^32 bytes. */
const BINS = (32 - 3 - SUB_BITS + 1) * SUBS + SUBS;
const WORDS = Math.ceil(BINS / 32);
/** Smallest slab (bytes). */
export const MIN_SLAB = 16 * 1024;
/** Largest slab made for small requests (bytes); a request this large gets a slab of its own. */
export const MAX_SLAB = 1024 * 1024;
/** A slab has room for at least this many regions of the request that creates it, when what is reserved allows. */
const REGIONS_PER_SLAB = 16;

/** The empty region every zero-byte request gets (belongs to no slab). */
const EMPTY: Region = Object.freeze({ buffer: new ArrayBuffer(0), offset: 0, size: 0 });

class Slab {
  /** Bytes of live regions. */
  used = 0;
  /** The block at offset 0 (never merged away: a merge keeps the lower block). */
  first: Block | null = null;
  constructor(
    readonly buffer: ArrayBuffer,
    readonly size: number,
  ) {}
}

/** A block of a slab: a live region or a free block. */
class Block implements Region {
  readonly buffer: ArrayBuffer;
  free = true;
  /** Physical neighbours in the slab. */
  prev: Block | null = null;
  next: Block | null = null;
  /** Neighbours in the free list of bin {@link bin} while free and binned. */
  prevFree: Block | null = null;
  nextFree: Block | null = null;
  bin = -1;
  constructor(
    readonly slab: Slab,
    public offset: number,
    public size: number,
  ) {
    this.buffer = slab.buffer;
  }
}

/** Bin of a block of `u` granules. */
function binOf(u: number): number {
  if (u < SUBS) return u;
  const fl = 31 - Math.clz32(u);
  return ((fl - SUB_BITS + 1) << SUB_BITS) | ((u >>> (fl - SUB_BITS)) & (SUBS - 1));
}

/** Smallest size in granules of bin `b`. */
function binFloor(b: number): number {
  if (b < SUBS) return b;
  const fl = (b >>> SUB_BITS) + SUB_BITS - 1;
  return (SUBS | (b & (SUBS - 1))) * 2 ** (fl - SUB_BITS);
}

/** Regions carved from shared slabs (see the file header). Not thread-safe: one per thread. */
export class SlabAllocator implements RegionAllocator {
  private readonly heads: (Block | null)[] = new Array(BINS).fill(null);
  private readonly bitmap = new Uint32Array(WORDS);
  private readonly slabs = new Set<Slab>();
  private reservedBytes = 0;
  private usedBytes = 0;
  private liveRegions = 0;

  allocate(bytes: number): Region {
    if (!(bytes >= 0) || !Number.isSafeInteger(bytes)) throw new RangeError(`bad region size ${bytes}`);
    if (bytes === 0) return EMPTY;
    const size = Math.ceil(bytes / GRANULE) * GRANULE;
    const block = this.fit(size / GRANULE) ?? this.newSlab(size);
    this.unlink(block);
    const rest = block.size - size;
    if (rest > 0) {
      const tail = new Block(block.slab, block.offset + size, rest);
      tail.prev = block;
      tail.next = block.next;
      if (block.next) block.next.prev = tail;
      block.next = tail;
      block.size = size;
      this.insert(tail);
    }
    block.free = false;
    block.slab.used += size;
    this.usedBytes += size;
    this.liveRegions++;
    return block;
  }

  free(region: Region): void {
    if (region.size === 0) return;
    if (!(region instanceof Block) || region.free || !this.slabs.has(region.slab))
      throw new Error("region freed twice or not from this allocator");
    let b: Block = region;
    const slab = b.slab;
    b.free = true;
    slab.used -= b.size;
    this.usedBytes -= b.size;
    this.liveRegions--;
    const prev = b.prev;
    if (prev?.free) {
      this.unlink(prev);
      absorb(prev, b);
      b = prev;
    }
    const next = b.next;
    if (next?.free) {
      this.unlink(next);
      absorb(b, next);
    }
    if (slab.used === 0) {
      // The whole slab is free (one block): released.
      this.slabs.delete(slab);
      this.reservedBytes -= slab.size;
      return;
    }
    this.insert(b);
  }

  /** Slabs, reserved and used bytes. */
  stats(): SlabStats {
    return {
      slabs: this.slabs.size,
      reserved: this.reservedBytes,
      used: this.usedBytes,
      regions: this.liveRegions,
    };
  }

  /**
   * Checks the allocator's structure (for tests): every slab is covered by contiguous blocks, no two
   * free blocks are neighbours, every free block is in its bin's list and the bitmap says which bins
   * have blocks, and the byte counts add up.
   * @throws Error describing the first inconsistency
   */
  verify(): void {
    const fail = (why: string) => {
      throw new Error(`slab allocator: ${why}`);
    };
    let binned = 0;
    for (let b = 0; b < BINS; b++) {
      const set = (this.bitmap[b >>> 5]! >>> (b & 31)) & 1;
      if (set !== (this.heads[b] ? 1 : 0)) fail(`bitmap bit ${b} is ${set}`);
      let prev: Block | null = null;
      for (let x = this.heads[b] ?? null; x; x = x.nextFree) {
        if (!x.free || x.bin !== b || binOf(x.size / GRANULE) !== b) fail(`block in wrong bin ${b}`);
        if (x.prevFree !== prev) fail("free list links");
        if (!this.slabs.has(x.slab)) fail("free block of a released slab");
        prev = x;
        binned++;
      }
    }
    let reserved = 0;
    let used = 0;
    let regions = 0;
    let free = 0;
    for (const slab of this.slabs) {
      reserved += slab.size;
      let slabUsed = 0;
      let at = 0;
      let prev: Block | null = null;
      for (let x = slab.first; x; x = x.next) {
        if (x.prev !== prev) fail("physical links");
        if (x.slab !== slab || x.offset !== at || x.size <= 0 || x.size % GRANULE) fail("block bounds");
        if (x.free && prev?.free) fail("two neighbouring free blocks");
        if (x.free) free++;
        else {
          slabUsed += x.size;
          regions++;
        }
        at += x.size;
        prev = x;
      }
      if (at !== slab.size) fail(`blocks cover ${at} of ${slab.size} bytes`);
      if (slabUsed !== slab.used) fail("slab used bytes");
      used += slabUsed;
    }
    if (free !== binned) fail(`${free} free blocks, ${binned} binned`);
    if (reserved !== this.reservedBytes || used !== this.usedBytes || regions !== this.liveRegions)
      fail("totals");
  }

  /** A free block of at least `u` granules (best of the first few in its bin, else any of a larger bin). */
  private fit(u: number): Block | null {
    const b = binOf(u);
    let best: Block | null = null;
    let seen = 0;
    for (let x = this.heads[b] ?? null; x && seen < 8; x = x.nextFree, seen++) {
      if (x.size >= u * GRANULE && (!best || x.size < best.size)) best = x;
    }
    if (best) return best;
    const from = binFloor(b) === u ? b : b + 1;
    const found = this.firstBinFrom(from);
    return found < 0 ? null : this.heads[found]!;
  }

  /** The first non-empty bin ≥ `b`, or -1. */
  private firstBinFrom(b: number): number {
    if (b >= BINS) return -1;
    let w = b >>> 5;
    let bits = this.bitmap[w]! & (-1 << (b & 31));
    while (bits === 0) {
      if (++w === WORDS) return -1;
      bits = this.bitmap[w]!;
    }
    return (w << 5) + 31 - Math.clz32(bits & -bits);
  }

  /**
   * A new slab for a request of `size` bytes; returns its (binned) free block. A request of
   * {@link MAX_SLAB} or more gets a slab of its own size (as large as an ArrayBuffer per region would
   * be); otherwise the slab is half of what is reserved (so slabs grow geometrically from
   * {@link MIN_SLAB}: one log alone reserves two to four times its tables), at least room for two such
   * requests, at most {@link MAX_SLAB} or room for {@link REGIONS_PER_SLAB} of them (so the space left
   * at a slab's end stays a small part of it), in multiples of {@link MIN_SLAB}.
   */
  private newSlab(size: number): Block {
    const want = Math.min(
      Math.max(this.reservedBytes / 2, 2 * size),
      Math.max(MAX_SLAB, REGIONS_PER_SLAB * size),
    );
    const bytes = size >= MAX_SLAB ? size : Math.ceil(Math.max(MIN_SLAB, want) / MIN_SLAB) * MIN_SLAB;
    const slab = new Slab(new ArrayBuffer(bytes), bytes);
    this.slabs.add(slab);
    this.reservedBytes += bytes;
    const block = new Block(slab, 0, bytes);
    slab.first = block;
    this.insert(block);
    return block;
  }

  private insert(x: Block): void {
    const b = binOf(x.size / GRANULE);
    const head = this.heads[b] ?? null;
    x.bin = b;
    x.prevFree = null;
    x.nextFree = head;
    if (head) head.prevFree = x;
    this.heads[b] = x;
    this.bitmap[b >>> 5]! |= 1 << (b & 31);
  }

  private unlink(x: Block): void {
    const b = x.bin;
    if (x.prevFree) x.prevFree.nextFree = x.nextFree;
    else {
      this.heads[b] = x.nextFree;
      if (!x.nextFree) this.bitmap[b >>> 5]! &= ~(1 << (b & 31));
    }
    if (x.nextFree) x.nextFree.prevFree = x.prevFree;
    x.prevFree = null;
    x.nextFree = null;
    x.bin = -1;
  }
}

/** The allocator of this thread's memory logs (module state: one per thread). */
let logRegions: RegionAllocator = new SlabAllocator();

/** The allocator new memory logs take their regions from (a log keeps the one it started with). */
export function logAllocator(): RegionAllocator {
  return logRegions;
}

/**
 * Makes `allocator` the one new memory logs take their regions from and returns the previous one: for
 * the log benchmark, which measures the previous design (a new ArrayBuffer per region) in the same run.
 */
export function useLogAllocator(allocator: RegionAllocator): RegionAllocator {
  const previous = logRegions;
  logRegions = allocator;
  return previous;
}

/** Merges block `right` into its left neighbour `left` (neither in a free list). */
function absorb(left: Block, right: Block): void {
  left.size += right.size;
  left.next = right.next;
  if (right.next) right.next.prev = left;
}
