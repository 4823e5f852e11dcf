import { describe, expect, it } from 'vitest';
import { href, parseHash } from './router';

describe('hash routes', () => {
  it('parses parts and query, decoding names', () => {
    const r = parseHash('#/streams/my%20stream/records?shard=shardId-000000000001');
    expect(r.parts).toEqual(['streams', 'my stream', 'records']);
    expect(r.query.get('shard')).toBe('shardId-000000000001');
    expect(parseHash('').parts).toEqual([]);
    expect(parseHash('#/').parts).toEqual([]);
  });
  it('builds links that parse back', () => {
    const h = href('streams', 'a/b c', 'produce');
    expect(h).toBe('#/streams/a%2Fb%20c/produce');
    expect(parseHash(h).parts).toEqual(['streams', 'a/b c', 'produce']);
  });
});
