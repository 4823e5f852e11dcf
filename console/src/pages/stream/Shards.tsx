import { MergeShardsCommand, SplitShardCommand, UpdateShardCountCommand } from '@aws-sdk/client-kinesis';
import { useEffect, useState } from 'preact/hooks';
import { kinesis } from '../../aws/kinesis';
import { ErrorText } from '../../components/ErrorText';
import { HashKeyMap } from '../../components/HashKeyMap';
import { useAction } from '../../components/hooks';
import { VirtualList } from '../../components/VirtualList';
import { namesField } from '../../errors';
import { mergeCandidates, midpoint, rangeLabel, type ShardMap } from '../../lib/hashkeys';
import { href } from '../../router';

interface Props {
  name: string;
  map: ShardMap;
  openShards: number;
  onChanged: () => void;
  selected?: string;
  onSelect: (id: string) => void;
}

/** The hash-key map, every shard in a table, and the three ways to reshard. */
export function Shards({ name, map, openShards, onChanged, selected, onSelect }: Props) {
  const sel = selected ? map.byId.get(selected) : undefined;
  return (
    <section class="card" aria-label="Shards">
      <h2>
        Shards <span class="muted small">{map.openCount} open, {map.shards.length - map.openCount} closed, {map.generations} generation(s)
        {map.openCount > 0 && !map.covered && ' — the open shards do not cover the whole key space'}</span>
      </h2>
      <HashKeyMap map={map} selected={selected} onSelect={onSelect} />
      <p class="muted small">Hash keys 0 → 2^128−1 left to right; one row per generation, oldest on top. Click a shard (or use the table) to select it.</p>
      <VirtualList
        label="Shards"
        count={map.shards.length}
        rowHeight={30}
        height={Math.min(300, Math.max(60, map.shards.length * 30))}
        onActivate={(i) => onSelect(map.shards[i].id)}
        header={
          <div class="cols shards-cols">
            <span>Shard</span>
            <span>State</span>
            <span>Gen.</span>
            <span>Hash keys</span>
            <span>Parents → children</span>
            <span />
          </div>
        }
        row={(i) => {
          const s = map.shards[i];
          return (
            <div class="cols shards-cols" data-shard-row={s.id} aria-selected={s.id === selected}>
              <button class="link-like" onClick={() => onSelect(s.id)} tabIndex={-1}>
                {s.id === selected ? '▶ ' : ''}
                {s.id}
              </button>
              <span class={s.open ? 'ok' : 'muted'}>{s.open ? 'open' : 'closed'}</span>
              <span>{s.generation}</span>
              <span title={`${s.start} – ${s.end}`}>
                {rangeLabel(s.start, s.end)}
              </span>
              <span data-lineage>
                {s.parents.join(' + ') || '–'} → {s.children.join(' + ') || '–'}
              </span>
              <a href={href('streams', name, 'records') + `?shard=${encodeURIComponent(s.id)}`} tabIndex={-1}>
                records
              </a>
            </div>
          );
        }}
      />
      <div class="grid2" style={{ marginTop: '1rem' }}>
        <Split name={name} shard={sel} onDone={onChanged} />
        <Merge name={name} map={map} shardId={sel?.id} onDone={onChanged} />
        <ShardCount name={name} current={openShards} onDone={onChanged} />
      </div>
    </section>
  );
}

function Split({ name, shard, onDone }: { name: string; shard?: ShardMap['shards'][number]; onDone: () => void }) {
  const [key, setKey] = useState('');
  useEffect(() => setKey(shard ? midpoint(shard.start, shard.end).toString() : ''), [shard?.id]);
  const act = useAction(async () => {
    await kinesis().send(new SplitShardCommand({ StreamName: name, ShardToSplit: shard!.id, NewStartingHashKey: key.trim() }));
    onDone();
  });
  return (
    <form class="subcard" aria-label="Split shard" onSubmit={(e) => (e.preventDefault(), void act.run())}>
      <h3>Split {shard ? shard.id : 'a shard'}</h3>
      {!shard && <p class="muted small">Select an open shard first.</p>}
      <label>
        New starting hash key (default: the middle of its range)
        <input name="NewStartingHashKey" value={key} onInput={(e) => setKey(e.currentTarget.value)} disabled={!shard} size={42} aria-invalid={namesField(act.error, 'newStartingHashKey')} />
      </label>
      <ErrorText error={act.error} />
      <button type="submit" disabled={!shard || act.busy}>
        Split
      </button>
    </form>
  );
}

function Merge({ name, map, shardId, onDone }: { name: string; map: ShardMap; shardId?: string; onDone: () => void }) {
  const cands = shardId ? mergeCandidates(map, shardId) : [];
  const [other, setOther] = useState('');
  useEffect(() => setOther(cands[0]?.id ?? ''), [shardId, cands.length]);
  const act = useAction(async () => {
    // AWS wants the lower range first: ShardToMerge, then AdjacentShardToMerge.
    const a = map.byId.get(shardId!)!;
    const b = map.byId.get(other)!;
    const [lo, hi] = a.start < b.start ? [a, b] : [b, a];
    await kinesis().send(new MergeShardsCommand({ StreamName: name, ShardToMerge: lo.id, AdjacentShardToMerge: hi.id }));
    onDone();
  });
  return (
    <form class="subcard" aria-label="Merge shards" onSubmit={(e) => (e.preventDefault(), void act.run())}>
      <h3>Merge {shardId ?? 'a shard'} with a neighbour</h3>
      <label>
        Adjacent open shard
        <select name="AdjacentShardToMerge" value={other} onChange={(e) => setOther(e.currentTarget.value)} disabled={!cands.length}>
          {cands.map((c) => (
            <option key={c.id} value={c.id}>
              {c.id}
            </option>
          ))}
        </select>
      </label>
      {shardId && !cands.length && <p class="muted small">No open shard touches this one's range.</p>}
      <ErrorText error={act.error} />
      <button type="submit" disabled={!other || act.busy}>
        Merge
      </button>
    </form>
  );
}

function ShardCount({ name, current, onDone }: { name: string; current: number; onDone: () => void }) {
  const [n, setN] = useState(String(current));
  useEffect(() => setN(String(current)), [current]);
  const act = useAction(async () => {
    await kinesis().send(new UpdateShardCountCommand({ StreamName: name, TargetShardCount: Math.trunc(Number(n)), ScalingType: 'UNIFORM_SCALING' }));
    onDone();
  });
  return (
    <form class="subcard" aria-label="Update shard count" onSubmit={(e) => (e.preventDefault(), void act.run())}>
      <h3>Update shard count (uniform scaling)</h3>
      <label>
        Target open shards
        <input name="TargetShardCount" inputMode="numeric" value={n} onInput={(e) => setN(e.currentTarget.value)} aria-invalid={namesField(act.error, 'targetShardCount')} />
      </label>
      <ErrorText error={act.error} />
      <button type="submit" disabled={act.busy}>
        Update
      </button>
    </form>
  );
}
