// The hash-key space of a Kinesis stream (0 … 2^128-1) and how its shards tile it over time.

export const MAX_HASH_KEY = (1n << 128n) - 1n;

export interface ShardLike {
  ShardId?: string;
  ParentShardId?: string;
  AdjacentParentShardId?: string;
  HashKeyRange?: { StartingHashKey?: string; EndingHashKey?: string };
  SequenceNumberRange?: { StartingSequenceNumber?: string; EndingSequenceNumber?: string };
}

export interface LaidShard {
  id: string;
  start: bigint;
  end: bigint;
  /** Left and right edge as fractions of the whole key space, for drawing. */
  x0: number;
  x1: number;
  /** Open shards have no ending sequence number and take writes. */
  open: boolean;
  /** 0 for shards whose parents are gone (or never were), else one more than the deepest parent. */
  generation: number;
  parents: string[];
  children: string[];
}

export interface ShardMap {
  shards: LaidShard[];
  byId: Map<string, LaidShard>;
  generations: number;
  openCount: number;
  /** True when the open shards cover 0 … 2^128-1 with no gap or overlap. */
  covered: boolean;
}

/** A hash key's place in the key space, 0 … 1. */
export function fraction(key: bigint): number {
  // Keep 53 bits of precision: shift down so the number fits a double exactly enough.
  return Number(key >> 75n) / Number(MAX_HASH_KEY >> 75n);
}

/** The key halfway through a range: the default new starting hash key of a split. */
export function midpoint(start: bigint, end: bigint): bigint {
  return (start + end + 1n) / 2n;
}

/** Lays out shards by hash-key range and generation, with each one's parents and children. */
export function layoutShards(input: ShardLike[]): ShardMap {
  const byId = new Map<string, LaidShard>();
  for (const s of input) {
    const id = s.ShardId ?? '';
    const start = BigInt(s.HashKeyRange?.StartingHashKey ?? '0');
    const end = BigInt(s.HashKeyRange?.EndingHashKey ?? '0');
    const parents = [s.ParentShardId, s.AdjacentParentShardId].filter((p): p is string => !!p);
    byId.set(id, {
      id,
      start,
      end,
      x0: fraction(start),
      x1: fraction(end),
      open: !s.SequenceNumberRange?.EndingSequenceNumber,
      generation: -1,
      parents,
      children: [],
    });
  }
  for (const s of byId.values()) for (const p of s.parents) byId.get(p)?.children.push(s.id);
  // Generations without recursion: a chain of reshards can be long.
  const gen = (s: LaidShard): number => {
    const stack: LaidShard[] = [s];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const pending = top.parents.map((p) => byId.get(p)).filter((p): p is LaidShard => !!p && p.generation < 0);
      if (pending.length) {
        if (pending.some((p) => stack.includes(p))) throw new Error('shard lineage has a cycle at ' + top.id);
        stack.push(...pending);
        continue;
      }
      const parentGens = top.parents.map((p) => byId.get(p)?.generation ?? -1);
      top.generation = parentGens.length ? Math.max(...parentGens) + 1 : 0;
      stack.pop();
    }
    return s.generation;
  };
  let generations = 0;
  for (const s of byId.values()) generations = Math.max(generations, gen(s) + 1);
  const shards = [...byId.values()].sort((a, b) => a.generation - b.generation || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const open = shards.filter((s) => s.open).sort((a, b) => (a.start < b.start ? -1 : 1));
  let covered = open.length > 0 && open[0].start === 0n && open[open.length - 1].end === MAX_HASH_KEY;
  for (let i = 1; covered && i < open.length; i++) covered = open[i].start === open[i - 1].end + 1n;
  return { shards, byId, generations, openCount: open.length, covered };
}

/** Whether two open shards can be merged: their ranges touch. Returns them in key order, or null. */
export function adjacentPair(a: LaidShard, b: LaidShard): [LaidShard, LaidShard] | null {
  if (!a.open || !b.open) return null;
  if (a.end + 1n === b.start) return [a, b];
  if (b.end + 1n === a.start) return [b, a];
  return null;
}

/** The open shards a given shard can merge with. */
export function mergeCandidates(map: ShardMap, id: string): LaidShard[] {
  const s = map.byId.get(id);
  if (!s) return [];
  return map.shards.filter((o) => o.id !== id && adjacentPair(s, o));
}

/** The open shard whose range holds `key` (PutRecord with an ExplicitHashKey lands there). */
export function shardForKey(map: ShardMap, key: bigint): LaidShard | undefined {
  return map.shards.find((s) => s.open && s.start <= key && key <= s.end);
}

/** A short form of a 128-bit key for labels: its share of the key space in percent. */
export function keyPercent(key: bigint): string {
  return (fraction(key) * 100).toFixed(1) + '%';
}

/** A range as percentages of the key space, with enough decimals that a narrow range does not read as "99.9% – 99.9%". */
export function rangeLabel(start: bigint, end: bigint): string {
  const width = fraction(end) - fraction(start);
  const digits = Math.min(8, Math.max(1, Math.round(-Math.log10(Math.max(width * 100, 1e-12))) + 1));
  const pct = (k: bigint) => (fraction(k) * 100).toFixed(digits) + '%';
  return `${pct(start)} – ${pct(end)}`;
}
