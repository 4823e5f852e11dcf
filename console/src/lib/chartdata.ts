// Shaping CloudWatch GetMetricData answers into the column arrays uPlot draws.

export interface MetricResult {
  Id?: string;
  Timestamps?: Date[];
  Values?: number[];
}

/** The periods CloudWatch keeps for Kinesis metrics (seconds), smallest first. */
export const PERIODS = [60, 300, 900, 3600, 21600, 86400];

/** The smallest standard period that keeps a range under `maxPoints` points. */
export function choosePeriod(rangeSeconds: number, maxPoints = 240): number {
  return PERIODS.find((p) => rangeSeconds / p <= maxPoints) ?? PERIODS[PERIODS.length - 1];
}

/** The [start, end) window for "the last `rangeSeconds`", aligned to the period so points do not jitter between refreshes. */
export function window(nowMs: number, rangeSeconds: number, period: number): { start: number; end: number } {
  const end = (Math.floor(nowMs / 1000 / period) + 1) * period;
  return { start: end - Math.ceil(rangeSeconds / period) * period, end };
}

/**
 * One x column (epoch seconds, one per period from start to end) and one y column per result,
 * in the order of `ids`. A period with no datapoint is `gap` there: 0 for sums (nothing happened),
 * null for averages and maxima (nothing was measured). Datapoints outside the window are dropped.
 */
export function align(
  results: MetricResult[],
  ids: string[],
  start: number,
  end: number,
  period: number,
  gap: (id: string) => number | null = () => 0,
): [number[], ...(number | null)[][]] {
  const xs: number[] = [];
  for (let t = start; t < end; t += period) xs.push(t);
  const cols = ids.map((id) => {
    const col: (number | null)[] = xs.map(() => gap(id));
    const r = results.find((x) => x.Id === id);
    r?.Timestamps?.forEach((ts, i) => {
      const t = Math.floor(ts.getTime() / 1000);
      const slot = Math.floor((t - start) / period);
      if (slot >= 0 && slot < xs.length) col[slot] = (col[slot] ?? 0) + (r.Values?.[i] ?? 0);
    });
    return col;
  });
  return [xs, ...cols];
}

/** Sums per period as per-second rates, which stay comparable when the period changes. */
export function perSecond(col: (number | null)[], period: number): (number | null)[] {
  return col.map((v) => (v == null ? null : v / period));
}

/** An SVG polyline `points` attribute for a sparkline of `values` in a w×h box (min at the bottom). */
export function sparkline(values: (number | null)[], w: number, h: number): string {
  const vs = values.map((v) => v ?? 0);
  if (vs.length === 0) return '';
  const max = Math.max(...vs, 0);
  const dx = vs.length > 1 ? w / (vs.length - 1) : 0;
  return vs.map((v, i) => `${round(i * dx)},${round(max > 0 ? h - (v / max) * h : h)}`).join(' ');
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Human units: 1.2 k, 3.4 M; bytes as KiB/MiB/GiB. */
export function human(v: number | null | undefined, bytes = false): string {
  if (v == null || !isFinite(v)) return '–';
  const base = bytes ? 1024 : 1000;
  const units = bytes ? ['B', 'KiB', 'MiB', 'GiB', 'TiB'] : ['', 'k', 'M', 'G', 'T'];
  let i = 0;
  let x = Math.abs(v);
  while (x >= base && i < units.length - 1) {
    x /= base;
    i++;
  }
  const s = (i === 0 && Number.isInteger(x) ? String(x) : x.toFixed(x >= 100 ? 0 : 1)) + (units[i] ? ' ' + units[i] : '');
  return (v < 0 ? '-' : '') + s;
}
