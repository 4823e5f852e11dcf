import { DeleteDeliveryStreamCommand, DescribeDeliveryStreamCommand, PutRecordCommand } from '@aws-sdk/client-firehose';
import { GetObjectCommand, ListObjectsV2Command, type _Object } from '@aws-sdk/client-s3';
import { useState } from 'preact/hooks';
import { firehose } from '../aws/firehose';
import { getMetricData, series, type MetricSpec } from '../aws/metrics';
import { s3 } from '../aws/s3';
import { Chart } from '../components/Chart';
import { ErrorText } from '../components/ErrorText';
import { useAction, useLoad } from '../components/hooks';
import { decode, guessEncoding } from '../lib/decode';
import { human } from '../lib/chartdata';
import { collect } from '../lib/paging';
import { href, navigate, type Route } from '../router';
import { destinationOf } from './Firehose';

/** What the stream's buffers hold now: runnel's FirehoseBufferedBytes/Records (namespace "runnel",
 * sampled once a second while the engine runs), the newest minute's highest. AWS publishes no such
 * metric; DeliveryToS3.DataFreshness (charted below) is AWS's view of the same wait. */
async function bufferFill(name: string) {
  const end = Math.ceil(Date.now() / 60_000) * 60;
  const dims = { DeliveryStreamName: name };
  const results = await getMetricData(
    [
      { id: 'bytes', namespace: 'runnel', metric: 'FirehoseBufferedBytes', dimensions: dims, stat: 'Maximum' },
      { id: 'records', namespace: 'runnel', metric: 'FirehoseBufferedRecords', dimensions: dims, stat: 'Maximum' },
    ],
    end - 180,
    end,
    60,
  );
  const newest = (id: string) => {
    const r = results.find((x) => x.Id === id);
    let at = -Infinity;
    let v: number | undefined;
    (r?.Timestamps ?? []).forEach((t, i) => {
      if (t.getTime() > at) {
        at = t.getTime();
        v = r!.Values![i];
      }
    });
    return v;
  };
  return { bytes: newest('bytes'), records: newest('records') };
}

/** One delivery stream: configuration, status, metrics, a test record, and what it delivered to S3. */
export default function DeliveryStream({ route }: { route: Route }) {
  const name = route.parts[1];
  const desc = useLoad(
    async (signal) => (await firehose().send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }), { abortSignal: signal })).DeliveryStreamDescription!,
    [name],
    5_000,
  );
  const d = desc.data;
  const fill = useLoad(() => bufferFill(name), [name], 5_000);
  const s3d = d?.Destinations?.[0]?.ExtendedS3DestinationDescription ?? d?.Destinations?.[0]?.S3DestinationDescription;
  const del = useAction(async () => {
    await firehose().send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: name }));
    navigate(href('firehose'));
  });
  return (
    <section>
      <p class="small">
        <a href="#/firehose">Firehose</a> /
      </p>
      <h1>{name}</h1>
      <ErrorText error={desc.error} />
      {d && (
        <div class="card">
          <dl class="facts" data-testid="delivery-summary">
            <dt>Status</dt>
            <dd class={'status ' + d.DeliveryStreamStatus}>{d.DeliveryStreamStatus}</dd>
            <dt>Source</dt>
            <dd>{d.DeliveryStreamType === 'KinesisStreamAsSource' ? d.Source?.KinesisStreamSourceDescription?.KinesisStreamARN : d.DeliveryStreamType}</dd>
            <dt>Destination</dt>
            <dd>{destinationOf(d)}</dd>
            {s3d && (
              <>
                <dt>Buffering</dt>
                <dd>
                  {s3d.BufferingHints?.SizeInMBs} MiB or {s3d.BufferingHints?.IntervalInSeconds} s
                </dd>
                <dt>Buffer fill</dt>
                <dd data-testid="buffer-fill" title="runnel's FirehoseBufferedBytes and FirehoseBufferedRecords, the newest minute's highest">
                  {fill.data?.bytes === undefined
                    ? 'no sample yet'
                    : `${human(fill.data.bytes, true)} of ${s3d.BufferingHints?.SizeInMBs ?? '?'} MiB (${fill.data.records ?? 0} records)`}
                </dd>
                <dt>Compression</dt>
                <dd>{s3d.CompressionFormat}</dd>
                <dt>Error prefix</dt>
                <dd>{s3d.ErrorOutputPrefix || '–'}</dd>
              </>
            )}
            {d.FailureDescription && (
              <>
                <dt>Failure</dt>
                <dd class="error">
                  {d.FailureDescription.Type}: {d.FailureDescription.Details}
                </dd>
              </>
            )}
            <dt>Version</dt>
            <dd>{d.VersionId}</dd>
            <dt>Created</dt>
            <dd>{d.CreateTimestamp?.toLocaleString()}</dd>
            <dt>ARN</dt>
            <dd>{d.DeliveryStreamARN}</dd>
          </dl>
          <details>
            <summary>Full description (JSON)</summary>
            <pre class="record">{JSON.stringify(d, null, 2)}</pre>
          </details>
          <p>
            <button class="danger" onClick={() => confirm(`Delete ${name}?`) && void del.run()} disabled={del.busy}>
              Delete delivery stream
            </button>
          </p>
          <ErrorText error={del.error} />
        </div>
      )}
      <FirehoseCharts name={name} />
      {d?.DeliveryStreamType === 'DirectPut' && <TestRecord name={name} />}
      {s3d?.BucketARN && <Delivered bucket={s3d.BucketARN.replace('arn:aws:s3:::', '')} prefix={s3d.Prefix ?? ''} errorPrefix={s3d.ErrorOutputPrefix} />}
    </section>
  );
}

