import {
  CreateDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  ListDeliveryStreamsCommand,
  type DeliveryStreamDescription,
} from '@aws-sdk/client-firehose';
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { useRef, useState } from 'preact/hooks';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { firehose } from '../aws/firehose';
import { kinesis } from '../aws/kinesis';
import { s3 } from '../aws/s3';
import { ErrorText } from '../components/ErrorText';
import { useAction, useLoad } from '../components/hooks';
import { VirtualList } from '../components/VirtualList';
import { serverConfig } from '../config';
import { namesField } from '../errors';
import { collect, deliveryStreamsNext } from '../lib/paging';
import { href, navigate } from '../router';

async function listAll(signal: AbortSignal): Promise<string[]> {
  return collect<string>(
    async (cursor) => {
      const r = await firehose().send(new ListDeliveryStreamsCommand({ Limit: 100, ExclusiveStartDeliveryStreamName: cursor }), { abortSignal: signal });
      return { items: r.DeliveryStreamNames ?? [], next: deliveryStreamsNext(r) };
    },
    { signal },
  );
}

/** The destination of a delivery stream in a few words. */
export function destinationOf(d: DeliveryStreamDescription | undefined): string {
  const dest = d?.Destinations?.[0];
  if (!dest) return '…';
  const s3d = dest.ExtendedS3DestinationDescription ?? dest.S3DestinationDescription;
  if (s3d) return `S3 ${s3d.BucketARN?.replace('arn:aws:s3:::', '')}/${s3d.Prefix ?? ''}`;
  if (dest.HttpEndpointDestinationDescription) return `HTTP ${dest.HttpEndpointDestinationDescription.EndpointConfiguration?.Url}`;
  if (dest.RedshiftDestinationDescription) return 'Redshift';
  if (dest.AmazonopensearchserviceDestinationDescription || dest.ElasticsearchDestinationDescription) return 'OpenSearch';
  if (dest.SplunkDestinationDescription) return 'Splunk';
  return Object.keys(dest).find((k) => k.endsWith('Description')) ?? '?';
}

export default function Firehose() {
  const list = useLoad(listAll, [], 10_000);
  const names = list.data ?? [];
  const details = useRef(new Map<string, { at: number; d: DeliveryStreamDescription }>());
  const [, setTick] = useState(0);
  const onRange = async (first: number, last: number) => {
    const want = names.slice(first, last + 1).filter((n) => {
      const e = details.current.get(n);
      return !e || Date.now() - e.at > (e.d.DeliveryStreamStatus === 'ACTIVE' ? 30_000 : 2_000);
    });
    await Promise.all(
      want.map(async (n) => {
        try {
          const r = await firehose().send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: n }));
          details.current.set(n, { at: Date.now(), d: r.DeliveryStreamDescription! });
        } catch {
          /* deleted meanwhile */
        }
      }),
    );
    if (want.length) setTick((t) => t + 1);
  };
  return (
    <section>
      <h1>Firehose delivery streams</h1>
      <CreateDeliveryStream onCreated={list.reload} />
      <div class="toolbar">
        <span class="muted">{names.length} delivery streams</span>
        <button onClick={list.reload}>Refresh</button>
      </div>
      <ErrorText error={list.error} />
      <VirtualList
        label="Delivery streams"
        count={names.length}
        rowHeight={36}
        height={Math.min(480, Math.max(80, names.length * 36))}
        onRange={onRange}
        onActivate={(i) => navigate(href('firehose', names[i]))}
        header={
          <div class="cols fh-cols">
            <span>Name</span>
            <span>Status</span>
            <span>Source</span>
            <span>Destination</span>
          </div>
        }
        row={(i) => {
          const n = names[i];
          const d = details.current.get(n)?.d;
          return (
            <div class="cols fh-cols" data-delivery-stream={n}>
              <a href={href('firehose', n)} tabIndex={-1}>
                {n}
              </a>
              <span class={'status ' + (d?.DeliveryStreamStatus ?? '')}>{d?.DeliveryStreamStatus ?? '…'}</span>
              <span>{d?.DeliveryStreamType ?? '…'}</span>
              <span>{destinationOf(d)}</span>
            </div>
          );
        }}
      />
    </section>
  );
}

