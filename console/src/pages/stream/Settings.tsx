import {
  AddTagsToStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DisableEnhancedMonitoringCommand,
  EnableEnhancedMonitoringCommand,
  IncreaseStreamRetentionPeriodCommand,
  ListTagsForStreamCommand,
  RemoveTagsFromStreamCommand,
  UpdateStreamModeCommand,
  type StreamDescriptionSummary,
  type Tag,
} from '@aws-sdk/client-kinesis';
import { useEffect, useState } from 'preact/hooks';
import { kinesis } from '../../aws/kinesis';
import { ErrorText } from '../../components/ErrorText';
import { useAction, useLoad } from '../../components/hooks';

/** Retention, capacity mode and tags of one stream. */
export function Settings({ s, onChanged }: { s: StreamDescriptionSummary; onChanged: () => void }) {
  const name = s.StreamName!;
  const [hours, setHours] = useState(String(s.RetentionPeriodHours ?? 24));
  useEffect(() => setHours(String(s.RetentionPeriodHours ?? 24)), [s.RetentionPeriodHours]);
  const retention = useAction(async () => {
    const h = Math.trunc(Number(hours));
    const Cmd = h >= (s.RetentionPeriodHours ?? 24) ? IncreaseStreamRetentionPeriodCommand : DecreaseStreamRetentionPeriodCommand;
    await kinesis().send(new Cmd({ StreamName: name, RetentionPeriodHours: h }));
    onChanged();
  });
  const current = s.StreamModeDetails?.StreamMode ?? 'PROVISIONED';
  const mode = useAction(async () => {
    await kinesis().send(
      new UpdateStreamModeCommand({ StreamARN: s.StreamARN, StreamModeDetails: { StreamMode: current === 'ON_DEMAND' ? 'PROVISIONED' : 'ON_DEMAND' } }),
    );
    onChanged();
  });
  const monitored = (s.EnhancedMonitoring ?? []).some((m) => m.ShardLevelMetrics?.length);
  const monitoring = useAction(async () => {
    const Cmd = monitored ? DisableEnhancedMonitoringCommand : EnableEnhancedMonitoringCommand;
    await kinesis().send(new Cmd({ StreamName: name, ShardLevelMetrics: ['ALL'] }));
    onChanged();
  });
  return (
    <section class="card" aria-label="Settings">
      <h2>Settings</h2>
      <div class="grid2">
        <form onSubmit={(e) => (e.preventDefault(), void retention.run())} aria-label="Retention">
          <label>
            Retention (hours, 24–8760){' '}
            <input name="RetentionPeriodHours" inputMode="numeric" value={hours} onInput={(e) => setHours(e.currentTarget.value)} size={6} />
          </label>{' '}
          <button type="submit" disabled={retention.busy}>
            Apply
          </button>
          <ErrorText error={retention.error} />
        </form>
        <div>
          Capacity mode: <strong>{current}</strong>{' '}
          <button onClick={() => void mode.run()} disabled={mode.busy}>
            Switch to {current === 'ON_DEMAND' ? 'provisioned' : 'on-demand'}
          </button>
          <ErrorText error={mode.error} />
        </div>
        <div>
          Shard-level metrics: <strong>{monitored ? 'on' : 'off'}</strong>{' '}
          <button onClick={() => void monitoring.run()} disabled={monitoring.busy}>
            {monitored ? 'Disable' : 'Enable'} enhanced monitoring
          </button>
          <ErrorText error={monitoring.error} />
        </div>
      </div>
      <Tags name={name} />
    </section>
  );
}

function Tags({ name }: { name: string }) {
  const tags = useLoad(async () => {
    const out: Tag[] = [];
    let start: string | undefined;
    for (;;) {
      const r = await kinesis().send(new ListTagsForStreamCommand({ StreamName: name, ExclusiveStartTagKey: start }));
      out.push(...(r.Tags ?? []));
      if (!r.HasMoreTags || !r.Tags?.length) return out;
      start = r.Tags[r.Tags.length - 1].Key;
    }
  }, [name]);
  const [k, setK] = useState('');
  const [v, setV] = useState('');
  const add = useAction(async () => {
    await kinesis().send(new AddTagsToStreamCommand({ StreamName: name, Tags: { [k]: v } }));
    setK('');
    setV('');
    tags.reload();
  });
  const remove = useAction(async (key: string) => {
    await kinesis().send(new RemoveTagsFromStreamCommand({ StreamName: name, TagKeys: [key] }));
    tags.reload();
  });
  return (
    <div>
      <h3>Tags</h3>
      <ErrorText error={tags.error ?? remove.error} />
      <table class="plain" aria-label="Tags">
        <tbody>
          {(tags.data ?? []).map((t) => (
            <tr key={t.Key}>
              <td>{t.Key}</td>
              <td>{t.Value}</td>
              <td>
                <button class="small" onClick={() => void remove.run(t.Key!)} aria-label={`Remove tag ${t.Key}`}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
          {tags.data?.length === 0 && (
            <tr>
              <td class="muted">No tags.</td>
            </tr>
          )}
        </tbody>
      </table>
      <form class="fields" onSubmit={(e) => (e.preventDefault(), void add.run())} aria-label="Add tag">
        <label>
          Key <input name="TagKey" value={k} onInput={(e) => setK(e.currentTarget.value)} />
        </label>
        <label>
          Value <input name="TagValue" value={v} onInput={(e) => setV(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={add.busy}>
          Add tag
        </button>
      </form>
      <ErrorText error={add.error} />
    </div>
  );
}
