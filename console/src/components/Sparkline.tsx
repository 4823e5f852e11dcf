import { sparkline } from '../lib/chartdata';

export function Sparkline({ values, label }: { values: (number | null)[] | undefined; label: string }) {
  const w = 90;
  const h = 20;
  if (!values) return <span class="muted">…</span>;
  const total = values.reduce<number>((a, v) => a + (v ?? 0), 0);
  return (
    <svg class="spark" width={w} height={h} role="img" aria-label={`${label}: ${total} in the last hour`}>
      <polyline points={sparkline(values, w, h - 2)} fill="none" stroke="currentColor" stroke-width="1.2" />
    </svg>
  );
}
