import { describe, expect, it } from 'vitest';
import { collect, deliveryStreamsNext, listShardsInput, listStreamsInput, listStreamsNext, type Pager } from './paging';

// A fake list API over `n` items that hands out `size` at a time with opaque tokens.
function fakeApi(n: number, size: number): { pager: Pager<number>; calls: (string | undefined)[] } {
  const calls: (string | undefined)[] = [];
  const pager: Pager<number> = async (cursor) => {
    calls.push(cursor);
    const start = cursor ? Number(cursor.slice(1)) : 0;
    const items = Array.from({ length: Math.min(size, n - start) }, (_, i) => start + i);
    return { items, next: start + size < n ? 't' + (start + size) : undefined };
  };
  return { pager, calls };
}

describe('collect', () => {
  it('walks every page in order', async () => {
    const { pager, calls } = fakeApi(10_000, 1000);
    const seen: number[] = [];
    const all = await collect(pager, { onPage: (a) => seen.push(a.length) });
    expect(all.length).toBe(10_000);
    expect(all[9999]).toBe(9999);
    expect(calls.length).toBe(10);
    expect(calls[0]).toBeUndefined();
    expect(calls[1]).toBe('t1000');
    expect(seen).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000]);
  });
  it('stops at maxPages and when the server repeats a cursor', async () => {
    const { pager } = fakeApi(10_000, 100);
    expect((await collect(pager, { maxPages: 3 })).length).toBe(300);
    let n = 0;
    const stuck: Pager<number> = async () => ({ items: [n++], next: 'same' });
    expect(await collect(stuck)).toEqual([0, 1]);
  });
  it('stops when aborted', async () => {
    const { pager, calls } = fakeApi(1000, 10);
    const ac = new AbortController();
    await collect(pager, { onPage: (a) => a.length >= 30 && ac.abort(), signal: ac.signal });
    expect(calls.length).toBe(3);
  });
  it('handles an empty list', async () => {
    expect(await collect(fakeApi(0, 10).pager)).toEqual([]);
  });
});

describe('API cursors', () => {
  it('ListShards names the stream only on the first page', () => {
    expect(listShardsInput('s', undefined)).toEqual({ StreamName: 's', MaxResults: 1000 });
    expect(listShardsInput('s', 'tok')).toEqual({ NextToken: 'tok', MaxResults: 1000 });
  });
  it('ListStreams prefers NextToken and falls back to ExclusiveStartStreamName', () => {
    expect(listStreamsNext({ HasMoreStreams: false, NextToken: 'x' })).toBeUndefined();
    const a = listStreamsNext({ HasMoreStreams: true, NextToken: 'x', StreamNames: ['a'] });
    expect(listStreamsInput(a)).toEqual({ NextToken: 'x', Limit: 100 });
    const b = listStreamsNext({ HasMoreStreams: true, StreamNames: ['a', 'b'] });
    expect(listStreamsInput(b)).toEqual({ ExclusiveStartStreamName: 'b', Limit: 100 });
    expect(listStreamsInput(undefined, 5)).toEqual({ Limit: 5 });
  });
  it('ListDeliveryStreams pages by the last name', () => {
    expect(deliveryStreamsNext({ DeliveryStreamNames: ['a', 'b'], HasMoreDeliveryStreams: true })).toBe('b');
    expect(deliveryStreamsNext({ DeliveryStreamNames: ['a', 'b'], HasMoreDeliveryStreams: false })).toBeUndefined();
    expect(deliveryStreamsNext({ DeliveryStreamNames: [], HasMoreDeliveryStreams: true })).toBeUndefined();
  });
});
