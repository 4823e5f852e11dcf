import { describe, expect, it } from 'vitest';
import { bucketCounts, histogram, parseProm, parseSample, quantile, sumBy } from './prom';

const text = `# HELP runnel_log_fdatasync_milliseconds Duration of each fdatasync of a log segment.
# TYPE runnel_log_fdatasync_milliseconds histogram
runnel_log_fdatasync_milliseconds_bucket{le="1"} 2
runnel_log_fdatasync_milliseconds_bucket{le="5"} 6
runnel_log_fdatasync_milliseconds_bucket{le="+Inf"} 8
runnel_log_fdatasync_milliseconds_sum 30.5
runnel_log_fdatasync_milliseconds_count 8
# TYPE runnel_open_connections gauge
runnel_open_connections{protocol="http/1.1",tls="false"} 3
runnel_open_connections{protocol="h2c",tls="false"} 1
# TYPE runnel_requests_total counter
runnel_requests_total{service="kinesis",operation="PutRecord"} 10
runnel_requests_total{service="kinesis",operation="ListStreams"} 0
runnel_requests_total{service="firehose",operation="PutRecord"} 4
# TYPE runnel_request_latency_milliseconds histogram
runnel_request_latency_milliseconds_bucket{service="kinesis",operation="PutRecord",le="1"} 5
runnel_request_latency_milliseconds_bucket{service="kinesis",operation="PutRecord",le="+Inf"} 10
runnel_request_latency_milliseconds_bucket{service="s3",operation="GetObject",le="1"} 1
runnel_request_latency_milliseconds_bucket{service="s3",operation="GetObject",le="+Inf"} 1
runnel_process_resident_memory_bytes 2.3e7
`;

describe('parseProm', () => {
  const fams = parseProm(text);
  it('groups samples under their # TYPE family, suffixes included', () => {
    const f = fams.get('runnel_log_fdatasync_milliseconds')!;
    expect(f.type).toBe('histogram');
    expect(f.help).toBe('Duration of each fdatasync of a log segment.');
    expect(f.samples.length).toBe(5);
    expect(fams.get('runnel_requests_total')!.samples.length).toBe(3);
    expect(fams.get('runnel_process_resident_memory_bytes')!.samples[0].value).toBe(23_000_000);
  });
  it('reads escaped label values, timestamps, +Inf and NaN, and skips junk', () => {
    expect(parseSample('m{a="x\\"y\\\\z\\n",b="2"} 1.5 1700000000')).toEqual({ name: 'm', labels: { a: 'x"y\\z\n', b: '2' }, value: 1.5 });
    expect(parseSample('m +Inf')!.value).toBe(Infinity);
    expect(parseSample('m NaN')!.value).toBeNaN();
    expect(parseSample('m{a="x"')).toBeNull();
    expect(parseSample('m abc')).toBeNull();
    expect(parseSample('{a="b"} 1')).toBeNull();
  });
  it('sums by labels, drops zeros, biggest first', () => {
    expect(sumBy(fams.get('runnel_requests_total'), ['service', 'operation'])).toEqual([
      { key: ['kinesis', 'PutRecord'], value: 10 },
      { key: ['firehose', 'PutRecord'], value: 4 },
    ]);
    expect(sumBy(fams.get('runnel_open_connections'), [])).toEqual([{ key: [], value: 4 }]);
  });
});

describe('histograms', () => {
  const fams = parseProm(text);
  it('reads buckets, sum and count', () => {
    const h = histogram(fams.get('runnel_log_fdatasync_milliseconds'));
    expect(h.buckets).toEqual([{ le: 1, count: 2 }, { le: 5, count: 6 }, { le: Infinity, count: 8 }]);
    expect(h.sum).toBe(30.5);
    expect(h.count).toBe(8);
    expect(bucketCounts(h).map((b) => b.count)).toEqual([2, 4, 2]);
  });
  it('adds label sets together, or keeps only some', () => {
    const f = fams.get('runnel_request_latency_milliseconds');
    expect(histogram(f).buckets).toEqual([{ le: 1, count: 6 }, { le: Infinity, count: 11 }]);
    expect(histogram(f, (l) => l.service === 's3').buckets[1].count).toBe(1);
  });
  it('interpolates quantiles like histogram_quantile', () => {
    const h = histogram(fams.get('runnel_log_fdatasync_milliseconds'));
    expect(quantile(h, 0.25)).toBe(1); // rank 2 is the top of the first bucket
    expect(quantile(h, 0.5)).toBe(3); // rank 4: halfway through 1..5
    expect(quantile(h, 0.99)).toBe(5); // in +Inf: the last finite bound
    expect(quantile({ buckets: [{ le: 1, count: 0 }], sum: 0, count: 0 }, 0.5)).toBeNaN();
  });
});