function CreateDeliveryStream({ onCreated }: { onCreated: () => void }) {
  const cfg = serverConfig();
  const [name, setName] = useState('');
  const [bucket, setBucket] = useState('');
  const [makeBucket, setMakeBucket] = useState(true);
  const [prefix, setPrefix] = useState('');
  const [interval, setInterval] = useState('60');
  const [size, setSize] = useState('5');
  const [source, setSource] = useState('');
  const create = useAction(async () => {
    if (makeBucket && bucket) {
      const exists = await s3()
        .send(new HeadBucketCommand({ Bucket: bucket }))
        .then(() => true)
        .catch(() => false);
      if (!exists) await s3().send(new CreateBucketCommand({ Bucket: bucket }));
    }
    // The stream's own ARN (the config leaves the account id out when signatures are checked).
    const sourceArn = source ? (await kinesis().send(new DescribeStreamSummaryCommand({ StreamName: source }))).StreamDescriptionSummary?.StreamARN : undefined;
    const account = cfg.accountId ?? sourceArn?.split(':')[4] ?? '000000000000';
    await firehose().send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: name,
        DeliveryStreamType: source ? 'KinesisStreamAsSource' : 'DirectPut',
        KinesisStreamSourceConfiguration: source
          ? { KinesisStreamARN: sourceArn, RoleARN: `arn:aws:iam::${account}:role/firehose` }
          : undefined,
        ExtendedS3DestinationConfiguration: {
          BucketARN: `arn:aws:s3:::${bucket}`,
          RoleARN: `arn:aws:iam::${account}:role/firehose`,
          Prefix: prefix || undefined,
          BufferingHints: { IntervalInSeconds: Math.trunc(Number(interval)), SizeInMBs: Math.trunc(Number(size)) },
        },
      }),
    );
    setName('');
    onCreated();
  });
  const e = create.error;
  const at = (f: string) => namesField(e, f);
  const placed = ['deliveryStreamName', 'bucketARN', 'intervalInSeconds', 'sizeInMBs'].find(at);
  return (
    <form class="card" aria-label="Create delivery stream" onSubmit={(ev) => (ev.preventDefault(), void create.run())}>
      <h2>Create a delivery stream to S3</h2>
      <div class="fields">
        <label>
          Name
          <input name="DeliveryStreamName" value={name} onInput={(ev) => setName(ev.currentTarget.value)} aria-invalid={placed === 'deliveryStreamName'} />
          {placed === 'deliveryStreamName' && <ErrorText error={e} />}
        </label>
        <label>
          Bucket
          <input name="Bucket" value={bucket} onInput={(ev) => setBucket(ev.currentTarget.value)} aria-invalid={placed === 'bucketARN'} />
          {placed === 'bucketARN' && <ErrorText error={e} />}
        </label>
        <label>
          <span>
            <input type="checkbox" name="createBucket" checked={makeBucket} onChange={(ev) => setMakeBucket(ev.currentTarget.checked)} /> create the bucket if missing
          </span>
        </label>
        <label>
          Prefix <input name="Prefix" value={prefix} onInput={(ev) => setPrefix(ev.currentTarget.value)} />
        </label>
        <label>
          Buffer interval (s)
          <input name="IntervalInSeconds" size={5} value={interval} onInput={(ev) => setInterval(ev.currentTarget.value)} aria-invalid={placed === 'intervalInSeconds'} />
          {placed === 'intervalInSeconds' && <ErrorText error={e} />}
        </label>
        <label>
          Buffer size (MiB)
          <input name="SizeInMBs" size={5} value={size} onInput={(ev) => setSize(ev.currentTarget.value)} aria-invalid={placed === 'sizeInMBs'} />
          {placed === 'sizeInMBs' && <ErrorText error={e} />}
        </label>
        <label>
          Source Kinesis stream (empty: direct put)
          <input name="SourceStream" value={source} onInput={(ev) => setSource(ev.currentTarget.value)} />
        </label>
        <button type="submit" disabled={create.busy}>
          Create
        </button>
      </div>
      {!placed && <ErrorText error={e} />}
    </form>
  );
}
