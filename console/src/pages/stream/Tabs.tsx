import { href } from '../../router';

/** The tabs of one stream's pages. */
export function StreamTabs({ name, current }: { name: string; current: 'overview' | 'records' | 'produce' }) {
  const tabs = [
    ['overview', 'Overview', href('streams', name)],
    ['records', 'Records', href('streams', name, 'records')],
    ['produce', 'Produce', href('streams', name, 'produce')],
  ] as const;
  return (
    <nav class="tabs" aria-label="Stream pages">
      {tabs.map(([id, label, to]) => (
        <a key={id} href={to} aria-current={current === id ? 'page' : undefined}>
          {label}
        </a>
      ))}
    </nav>
  );
}
