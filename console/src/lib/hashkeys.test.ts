import { describe, expect, it } from 'vitest';
import { adjacentPair, fraction, keyPercent, layoutShards, MAX_HASH_KEY, mergeCandidates, midpoint, rangeLabel, shardForKey, type ShardLike } from './hashkeys';

const M = MAX_HASH_KEY;
const half = midpoint(0n, M);
const shard = (id: string, start: bigint, end: bigint, closed = false, parent?: string, adj?: string): ShardLike => ({
  ShardId: id,
  ParentShardId: parent,
  AdjacentParentShardId: adj,
  HashKeyRange: { StartingHashKey: start.toString(), EndingHashKey: end.toString() },
  SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: closed ? '2' : undefined },
});

describe('hash keys', () => {
  it('maps keys to fractions and halves ranges', () => {
    expect(fraction(0n)).toBe(0);
    expect(fraction(M)).toBe(1);
    expect(fraction(half)).toBeCloseTo(0.5, 12);
    expect(half).toBe(1n << 127n);
    expect(midpoint(0n, 3n)).toBe(2n);
    expect(keyPercent(half)).toBe('50.0%');
  });
});

describe('layoutShards', () => {
  it('places a split: one closed parent over two open children', () => {
    const map = layoutShards([shard('s0', 0n, M, true), shard('s1', 0n, half - 1n, false, 's0'), shard('s2', half, M, false, 's0')]);
    expect(map.generations).toBe(2);
    expect(map.openCount).toBe(2);
    expect(map.covered).toBe(true);
    expect(map.byId.get('s0')!.children).toEqual(['s1', 's2']);
    expect(map.byId.get('s2')!.generation).toBe(1);
    expect(map.byId.get('s2')!.x0).toBeCloseTo(0.5, 12);
    expect(map.shards.map((s) => s.id)).toEqual(['s0', 's1', 's2']);
  });
  it('places a merge below the deeper of its two parents, in any input order', () => {
    const map = layoutShards([
      shard('s3', 0n, M, false, 's1', 's2'),
      shard('s2', half, M, true, 's0'),
      shard('s1', 0n, half - 1n, true, 's0'),
      shard('s0', 0n, M, true),
    ]);
    expect(map.byId.get('s3')!.generation).toBe(2);
    expect(map.byId.get('s3')!.parents).toEqual(['s1', 's2']);
    expect(map.byId.get('s1')!.children).toEqual(['s3']);
    expect(map.covered).toBe(true);
  });
  it('treats shards whose parents expired as generation 0, and finds gaps', () => {
    const map = layoutShards([shard('s5', 0n, half - 1n, false, 'gone'), shard('s6', half + 10n, M)]);
    expect(map.byId.get('s5')!.generation).toBe(0);
    expect(map.covered).toBe(false);
  });
  it('lays out 10,000 shards of a deep lineage quickly', () => {
    const shards: ShardLike[] = [];
    const step = M / 5000n;
    for (let i = 0; i < 5000; i++) shards.push(shard(`p${i}`, BigInt(i) * step, i === 4999 ? M : BigInt(i + 1) * step - 1n, true, i ? `p${i - 1}` : undefined));
    for (let i = 0; i < 5000; i++) shards.push(shard(`c${i}`, BigInt(i) * step, i === 4999 ? M : BigInt(i + 1) * step - 1n, false, `p${i}`));
    const t0 = Date.now();
    const map = layoutShards(shards);
    expect(map.shards.length).toBe(10_000);
    expect(map.generations).toBe(5001);
    expect(map.covered).toBe(true);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
  it('rejects a lineage cycle instead of looping', () => {
    expect(() => layoutShards([shard('a', 0n, M, true, 'b'), shard('b', 0n, M, true, 'a')])).toThrow(/cycle/);
  });
});

describe('merge and routing', () => {
  const map = layoutShards([shard('a', 0n, 99n), shard('b', 100n, 199n), shard('c', 200n, M), shard('old', 0n, M, true)]);
  it('finds adjacent open shards only', () => {
    expect(mergeCandidates(map, 'b').map((s) => s.id).sort()).toEqual(['a', 'c']);
    expect(mergeCandidates(map, 'a').map((s) => s.id)).toEqual(['b']);
    const [x, y] = adjacentPair(map.byId.get('b')!, map.byId.get('a')!)!;
    expect([x.id, y.id]).toEqual(['a', 'b']);
    expect(adjacentPair(map.byId.get('a')!, map.byId.get('c')!)).toBeNull();
  });
  it('routes an explicit hash key to the open shard holding it', () => {
    expect(shardForKey(map, 150n)!.id).toBe('b');
    expect(shardForKey(map, M)!.id).toBe('c');
  });
});

describe('rangeLabel', () => {
  it('uses one decimal for wide ranges and more for narrow ones', () => {
    expect(rangeLabel(0n, half - 1n)).toBe('0.0% – 50.0%');
    const step = M / 10_000n;
    expect(rangeLabel(9990n * step, 9991n * step - 1n)).toBe('99.900% – 99.910%');
  });
});
