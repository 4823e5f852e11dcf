import type { LaidShard, ShardMap } from '../lib/hashkeys';
import { keyPercent } from '../lib/hashkeys';

const W = 1000;
const ROW = 26;
const GAP = 14;
const MAX_ROWS = 10;

/**
 * The hash-key space left to right, one row per generation (oldest at the top), open shards blue,
 * closed ones grey, a line from each parent to its children. Only the newest ten generations are
 * drawn; the shard table below lists them all.
 */
export function HashKeyMap({ map, selected, onSelect }: { map: ShardMap; selected?: string; onSelect: (id: string) => void }) {
  const firstGen = Math.max(0, map.generations - MAX_ROWS);
  const rows = map.generations - firstGen;
  const shown = map.shards.filter((s) => s.generation >= firstGen);
  const y = (s: LaidShard) => (s.generation - firstGen) * (ROW + GAP) + 4;
  const lines = shown.length <= 2000;
  const h = rows * (ROW + GAP) + 4;
  return (
    <svg class="hashmap" viewBox={`0 0 ${W} ${h}`} preserveAspectRatio="none" style={{ height: `${Math.min(420, h)}px` }} role="img" aria-label={`Hash-key map: ${map.openCount} open shards, ${map.shards.length - map.openCount} closed, ${map.generations} generations`} data-generations={map.generations}>
      {lines &&
        shown.flatMap((s) =>
          s.children
            .map((c) => map.byId.get(c)!)
            .map((c) => (
              <line key={s.id + c.id} x1={((s.x0 + s.x1) / 2) * W} y1={y(s) + ROW} x2={((c.x0 + c.x1) / 2) * W} y2={y(c)} />
            )),
        )}
      {shown.map((s) => (
        <rect
          key={s.id}
          data-shard={s.id}
          class={(s.open ? 'open' : 'closed') + (s.id === selected ? ' selected' : '')}
          x={s.x0 * W}
          y={y(s)}
          width={Math.max(0.5, (s.x1 - s.x0) * W)}
          height={ROW}
          onClick={() => onSelect(s.id)}
        >
          <title>
            {s.id} ({s.open ? 'open' : 'closed'}) {keyPercent(s.start)}–{keyPercent(s.end)}
          </title>
        </rect>
      ))}
    </svg>
  );
}
