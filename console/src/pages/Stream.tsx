import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { useMemo, useState } from 'preact/hooks';
import { kinesis } from '../aws/kinesis';
import { ErrorText } from '../components/ErrorText';
import { useLoad } from '../components/hooks';
import { layoutShards } from '../lib/hashkeys';
import type { Route } from '../router';
import { StreamCharts } from './stream/Charts';
import { Consumers } from './stream/Consumers';
import { listAllShards } from './stream/data';
import { Settings } from './stream/Settings';
import { Shards } from './stream/Shards';
import { StreamTabs } from './stream/Tabs';

/** One stream: its summary, charts, shard map with resharding, consumers and settings. */
export default function Stream({ route }: { route: Route }) {
  const name = route.parts[1];
  const summary = useLoad(
    async (signal) => (await kinesis().send(new DescribeStreamSummaryCommand({ StreamName: name }), { abortSignal: signal })).StreamDescriptionSummary!,
    [name],
    5_000,
  );
  const shards = useLoad((signal) => listAllShards(name, signal), [name, summary.data?.OpenShardCount, summary.data?.StreamStatus]);
  const map = useMemo(() => (shards.data ? layoutShards(shards.data) : undefined), [shards.data]);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const s = summary.data;
  const changed = () => {
    summary.reload();
    shards.reload();
  };
  return (
    <section>
      <p class="small">
        <a href="#/streams">Streams</a> /
      </p>
      <h1>{name}</h1>
      <StreamTabs name={name} current="overview" />
      <ErrorText error={summary.error} />
      {s && (
        <div class="card">
          <dl class="facts" data-testid="stream-summary">
            <dt>Status</dt>
            <dd class={'status ' + s.StreamStatus}>{s.StreamStatus}</dd>
            <dt>Mode</dt>
            <dd>{s.StreamModeDetails?.StreamMode}</dd>
            <dt>Open shards</dt>
            <dd data-testid="open-shards">{s.OpenShardCount}</dd>
            <dt>Retention</dt>
            <dd>{s.RetentionPeriodHours} hours</dd>
            <dt>Encryption</dt>
            <dd>{s.EncryptionType}</dd>
            <dt>Consumers</dt>
            <dd>{s.ConsumerCount ?? 0}</dd>
            <dt>Enhanced monitoring</dt>
            <dd>{s.EnhancedMonitoring?.flatMap((m) => m.ShardLevelMetrics ?? []).join(', ') || 'off'}</dd>
            <dt>Created</dt>
            <dd>{s.StreamCreationTimestamp?.toLocaleString()}</dd>
            <dt>ARN</dt>
            <dd>{s.StreamARN}</dd>
          </dl>
        </div>
      )}
      <StreamCharts name={name} />
      <ErrorText error={shards.error} />
      {map && <Shards name={name} map={map} openShards={s?.OpenShardCount ?? map.openCount} onChanged={changed} selected={selected} onSelect={setSelected} />}
      {selected &&
        ((s?.EnhancedMonitoring ?? []).some((m) => m.ShardLevelMetrics?.length) ? (
          <StreamCharts name={name} shardId={selected} />
        ) : (
          <p class="muted card">Per-shard rates and throttles of {selected} need shard-level metrics: enable enhanced monitoring under Settings.</p>
        ))}
      {s?.StreamARN && <Consumers arn={s.StreamARN} />}
      {s && <Settings s={s} onChanged={changed} />}
    </section>
  );
}
