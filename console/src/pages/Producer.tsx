import { PutRecordCommand, PutRecordsCommand, type PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { useState } from 'preact/hooks';
import { kinesis } from '../aws/kinesis';
import { ErrorText } from '../components/ErrorText';
import { useAction } from '../components/hooks';
import { namesField } from '../errors';
import { encodeInput } from '../lib/decode';
import type { Route } from '../router';
import { StreamTabs } from './stream/Tabs';

type InputEncoding = 'text' | 'hex' | 'base64';

const randomKey = () => Math.random().toString(36).slice(2, 10);

/** Put one record or a batch, with a partition key or explicit hash key, and show where each landed. */
export default function Producer({ route }: { route: Route }) {
  const name = route.parts[1];
  return (
    <section>
      <p class="small">
        <a href="#/streams">Streams</a> / <a href={`#/streams/${encodeURIComponent(name)}`}>{name}</a> /
      </p>
      <h1>{name}: produce</h1>
      <StreamTabs name={name} current="produce" />
      <div class="grid2">
        <PutOne name={name} />
        <PutBatch name={name} />
      </div>
    </section>
  );
}

function PutOne({ name }: { name: string }) {
  const [data, setData] = useState('');
  const [file, setFile] = useState<{ name: string; bytes: Uint8Array } | null>(null);
  const [enc, setEnc] = useState<InputEncoding>('text');
  const [key, setKey] = useState('');
  const [hashKey, setHashKey] = useState('');
  const [log, setLog] = useState<{ shard: string; seq: string; key: string }[]>([]);
  const put = useAction(async () => {
    const bytes = file ? file.bytes : encodeInput(data, enc);
    const pk = key || randomKey();
    const r = await kinesis().send(
      new PutRecordCommand({ StreamName: name, Data: bytes, PartitionKey: pk, ExplicitHashKey: hashKey.trim() || undefined }),
    );
    setLog((l) => [{ shard: r.ShardId!, seq: r.SequenceNumber!, key: pk }, ...l].slice(0, 20));
    return r;
  });
  const e = put.error;
  return (
    <form class="card subcard" aria-label="Put record" onSubmit={(ev) => (ev.preventDefault(), void put.run())}>
      <h2>Put a record</h2>
      <label>
        Data
        <textarea name="Data" rows={6} cols={50} value={data} onInput={(ev) => setData(ev.currentTarget.value)} disabled={!!file} aria-invalid={namesField(e, 'data')} />
      </label>
      <div class="fields">
        <label>
          Data is
          <select name="inputEncoding" value={enc} onChange={(ev) => setEnc(ev.currentTarget.value as InputEncoding)}>
            <option value="text">text / JSON (UTF-8)</option>
            <option value="hex">hex</option>
            <option value="base64">base64</option>
          </select>
        </label>
        <label>
          …or a file{' '}
          <input
            type="file"
            name="file"
            onChange={async (ev) => {
              const f = ev.currentTarget.files?.[0];
              setFile(f ? { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) } : null);
            }}
          />
        </label>
      </div>
      <div class="fields">
        <label>
          Partition key (empty: random)
          <input name="PartitionKey" value={key} onInput={(ev) => setKey(ev.currentTarget.value)} aria-invalid={namesField(e, 'partitionKey')} />
        </label>
        <label>
          Explicit hash key (optional)
          <input name="ExplicitHashKey" value={hashKey} onInput={(ev) => setHashKey(ev.currentTarget.value)} size={40} aria-invalid={namesField(e, 'explicitHashKey')} />
        </label>
      </div>
      <ErrorText error={e} />
      <button type="submit" disabled={put.busy}>
        Put record
      </button>
      {log.length > 0 && (
        <table class="plain" aria-label="Records put" data-testid="put-log">
          <thead>
            <tr>
              <th>Shard</th>
              <th>Partition key</th>
              <th>Sequence number</th>
            </tr>
          </thead>
          <tbody>
            {log.map((l) => (
              <tr key={l.seq}>
                <td class="nowrap" data-shard={l.shard}>
                  {l.shard}
                </td>
                <td>{l.key}</td>
                <td class="small breakable">{l.seq}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </form>
  );
}

function PutBatch({ name }: { name: string }) {
  const [lines, setLines] = useState('');
  const [keyMode, setKeyMode] = useState<'random' | 'fixed' | 'line'>('random');
  const [key, setKey] = useState('');
  const [result, setResult] = useState<{ byShard: [string, number][]; failed: PutRecordsResultEntry[]; total: number } | null>(null);
  const put = useAction(async () => {
    const items = lines.split('\n').filter((l) => l.length > 0);
    const out: PutRecordsResultEntry[] = [];
    // PutRecords takes at most 500 records a call.
    for (let i = 0; i < items.length || (i === 0 && items.length === 0); i += 500) {
      const chunk = items.slice(i, i + 500);
      const r = await kinesis().send(
        new PutRecordsCommand({
          StreamName: name,
          Records: chunk.map((l, j) => ({
            Data: new TextEncoder().encode(l),
            PartitionKey: keyMode === 'fixed' ? key : keyMode === 'line' ? String(i + j) : randomKey(),
          })),
        }),
      );
      out.push(...(r.Records ?? []));
      if (!items.length) break;
    }
    const counts = new Map<string, number>();
    for (const r of out) if (r.ShardId) counts.set(r.ShardId, (counts.get(r.ShardId) ?? 0) + 1);
    setResult({ byShard: [...counts.entries()].sort(), failed: out.filter((r) => r.ErrorCode), total: out.length });
  });
  return (
    <form class="card subcard" aria-label="Put records" onSubmit={(ev) => (ev.preventDefault(), void put.run())}>
      <h2>Put a batch (one record per line)</h2>
      <label>
        Lines
        <textarea name="Lines" rows={6} cols={50} value={lines} onInput={(ev) => setLines(ev.currentTarget.value)} />
      </label>
      <div class="fields">
        <label>
          Partition keys
          <select name="keyMode" value={keyMode} onChange={(ev) => setKeyMode(ev.currentTarget.value as typeof keyMode)}>
            <option value="random">random per record</option>
            <option value="line">line number</option>
            <option value="fixed">one key for all</option>
          </select>
        </label>
        {keyMode === 'fixed' && (
          <label>
            Key <input name="BatchPartitionKey" value={key} onInput={(ev) => setKey(ev.currentTarget.value)} />
          </label>
        )}
      </div>
      <ErrorText error={put.error} />
      <button type="submit" disabled={put.busy}>
        Put records
      </button>
      {result && (
        <div data-testid="batch-result">
          <p>
            {result.total - result.failed.length} of {result.total} records written.
          </p>
          <table class="plain">
            <tbody>
              {result.byShard.map(([s, n]) => (
                <tr key={s}>
                  <td>{s}</td>
                  <td class="num">{n}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {result.failed.slice(0, 20).map((f, i) => (
            <p class="error" key={i}>
              <strong>{f.ErrorCode}</strong>: {f.ErrorMessage}
            </p>
          ))}
        </div>
      )}
    </form>
  );
}
