import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { human } from '../lib/chartdata';

interface Props {
  title: string;
  data: uPlot.AlignedData;
  series: { label: string; color: string }[];
  bytes?: boolean;
  height?: number;
}

/** A time-series chart (uPlot). Keeps one plot and feeds it new data instead of rebuilding it. */
// The y axis as wide as its longest label ("97.7 KiB"), which a fixed width cut off.
function axisWidth(_u: unknown, values: string[] | null): number {
  const longest = Math.max(0, ...(values ?? []).map((v) => String(v).length));
  return Math.max(40, longest * 7 + 18);
}

export function Chart({ title, data, series, bytes, height = 180 }: Props) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => s.label).join('|');
  useEffect(() => {
    const box = el.current;
    if (!box) return;
    const opts: uPlot.Options = {
      width: Math.max(300, box.clientWidth || 480),
      height,
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, fill: s.color + '22', spanGaps: false }))],
      axes: [{}, { values: (_u, vals) => vals.map((v) => human(v, bytes)), size: axisWidth }],
      scales: { x: { time: true } },
      legend: { show: true },
    };
    plot.current = new uPlot(opts, data, box);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(300, box.clientWidth), height }));
    ro.observe(box);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, height, bytes]);
  useEffect(() => plot.current?.setData(data), [data]);
  const total = data.slice(1).reduce((a, col) => a + (col as (number | null)[]).reduce<number>((x, v) => x + (v ?? 0), 0), 0);
  return (
    <figure class="chart" data-total={total}>
      <figcaption>{title}</figcaption>
      <div ref={el} role="img" aria-label={`${title} chart`} />
    </figure>
  );
}
