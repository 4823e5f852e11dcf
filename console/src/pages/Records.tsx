import type { ShardIteratorType } from '@aws-sdk/client-kinesis';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ErrorText } from '../components/ErrorText';
import { useLoad } from '../components/hooks';
import { VirtualList } from '../components/VirtualList';
import { showError, type ShownError } from '../errors';
import { reportNetworkError } from '../health';
import { decode, guessEncoding, matches, toJsonLine, type Encoding } from '../lib/decode';
import type { Route } from '../router';
import { listAllShards } from './stream/data';
import { ShardReader, type ShownRecord } from './stream/reader';
import { StreamTabs } from './stream/Tabs';

const KEEP = 50_000; // records kept in the page; older ones drop off while tailing
const ALL = '*';

/** The record browser: read a shard from a chosen position, follow it, decode, filter, download. */
export default function Records({ route }: { route: Route }) {
  const name = route.parts[1];
  const shards = useLoad((signal) => listAllShards(name, signal), [name]);
  const [shard, setShard] = useState(route.query.get('shard') ?? ALL);
  const [type, setType] = useState<ShardIteratorType>('TRIM_HORIZON');
  const [seq, setSeq] = useState('');
  const [ts, setTs] = useState('');
  const [tail, setTail] = useState(false);
  const [records, setRecords] = useState<ShownRecord[]>([]);
  const [error, setError] = useState<ShownError | null>(null);
  const [reading, setReading] = useState(false);
  const [enc, setEnc] = useState<Encoding | 'auto'>('auto');
  const [keyFilter, setKeyFilter] = useState('');
  const [textFilter, setTextFilter] = useState('');
  const [picked, setPicked] = useState<ShownRecord | null>(null);
  const [behind, setBehind] = useState<number | null>(null);
  const reader = useRef<ShardReader | null>(null);
  const tailing = useRef(tail);
  tailing.current = tail; // read by the running loop, so unticking stops it at the next poll
  const run = useRef<AbortController | null>(null);

  const shardIds = (shards.data ?? []).map((s) => s.ShardId!);
  const tooMany = shardIds.length > 100;

  const stop = () => {
    run.current?.abort();
    run.current = null;
    setReading(false);
  };
  useEffect(() => stop, [name]);

  const start = async () => {
    stop();
    const ac = new AbortController();
    run.current = ac;
    setError(null);
    setRecords([]);
    setPicked(null);
    setBehind(null);
    setReading(true);
    const ids = shard === ALL ? shardIds : [shard];
    try {
      const r = new ShardReader(name, ids);
      await r.start({ type, sequenceNumber: seq.trim(), timestamp: ts ? new Date(ts) : undefined }, ac.signal);
      reader.current = r;
      let first = true;
      while (!ac.signal.aborted) {
        const got = await r.read({ catchUp: true, maxCalls: first ? 50 : 20, signal: ac.signal });
        first = false;
        if (got.length) setRecords((prev) => [...prev, ...got].slice(-KEEP));
        setBehind(Math.max(0, ...r.behind.values()));
        if (!tailing.current || r.finished) break;
        await new Promise((res) => setTimeout(res, 1000));
      }
    } catch (e) {
      if (!ac.signal.aborted) {
        const shown = showError(e);
        if (shown.code === 'NetworkError') reportNetworkError();
        setError(shown);
      }
    } finally {
      if (run.current === ac) setReading(false);
    }
  };

  const shown = useMemo(() => (keyFilter || textFilter ? records.filter((r) => matches(r, keyFilter, textFilter)) : records), [records, keyFilter, textFilter]);
  const encOf = (r: ShownRecord): Encoding => (enc === 'auto' ? guessEncoding(r.Data ?? new Uint8Array()) : enc);
  const preview = (r: ShownRecord) => decode(r.Data ?? new Uint8Array(), encOf(r)).text.replace(/\s+/g, ' ').slice(0, 300);

  const download = () => {
    const blob = new Blob([shown.map((r) => toJsonLine(r, r.shardId)).join('\n') + '\n'], { type: 'application/x-ndjson' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${name}-records.jsonl`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };

  return (
    <section>
      <p class="small">
        <a href="#/streams">Streams</a> / <a href={`#/streams/${encodeURIComponent(name)}`}>{name}</a> /
      </p>
      <h1>{name}: records</h1>
      <StreamTabs name={name} current="records" />
      <ErrorText error={shards.error} />
      <form class="card fields" aria-label="Read records" onSubmit={(e) => (e.preventDefault(), void start())}>
        <label>
          Shard
          <select name="shard" value={shard} onChange={(e) => setShard(e.currentTarget.value)}>
            <option value={ALL} disabled={tooMany}>
              All shards{tooMany ? ' (over 100: pick one)' : ''}
            </option>
            {(shards.data ?? []).map((s) => (
              <option key={s.ShardId} value={s.ShardId}>
                {s.ShardId}
                {s.SequenceNumberRange?.EndingSequenceNumber ? ' (closed)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Start at
          <select name="iteratorType" value={type} onChange={(e) => setType(e.currentTarget.value as ShardIteratorType)}>
            <option value="TRIM_HORIZON">TRIM_HORIZON (oldest)</option>
            <option value="LATEST">LATEST (new records only)</option>
            <option value="AT_SEQUENCE_NUMBER">AT_SEQUENCE_NUMBER</option>
            <option value="AFTER_SEQUENCE_NUMBER">AFTER_SEQUENCE_NUMBER</option>
            <option value="AT_TIMESTAMP">AT_TIMESTAMP</option>
          </select>
        </label>
        {type.includes('SEQUENCE') && (
          <label>
            Sequence number <input name="sequenceNumber" value={seq} onInput={(e) => setSeq(e.currentTarget.value)} size={40} />
          </label>
        )}
        {type === 'AT_TIMESTAMP' && (
          <label>
            Timestamp (local) <input name="timestamp" type="datetime-local" step="1" value={ts} onInput={(e) => setTs(e.currentTarget.value)} />
          </label>
        )}
        <label class="check">
          <span>
            <input type="checkbox" name="tail" checked={tail} onChange={(e) => setTail(e.currentTarget.checked)} /> Follow new records (poll every second)
          </span>
        </label>
        <button type="submit" disabled={!shards.data || (shard === ALL && tooMany)}>
          Read
        </button>
        <button type="button" onClick={stop} disabled={!reading}>
          Stop
        </button>
      </form>
      <ErrorText error={error} />
      <div class="toolbar">
        <label>
          Show as{' '}
          <select name="encoding" value={enc} onChange={(e) => setEnc(e.currentTarget.value as Encoding | 'auto')}>
            <option value="auto">auto</option>
            <option value="text">UTF-8 text</option>
            <option value="json">JSON</option>
            <option value="hex">hex</option>
            <option value="base64">base64</option>
          </select>
        </label>
        <label>
          Partition key starts with <input name="keyFilter" value={keyFilter} onInput={(e) => setKeyFilter(e.currentTarget.value)} size={12} />
        </label>
        <label>
          Data contains <input name="textFilter" value={textFilter} onInput={(e) => setTextFilter(e.currentTarget.value)} size={14} />
        </label>
        <span class="muted" data-testid="record-count" aria-live="polite">
          {shown.length} of {records.length} records{reading ? (tail ? ' · following' : ' · reading…') : ''}
        </span>
        {behind !== null && (
          <span class="muted small" title="MillisBehindLatest of the last GetRecords, the largest over the shards read">
            {behind === 0 ? 'at the tip' : `${(behind / 1000).toFixed(1)} s behind the tip`}
          </span>
        )}
        <button onClick={download} disabled={!shown.length}>
          Download JSON lines
        </button>
      </div>
      <VirtualList
        label="Records"
        count={shown.length}
        rowHeight={28}
        height={360}
        onActivate={(i) => setPicked(shown[i])}
        header={
          <div class="cols records-cols">
            <span>Shard / sequence number</span>
            <span>Arrival</span>
            <span>Partition key</span>
            <span>Data</span>
          </div>
        }
        row={(i) => {
          const r = shown[i];
          return (
            <div class="cols records-cols" data-record={r.SequenceNumber} onClick={() => setPicked(r)}>
              <span title={`${r.shardId} ${r.SequenceNumber}`}>
                {shard === ALL ? r.shardId.replace('shardId-', '') + ' · ' : ''}
                {r.SequenceNumber}
              </span>
              <span>{r.ApproximateArrivalTimestamp?.toLocaleTimeString()}</span>
              <span>{r.PartitionKey}</span>
              <span>{preview(r)}</span>
            </div>
          );
        }}
      />
      {picked && <RecordDetail r={picked} enc={encOf(picked)} />}
    </section>
  );
}

function RecordDetail({ r, enc }: { r: ShownRecord; enc: Encoding }) {
  const d = decode(r.Data ?? new Uint8Array(), enc);
  return (
    <section class="card" aria-label="Record" style={{ marginTop: '1rem' }}>
      <dl class="facts">
        <dt>Shard</dt>
        <dd>{r.shardId}</dd>
        <dt>Sequence number</dt>
        <dd>{r.SequenceNumber}</dd>
        <dt>Partition key</dt>
        <dd>{r.PartitionKey}</dd>
        <dt>Arrival</dt>
        <dd>{r.ApproximateArrivalTimestamp?.toISOString()}</dd>
        <dt>Size</dt>
        <dd>{r.Data?.length ?? 0} bytes</dd>
      </dl>
      {d.error && <p class="muted">{d.error}</p>}
      <pre class="record" data-testid="record-data">{d.text}</pre>
    </section>
  );
}
