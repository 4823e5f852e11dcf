import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  ListStreamsCommand,
  type StreamDescriptionSummary,
  type StreamSummary,
} from '@aws-sdk/client-kinesis';
import { Component } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { kinesis } from '../aws/kinesis';
import { ErrorText } from '../components/ErrorText';
import { afterPaint, nextTask, useAction, useLoad } from '../components/hooks';
import { Sparkline } from '../components/Sparkline';
import { VirtualList } from '../components/VirtualList';
import { namesField } from '../errors';
import { collect, listStreamsInput, listStreamsNext } from '../lib/paging';
import { href, navigate } from '../router';

/** Every stream, page by page (100 a call), as summaries; names only when the server gives no summaries. */
async function listAll(onPage: (s: StreamSummary[]) => void, signal: AbortSignal): Promise<StreamSummary[]> {
  return collect<StreamSummary>(
    async (cursor) => {
      const out = await kinesis().send(new ListStreamsCommand(listStreamsInput(cursor)), { abortSignal: signal });
      const items = out.StreamSummaries?.length ? out.StreamSummaries : (out.StreamNames ?? []).map((StreamName) => ({ StreamName }) as StreamSummary);
      return { items, next: listStreamsNext(out) };
    },
    { onPage: (all) => onPage([...all]), signal },
  );
}

interface RowDetail {
  at: number;
  summary?: StreamDescriptionSummary;
  records?: (number | null)[];
  bytes?: (number | null)[];
}

export default function Streams() {
  const [streams, setStreams] = useState<StreamSummary[]>([]);
  const [filter, setFilter] = useState('');
  const details = useRef(new Map<string, RowDetail>());
  const [, setTick] = useState(0);
  const list = useLoad((signal) => listAll(setStreams, signal), [], 10_000);
  const shown = useMemo(() => (filter ? streams.filter((s) => s.StreamName!.includes(filter)) : streams), [streams, filter]);
  const inFlight = useRef(new Set<string>());

  // Details and sparklines for the rows on screen only: 1,000 streams cost a screenful of calls.
  // They wait until the rows are painted: signing a screenful of requests takes the main thread
  // 50-150 ms on a loaded machine, which would otherwise hold back the first paint of the list.
  const onRange = async (first: number, last: number) => {
    const names = shown
      .slice(first, last + 1)
      .map((s) => s.StreamName!)
      .filter((n) => !inFlight.current.has(n) && !fresh(details.current.get(n)));
    if (!names.length) return;
    names.forEach((n) => inFlight.current.add(n));
    await afterPaint();
    const describe = async (n: string) => {
      try {
        const r = await kinesis().send(new DescribeStreamSummaryCommand({ StreamName: n }));
        details.current.set(n, { ...details.current.get(n), at: Date.now(), summary: r.StreamDescriptionSummary });
      } catch {
        /* the stream went away between list and describe; the next list drops it */
      }
    };
    // A few requests a task, so the page stays responsive while they are signed and sent.
    const described: Promise<void>[] = [];
    for (let i = 0; i < names.length; i += 5) {
      if (i) await nextTask();
      described.push(...names.slice(i, i + 5).map(describe));
    }
    await Promise.all(described);
    setTick((t) => t + 1);
    try {
      // The CloudWatch client is loaded only now: the rows do not need it.
      const { series } = await import('../aws/metrics');
      const specs = names.flatMap((n, i) => [
        { id: `r${i}`, namespace: 'AWS/Kinesis', metric: 'IncomingRecords', dimensions: { StreamName: n }, stat: 'Sum' as const },
        { id: `b${i}`, namespace: 'AWS/Kinesis', metric: 'IncomingBytes', dimensions: { StreamName: n }, stat: 'Sum' as const },
      ]);
      const { data } = await series(specs, 3600);
      names.forEach((n, i) => details.current.set(n, { ...details.current.get(n)!, records: data[1 + 2 * i], bytes: data[2 + 2 * i] }));
    } catch {
      /* sparklines are extras; the table stands without them */
    }
    names.forEach((n) => inFlight.current.delete(n));
    setTick((t) => t + 1);
  };

  // Each list refresh (every 10 s) also refreshes the details of the rows on screen that went stale.
  const range = useRef<[number, number]>([0, 0]);
  useEffect(() => void onRange(...range.current), [streams]);

  const refreshAll = useCallback(() => {
    details.current.clear();
    list.reload();
  }, [list.reload]);

  return (
    <section>
      <h1>Kinesis data streams</h1>
      <CreateStream onCreated={refreshAll} />
      <div class="toolbar">
        <label>
          Filter by name <input value={filter} onInput={(e) => setFilter(e.currentTarget.value)} placeholder="part of a name" />
        </label>
        <span class="muted" data-testid="stream-count">
          {shown.length} of {streams.length} streams{list.loading ? ' (loading…)' : ''}
        </span>
        <button onClick={refreshAll}>Refresh</button>
      </div>
      <ErrorText error={list.error} />
      <VirtualList
        label="Streams"
        count={shown.length}
        rowHeight={36}
        height={Math.min(560, Math.max(80, shown.length * 36))}
        onRange={(a, b) => {
          range.current = [a, b];
          void onRange(a, b);
        }}
        onActivate={(i) => navigate(href('streams', shown[i].StreamName!))}
        header={
          <div class="cols streams-cols">
            <span>Name</span>
            <span>Status</span>
            <span>Mode</span>
            <span>Open shards</span>
            <span>Retention</span>
            <span>Encryption</span>
            <span>Records (1 h)</span>
            <span>Bytes (1 h)</span>
            <span />
          </div>
        }
        row={(i) => <StreamRow s={shown[i]} d={details.current.get(shown[i].StreamName!)} onDeleted={refreshAll} />}
      />
    </section>
  );
}

