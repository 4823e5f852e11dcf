// CloudWatch GetMetricData for Kinesis and Firehose, shaped for charts.

import { GetMetricDataCommand, type MetricDataQuery, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { align, choosePeriod, window } from '../lib/chartdata';
import { cloudwatch } from './cloudwatch';

export interface MetricSpec {
  id: string;
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  stat: 'Sum' | 'Average' | 'Maximum';
}

/** All results of one GetMetricData (following NextToken); at most 500 queries per call, as AWS allows. */
export async function getMetricData(specs: MetricSpec[], start: number, end: number, period: number): Promise<MetricDataResult[]> {
  const out: MetricDataResult[] = [];
  for (let i = 0; i < specs.length; i += 500) {
    const queries: MetricDataQuery[] = specs.slice(i, i + 500).map((s) => ({
      Id: s.id,
      MetricStat: {
        Metric: { Namespace: s.namespace, MetricName: s.metric, Dimensions: Object.entries(s.dimensions).map(([Name, Value]) => ({ Name, Value })) },
        Period: period,
        Stat: s.stat,
      },
    }));
    let token: string | undefined;
    do {
      const r = await cloudwatch().send(
        new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(start * 1000), EndTime: new Date(end * 1000), NextToken: token }),
      );
      for (const res of r.MetricDataResults ?? []) {
        const prev = out.find((o) => o.Id === res.Id);
        if (prev) {
          prev.Timestamps = [...(prev.Timestamps ?? []), ...(res.Timestamps ?? [])];
          prev.Values = [...(prev.Values ?? []), ...(res.Values ?? [])];
        } else out.push(res);
      }
      token = r.NextToken;
    } while (token);
  }
  return out;
}

/** The last `rangeSeconds` of each spec, aligned for uPlot; sums fill gaps with 0, others with null. */
export async function series(specs: MetricSpec[], rangeSeconds: number) {
  const period = choosePeriod(rangeSeconds);
  const { start, end } = window(Date.now(), rangeSeconds, period);
  const results = await getMetricData(specs, start, end, period);
  const stats = new Map(specs.map((s) => [s.id, s.stat]));
  return { period, data: align(results, specs.map((s) => s.id), start, end, period, (id) => (stats.get(id) === 'Sum' ? 0 : null)) };
}
