import { useState } from 'preact/hooks';
import { series, type MetricSpec } from '../../aws/metrics';
import { Chart } from '../../components/Chart';
import { ErrorText } from '../../components/ErrorText';
import { useLoad } from '../../components/hooks';

const RANGES: [string, number][] = [
  ['15 min', 900],
  ['1 h', 3600],
  ['3 h', 10800],
  ['12 h', 43200],
  ['24 h', 86400],
  ['7 d', 604800],
];

/** CloudWatch charts of one stream (or one shard of it, with enhanced monitoring), refreshed every 10 s. */
export function StreamCharts({ name, shardId }: { name: string; shardId?: string }) {
  const [range, setRange] = useState(900);
  const dims: Record<string, string> = shardId ? { StreamName: name, ShardId: shardId } : { StreamName: name };
  const m = (id: string, metric: string, stat: MetricSpec['stat'] = 'Sum'): MetricSpec => ({ id, namespace: 'AWS/Kinesis', metric, dimensions: dims, stat });
  const specs = [
    m('rec', 'IncomingRecords'),
    m('byt', 'IncomingBytes'),
    m('age', shardId ? 'IteratorAgeMilliseconds' : 'GetRecords.IteratorAgeMilliseconds', 'Maximum'),
    m('wthr', 'WriteProvisionedThroughputExceeded'),
    m('rthr', 'ReadProvisionedThroughputExceeded'),
    m('out', shardId ? 'OutgoingRecords' : 'GetRecords.Records'),
  ];
  const r = useLoad(() => series(specs, range), [name, shardId, range], 10_000);
  const d = r.data?.data;
  const col = (i: number) => (d ? [d[0], d[i]] : [[], []]) as [number[], (number | null)[]];
  const two = (i: number, j: number) => (d ? [d[0], d[i], d[j]] : [[], [], []]) as [number[], ...(number | null)[][]];
  return (
    <section class="card" aria-label={shardId ? `Metrics of ${shardId}` : 'Metrics'}>
      <div class="toolbar">
        <h2 style={{ margin: 0 }}>Metrics{shardId ? ` of ${shardId}` : ''}</h2>
        <label>
          Range{' '}
          <select value={range} onChange={(e) => setRange(Number(e.currentTarget.value))} name="range">
            {RANGES.map(([l, s]) => (
              <option key={s} value={s}>
                last {l}
              </option>
            ))}
          </select>
        </label>
        <span class="muted small">{r.data ? `per ${r.data.period} s, sums per period` : 'loading…'}</span>
      </div>
      <ErrorText error={r.error} />
      <div class="charts">
        <Chart title="Incoming records" data={col(1)} series={[{ label: 'IncomingRecords', color: '#0b5cad' }]} />
        <Chart title="Incoming bytes" data={col(2)} series={[{ label: 'IncomingBytes', color: '#1b7f3b' }]} bytes />
        <Chart title="Records read" data={col(6)} series={[{ label: 'GetRecords.Records', color: '#6b3fa0' }]} />
        <Chart title="Iterator age (ms, max)" data={col(3)} series={[{ label: 'IteratorAge', color: '#a06000' }]} />
        <Chart
          title="Throttled"
          data={two(4, 5)}
          series={[
            { label: 'Write exceeded', color: '#b3261e' },
            { label: 'Read exceeded', color: '#e07b00' },
          ]}
        />
      </div>
    </section>
  );
}
