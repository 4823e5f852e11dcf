import { DeregisterStreamConsumerCommand, RegisterStreamConsumerCommand } from '@aws-sdk/client-kinesis';
import { useState } from 'preact/hooks';
import { kinesis } from '../../aws/kinesis';
import { getMetricData } from '../../aws/metrics';
import { ErrorText } from '../../components/ErrorText';
import { useAction, useLoad } from '../../components/hooks';
import { listAllConsumers } from './data';

const LAG_WINDOW = 300; // seconds of SubscribeToShardEvent metrics looked at

/** Per consumer: the newest minute's highest MillisBehindLatest of its subscriptions' events, and
 * the records pushed to it in the last five minutes (CloudWatch, AWS/Kinesis, StreamName +
 * ConsumerName: what AWS publishes for enhanced fan-out). */
async function consumerLag(stream: string, names: string[]) {
  const end = Math.ceil(Date.now() / 60_000) * 60;
  const specs = names.flatMap((name, i) => [
    { id: `behind${i}`, namespace: 'AWS/Kinesis', metric: 'SubscribeToShardEvent.MillisBehindLatest', dimensions: { StreamName: stream, ConsumerName: name }, stat: 'Maximum' as const },
    { id: `records${i}`, namespace: 'AWS/Kinesis', metric: 'SubscribeToShardEvent.Records', dimensions: { StreamName: stream, ConsumerName: name }, stat: 'Sum' as const },
  ]);
  const results = specs.length ? await getMetricData(specs, end - LAG_WINDOW, end, 60) : [];
  const lag = new Map<string, { behind?: number; records: number }>();
  names.forEach((name, i) => {
    const behind = results.find((r) => r.Id === `behind${i}`);
    const records = results.find((r) => r.Id === `records${i}`);
    // The newest datapoint: GetMetricData answers newest first by default.
    let newest: number | undefined;
    let at = -Infinity;
    (behind?.Timestamps ?? []).forEach((t, j) => {
      if (t.getTime() > at) {
        at = t.getTime();
        newest = behind!.Values![j];
      }
    });
    lag.set(name, { behind: newest, records: (records?.Values ?? []).reduce((a, b) => a + b, 0) });
  });
  return lag;
}

/** Enhanced fan-out consumers of a stream: list, register, deregister, and how far behind each is. */
export function Consumers({ arn }: { arn: string }) {
  const list = useLoad((signal) => listAllConsumers(arn, signal), [arn], 10_000);
  const stream = arn.slice(arn.indexOf(':stream/') + ':stream/'.length);
  const names = (list.data ?? []).map((c) => c.ConsumerName!).join('\n');
  const lag = useLoad(() => consumerLag(stream, names ? names.split('\n') : []), [stream, names], 10_000);
  const [name, setName] = useState('');
  const reg = useAction(async () => {
    await kinesis().send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: name }));
    setName('');
    list.reload();
  });
  const dereg = useAction(async (consumerArn: string) => {
    await kinesis().send(new DeregisterStreamConsumerCommand({ ConsumerARN: consumerArn }));
    list.reload();
  });
  return (
    <section class="card" aria-label="Consumers">
      <h2>Consumers (enhanced fan-out)</h2>
      <ErrorText error={list.error ?? lag.error ?? dereg.error} />
      <table class="plain">
        <thead>
          <tr>
            <th>Name</th>
            <th>Status</th>
            <th>Registered</th>
            <th class="num" title="Highest MillisBehindLatest of its subscriptions' events in the newest minute (SubscribeToShardEvent.MillisBehindLatest)">
              Behind latest
            </th>
            <th class="num" title="Records pushed to it in the last 5 minutes (SubscribeToShardEvent.Records)">Records (5 min)</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((c) => (
            <tr key={c.ConsumerARN}>
              <td title={c.ConsumerARN}>{c.ConsumerName}</td>
              <td>{c.ConsumerStatus}</td>
              <td>{c.ConsumerCreationTimestamp?.toLocaleString()}</td>
              <td class="num" data-testid="consumer-behind">
                {lag.data?.get(c.ConsumerName!)?.behind === undefined ? 'no subscription' : `${lag.data!.get(c.ConsumerName!)!.behind} ms`}
              </td>
              <td class="num" data-testid="consumer-records">{lag.data?.get(c.ConsumerName!)?.records ?? '–'}</td>
              <td>
                <button class="small" onClick={() => void dereg.run(c.ConsumerARN!)} aria-label={`Deregister ${c.ConsumerName}`}>
                  Deregister
                </button>
              </td>
            </tr>
          ))}
          {list.data?.length === 0 && (
            <tr>
              <td colSpan={6} class="muted">
                No registered consumers. Polling readers (GetRecords) show in the iterator-age chart.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <form class="fields" onSubmit={(e) => (e.preventDefault(), void reg.run())} aria-label="Register consumer">
        <label>
          Consumer name <input name="ConsumerName" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={reg.busy}>
          Register
        </button>
      </form>
      <ErrorText error={reg.error} />
    </section>
  );
}