function FirehoseCharts({ name }: { name: string }) {
  const m = (id: string, metric: string, stat: MetricSpec['stat'] = 'Sum'): MetricSpec => ({
    id,
    namespace: 'AWS/Firehose',
    metric,
    dimensions: { DeliveryStreamName: name },
    stat,
  });
  const specs = [m('rec', 'IncomingRecords'), m('byt', 'IncomingBytes'), m('dr', 'DeliveryToS3.Records'), m('fresh', 'DeliveryToS3.DataFreshness', 'Maximum')];
  const r = useLoad(() => series(specs, 3600), [name], 10_000);
  const d = r.data?.data;
  const col = (i: number) => (d ? [d[0], d[i]] : [[], []]) as [number[], (number | null)[]];
  return (
    <section class="card" aria-label="Metrics">
      <h2>Metrics, last hour</h2>
      <ErrorText error={r.error} />
      <div class="charts">
        <Chart title="Incoming records" data={col(1)} series={[{ label: 'IncomingRecords', color: '#0b5cad' }]} />
        <Chart title="Incoming bytes" data={col(2)} series={[{ label: 'IncomingBytes', color: '#1b7f3b' }]} bytes />
        <Chart title="Records delivered to S3" data={col(3)} series={[{ label: 'DeliveryToS3.Records', color: '#6b3fa0' }]} />
        <Chart title="Data freshness (s, max)" data={col(4)} series={[{ label: 'DataFreshness', color: '#a06000' }]} />
      </div>
    </section>
  );
}

function TestRecord({ name }: { name: string }) {
  const [data, setData] = useState('{"test": true, "at": "' + new Date().toISOString() + '"}\n');
  const put = useAction(async () => (await firehose().send(new PutRecordCommand({ DeliveryStreamName: name, Record: { Data: new TextEncoder().encode(data) } }))).RecordId);
  return (
    <form class="card subcard" aria-label="Test record" onSubmit={(e) => (e.preventDefault(), void put.run())}>
      <h2>Send a test record</h2>
      <label>
        Data (sent as is; add a newline to separate records in the object)
        <textarea name="Data" rows={3} cols={60} value={data} onInput={(e) => setData(e.currentTarget.value)} />
      </label>
      <ErrorText error={put.error} />
      <button type="submit" disabled={put.busy}>
        Send
      </button>
      {put.result && (
        <p class="ok" data-testid="test-record-id">
          Accepted, record id {put.result}
        </p>
      )}
    </form>
  );
}

/** The newest objects under the destination prefix (and the error prefix), refreshed every 5 s. */
function Delivered({ bucket, prefix, errorPrefix }: { bucket: string; prefix: string; errorPrefix?: string }) {
  const listPrefix = async (p: string, signal: AbortSignal) =>
    collect<_Object>(
      async (cursor) => {
        const r = await s3().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: p || undefined, ContinuationToken: cursor, MaxKeys: 1000 }), { abortSignal: signal });
        return { items: r.Contents ?? [], next: r.IsTruncated ? r.NextContinuationToken : undefined };
      },
      { maxPages: 20, signal },
    );
  const objs = useLoad(
    async (signal) => {
      const all = await listPrefix(prefix, signal);
      const errs = errorPrefix && errorPrefix !== prefix ? await listPrefix(errorPrefix, signal) : [];
      const byTime = (a: _Object, b: _Object) => (b.LastModified?.getTime() ?? 0) - (a.LastModified?.getTime() ?? 0);
      return { delivered: all.sort(byTime).slice(0, 200), errors: errs.sort(byTime).slice(0, 50), total: all.length };
    },
    [bucket, prefix, errorPrefix],
    5_000,
  );
  const [open, setOpen] = useState<{ key: string; text: string } | null>(null);
  const show = useAction(async (key: string) => {
    const r = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: 'bytes=0-65535' }));
    const bytes = await r.Body!.transformToByteArray();
    setOpen({ key, text: decode(bytes, guessEncoding(bytes)).text });
  });
  const table = (list: _Object[], label: string) => (
    <table class="plain" aria-label={label}>
      <thead>
        <tr>
          <th>Key</th>
          <th class="num">Size</th>
          <th>Last modified</th>
        </tr>
      </thead>
      <tbody>
        {list.map((o) => (
          <tr key={o.Key} data-object={o.Key}>
            <td>
              <button class="link-like" onClick={() => void show.run(o.Key!)}>
                {o.Key}
              </button>
            </td>
            <td class="num">{human(o.Size ?? 0, true)}</td>
            <td>{o.LastModified?.toLocaleString()}</td>
          </tr>
        ))}
        {list.length === 0 && (
          <tr>
            <td colSpan={3} class="muted">
              Nothing yet.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
  return (
    <section class="card" aria-label="Delivered objects">
      <h2>
        Delivered to s3://{bucket}/{prefix} <span class="muted small">{objs.data ? `${objs.data.total} objects` : ''}</span>
      </h2>
      <ErrorText error={objs.error ?? show.error} />
      {objs.data && table(objs.data.delivered, 'Delivered objects')}
      {errorPrefix && objs.data && (
        <>
          <h3>Errors under {errorPrefix}</h3>
          {table(objs.data.errors, 'Error objects')}
        </>
      )}
      {open && (
        <>
          <h3>{open.key} (first 64 KiB)</h3>
          <pre class="record" data-testid="object-body">{open.text}</pre>
        </>
      )}
    </section>
  );
}
