import { DeregisterStreamConsumerCommand, RegisterStreamConsumerCommand } from '@aws-sdk/client-kinesis';
import { useState } from 'preact/hooks';
import { kinesis } from '../../aws/kinesis';
import { ErrorText } from '../../components/ErrorText';
import { useAction, useLoad } from '../../components/hooks';
import { listAllConsumers } from './data';

/** Enhanced fan-out consumers of a stream: list, register, deregister. */
export function Consumers({ arn }: { arn: string }) {
  const list = useLoad((signal) => listAllConsumers(arn, signal), [arn], 10_000);
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
      <ErrorText error={list.error ?? dereg.error} />
      <table class="plain">
        <thead>
          <tr>
            <th>Name</th>
            <th>Status</th>
            <th>Registered</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((c) => (
            <tr key={c.ConsumerARN}>
              <td title={c.ConsumerARN}>{c.ConsumerName}</td>
              <td>{c.ConsumerStatus}</td>
              <td>{c.ConsumerCreationTimestamp?.toLocaleString()}</td>
              <td>
                <button class="small" onClick={() => void dereg.run(c.ConsumerARN!)} aria-label={`Deregister ${c.ConsumerName}`}>
                  Deregister
                </button>
              </td>
            </tr>
          ))}
          {list.data?.length === 0 && (
            <tr>
              <td colSpan={4} class="muted">
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
