import { describe, expect, it } from 'vitest';
import { align, choosePeriod, human, perSecond, sparkline, window } from './chartdata';

describe('chart data', () => {
  it('chooses the smallest period under the point budget', () => {
    expect(choosePeriod(15 * 60)).toBe(60);
    expect(choosePeriod(3 * 3600)).toBe(60);
    expect(choosePeriod(24 * 3600)).toBe(900);
    expect(choosePeriod(7 * 86400)).toBe(3600);
    expect(choosePeriod(10_000 * 86400)).toBe(86400);
  });
  it('aligns the window to the period', () => {
    expect(window(125_000, 120, 60)).toEqual({ start: 60, end: 180 });
    expect(window(120_000, 120, 60)).toEqual({ start: 60, end: 180 });
  });
  it('puts datapoints in their slots, in the order asked, with gaps', () => {
    const results = [
      { Id: 'b', Timestamps: [new Date(120_000)], Values: [7] },
      { Id: 'a', Timestamps: [new Date(180_000), new Date(60_000), new Date(999_000)], Values: [3, 1, 100] },
    ];
    const [xs, a, b, c] = align(results, ['a', 'b', 'c'], 60, 240, 60, (id) => (id === 'c' ? null : 0));
    expect(xs).toEqual([60, 120, 180]);
    expect(a).toEqual([1, 0, 3]);
    expect(b).toEqual([0, 7, 0]);
    expect(c).toEqual([null, null, null]);
  });
  it('adds datapoints that fall in the same slot (a finer period from the server)', () => {
    const r = [{ Id: 'a', Timestamps: [new Date(60_000), new Date(90_000)], Values: [1, 2] }];
    expect(align(r, ['a'], 60, 120, 60)[1]).toEqual([3]);
  });
  it('turns sums into rates', () => {
    expect(perSecond([60, null, 0], 60)).toEqual([1, null, 0]);
  });
  it('draws sparklines with the max at the top', () => {
    expect(sparkline([0, 5, 10], 100, 20)).toBe('0,20 50,10 100,0');
    expect(sparkline([0, 0], 10, 20)).toBe('0,20 10,20');
    expect(sparkline([], 10, 20)).toBe('');
  });
  it('formats numbers for people', () => {
    expect(human(950)).toBe('950');
    expect(human(1500)).toBe('1.5 k');
    expect(human(2048, true)).toBe('2.0 KiB');
    expect(human(null)).toBe('–');
    expect(human(-1500)).toBe('-1.5 k');
  });
});