interface RowProps {
  s: StreamSummary;
  d: RowDetail | undefined;
  onDeleted: () => void;
}

/**
 * One row of the list. Drawn again only when its stream or its details change (each is a new
 * object then), not on every render of the page: the list is drawn twice as the first page of
 * ListStreams arrives, and again at each refresh.
 */
class StreamRow extends Component<RowProps> {
  shouldComponentUpdate(next: RowProps) {
    return next.s !== this.props.s || next.d !== this.props.d || next.onDeleted !== this.props.onDeleted;
  }

  render({ s, d, onDeleted }: RowProps) {
    const sum = d?.summary;
    return (
      <div class="cols streams-cols" data-stream={s.StreamName}>
        <a href={href('streams', s.StreamName!)} tabIndex={-1}>
          {s.StreamName}
        </a>
        <span class={'status ' + (s.StreamStatus ?? sum?.StreamStatus ?? '')}>{s.StreamStatus ?? sum?.StreamStatus ?? '…'}</span>
        <span>{sum?.StreamModeDetails?.StreamMode ?? s.StreamModeDetails?.StreamMode ?? '…'}</span>
        <span>{sum?.OpenShardCount ?? '…'}</span>
        <span>{sum ? `${sum.RetentionPeriodHours} h` : '…'}</span>
        <span>{sum?.EncryptionType ?? '…'}</span>
        <Sparkline values={d?.records} label="incoming records" />
        <Sparkline values={d?.bytes} label="incoming bytes" />
        <DeleteButton name={s.StreamName!} onDeleted={onDeleted} />
      </div>
    );
  }
}

/** Details are kept 30 s, and 2 s while the stream is changing (CREATING, UPDATING). */
function fresh(d: RowDetail | undefined): boolean {
  if (!d?.summary) return false;
  return Date.now() - d.at < (d.summary.StreamStatus === 'ACTIVE' ? 30_000 : 2_000);
}

function DeleteButton({ name, onDeleted }: { name: string; onDeleted: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const del = useAction(async () => {
    await kinesis().send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true }));
    onDeleted();
  });
  if (del.error) return <span class="error small" title={del.error.message}>{del.error.code}</span>;
  if (!confirming)
    return (
      <button class="small" aria-label={`Delete ${name}`} onClick={() => setConfirming(true)}>
        Delete
      </button>
    );
  return (
    <span>
      <button class="small danger" aria-label={`Confirm delete ${name}`} disabled={del.busy} onClick={() => del.run()}>
        Confirm
      </button>
      <button class="small" onClick={() => setConfirming(false)}>
        Cancel
      </button>
    </span>
  );
}

function CreateStream({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [mode, setMode] = useState<'PROVISIONED' | 'ON_DEMAND'>('PROVISIONED');
  const [shards, setShards] = useState('1');
  const create = useAction(async () => {
    await kinesis().send(
      new CreateStreamCommand({
        StreamName: name,
        StreamModeDetails: { StreamMode: mode },
        // Sent as typed (a number or NaN→0): AWS, not the console, says what is wrong with it.
        ShardCount: mode === 'PROVISIONED' ? Math.trunc(Number(shards)) : undefined,
      }),
    );
    setName('');
    onCreated();
  });
  const e = create.error;
  const onName = namesField(e, 'streamName');
  const onShards = !onName && namesField(e, 'shardCount');
  return (
    <form
      class="card create"
      aria-label="Create stream"
      onSubmit={(ev) => {
        ev.preventDefault();
        void create.run();
      }}
    >
      <h2>Create a stream</h2>
      <div class="fields">
        <label>
          Name
          <input name="StreamName" value={name} onInput={(ev) => setName(ev.currentTarget.value)} aria-invalid={onName} aria-describedby="create-name-error" />
          {onName && <ErrorText error={e} id="create-name-error" />}
        </label>
        <label>
          Capacity mode
          <select name="StreamMode" value={mode} onChange={(ev) => setMode(ev.currentTarget.value as typeof mode)}>
            <option value="PROVISIONED">Provisioned</option>
            <option value="ON_DEMAND">On-demand</option>
          </select>
        </label>
        <label>
          Shards
          <input
            name="ShardCount"
            inputMode="numeric"
            value={shards}
            disabled={mode === 'ON_DEMAND'}
            onInput={(ev) => setShards(ev.currentTarget.value)}
            aria-invalid={onShards}
            aria-describedby="create-shards-error"
          />
          {onShards && <ErrorText error={e} id="create-shards-error" />}
        </label>
        <button type="submit" disabled={create.busy}>
          Create
        </button>
      </div>
      {!onName && !onShards && <ErrorText error={e} />}
    </form>
  );
}
