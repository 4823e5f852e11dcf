// The AWS SDK for JavaScript v3's CloudWatch client (@aws-sdk/client-cloudwatch,
// which speaks AWS JSON 1.0 to CloudWatch) against runnel: PutMetricData (a value
// with dimensions, values with counts, a statistic set; a body the SDK
// gzip-compresses), GetMetricStatistics with exact statistics, GetMetricData
// with an expression, ListMetrics with the SDK's paginator, an error as the
// SDK's typed exception; and Kinesis's AWS/Kinesis metrics after a workload.
//
// Run: RUNNEL_ENDPOINT=http://127.0.0.1:PORT node --test cloudwatch.test.mjs
import { test, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";

const {
  CloudWatchClient,
  PutMetricDataCommand,
  GetMetricStatisticsCommand,
  GetMetricDataCommand,
  ListMetricsCommand,
  InvalidParameterValueException,
  paginateListMetrics,
} = await import("@aws-sdk/client-cloudwatch");
const {
  KinesisClient,
  CreateStreamCommand,
  DeleteStreamCommand,
  PutRecordCommand,
  PutRecordsCommand,
  GetShardIteratorCommand,
  GetRecordsCommand,
  ListShardsCommand,
  waitUntilStreamExists,
} = await import("@aws-sdk/client-kinesis");

const endpoint = process.env.RUNNEL_ENDPOINT ?? "http://127.0.0.1:4567";
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "dummy-secret" };
const cw = new CloudWatchClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
const kinesis = new KinesisClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
const ns = `Node-${crypto.randomBytes(6).toString("hex")}`;
// The request the SDK sent last, as it left the client (after compression and signing).
const sent = [];
cw.middlewareStack.add(
  (next) => async (args) => {
    sent.push({ headers: { ...args.request.headers }, body: args.request.body });
    return next(args);
  },
  { step: "finalizeRequest", priority: "low", name: "recordSent" },
);

after(() => {
  cw.destroy();
  kinesis.destroy();
});

// A whole minute `ago` minutes back, in seconds: data put there falls into one period.
function minuteBase(ago) {
  return (Math.floor(Date.now() / 60000) - ago) * 60;
}
const at = (s) => new Date(s * 1000);

// Calls fetch() until ok(value); returns the value or fails with the last one.
async function waitFor(fetch, ok, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fetch();
    if (ok(value)) return value;
    if (Date.now() > deadline) assert.fail(`${what} not as expected after ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const base = minuteBase(10);
const dims = [
  { Name: "Host", Value: "h1" },
  { Name: "Az", Value: "a" },
];

test("putMetricData of every datum kind, then exact getMetricStatistics", async () => {
  await cw.send(
    new PutMetricDataCommand({
      Namespace: ns,
      MetricData: [
        { MetricName: "Latency", Dimensions: dims, Timestamp: at(base + 1), Value: 10, Unit: "Milliseconds" },
        {
          MetricName: "Latency",
          Dimensions: [...dims].reverse(),
          Timestamp: at(base + 2),
          Values: [1, 2, 3],
          Counts: [1, 2, 3],
          Unit: "Milliseconds",
        },
        {
          MetricName: "Latency",
          Dimensions: dims,
          Timestamp: at(base + 3),
          StatisticValues: { SampleCount: 4, Sum: 100, Minimum: 5, Maximum: 40 },
          Unit: "Milliseconds",
        },
      ],
    }),
  );
  const out = await waitFor(
    () =>
      cw.send(
        new GetMetricStatisticsCommand({
          Namespace: ns,
          MetricName: "Latency",
          Dimensions: dims,
          StartTime: at(base),
          EndTime: at(base + 60),
          Period: 60,
          Statistics: ["SampleCount", "Sum", "Average", "Minimum", "Maximum"],
        }),
      ),
    (o) => o.Datapoints.length === 1 && o.Datapoints[0].SampleCount === 11,
    "GetMetricStatistics",
  );
  const p = out.Datapoints[0];
  assert.equal(out.Label, "Latency");
  assert.equal(p.Timestamp.getTime(), base * 1000);
  assert.deepEqual([p.SampleCount, p.Sum, p.Minimum, p.Maximum, p.Unit], [11, 124, 1, 40, "Milliseconds"]);
  assert.ok(Math.abs(p.Average - 124 / 11) < 1e-9, String(p.Average));
  assert.equal(sent.at(-1).headers["x-amz-target"], "GraniteServiceVersion20100801.GetMetricStatistics");
  assert.equal(sent.at(-1).headers["content-type"], "application/x-amz-json-1.0");
});

test("getMetricData with a MetricStat and an expression, both scan orders", async () => {
  await cw.send(
    new PutMetricDataCommand({
      Namespace: ns,
      MetricData: [0, 1, 2].map((k) => ({ MetricName: "Seq", Timestamp: at(base + 60 * k + 5), Value: k + 1 })),
    }),
  );
  const queries = [
    { Id: "m1", MetricStat: { Metric: { Namespace: ns, MetricName: "Seq" }, Period: 60, Stat: "Sum" } },
    { Id: "e1", Expression: "m1 * 10 + 1", Label: "scaled" },
  ];
  const ask = (ScanBy) =>
    cw.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: at(base), EndTime: at(base + 180), ScanBy }));
  await waitFor(() => ask("TimestampAscending"), (o) => o.MetricDataResults[0].Values.length === 3, "GetMetricData");
  const asc = await ask("TimestampAscending");
  const byId = Object.fromEntries(asc.MetricDataResults.map((r) => [r.Id, r]));
  assert.deepEqual(byId.m1.Values, [1, 2, 3]);
  assert.equal(byId.m1.Label, "Seq");
  assert.deepEqual(
    byId.m1.Timestamps.map((t) => t.getTime() / 1000),
    [base, base + 60, base + 120],
  );
  assert.deepEqual(byId.e1.Values, [11, 21, 31]);
  assert.equal(byId.e1.Label, "scaled");
  assert.equal(byId.e1.StatusCode, "Complete");
  const desc = await ask("TimestampDescending");
  assert.deepEqual(desc.MetricDataResults.find((r) => r.Id === "e1").Values, [31, 21, 11]);
});

test("a large putMetricData is gzip-compressed by the SDK and counted exactly", async () => {
  const values = Array.from({ length: 150 }, (_, i) => i + 1);
  const data = Array.from({ length: 20 }, () => ({ MetricName: "Big", Timestamp: at(base + 7), Values: values }));
  await cw.send(new PutMetricDataCommand({ Namespace: ns, MetricData: data }));
  const put = sent.at(-1);
  assert.equal(put.headers["content-encoding"], "gzip", JSON.stringify(put.headers));
  const out = await waitFor(
    () =>
      cw.send(
        new GetMetricStatisticsCommand({
          Namespace: ns,
          MetricName: "Big",
          StartTime: at(base),
          EndTime: at(base + 60),
          Period: 60,
          Statistics: ["SampleCount", "Sum"],
        }),
      ),
    (o) => o.Datapoints.length === 1 && o.Datapoints[0].SampleCount === 3000,
    "GetMetricStatistics Big",
  );
  assert.equal(out.Datapoints[0].Sum, 20 * 11325);
});

test("listMetrics with the SDK's paginator, filters and dimensions", async () => {
  const other = `${ns}-list`;
  await cw.send(
    new PutMetricDataCommand({
      Namespace: other,
      MetricData: Array.from({ length: 510 }, (_, i) => ({
        MetricName: `M${String(i).padStart(3, "0")}`,
        Dimensions: [{ Name: "Part", Value: String(i % 2) }],
        Value: 1,
      })),
    }),
  );
  const all = async (input) => {
    const names = [];
    for await (const page of paginateListMetrics({ client: cw }, input)) names.push(...page.Metrics);
    return names;
  };
  const metrics = await waitFor(() => all({ Namespace: other }), (m) => m.length === 510, "ListMetrics");
  assert.equal(new Set(metrics.map((m) => m.MetricName)).size, 510);
  const first = await cw.send(new ListMetricsCommand({ Namespace: other }));
  assert.equal(first.Metrics.length, 500);
  assert.ok(first.NextToken);
  const odd = await all({ Namespace: other, Dimensions: [{ Name: "Part", Value: "1" }] });
  assert.equal(odd.length, 255);
  assert.deepEqual(odd[0].Dimensions, [{ Name: "Part", Value: "1" }]);
  const named = await all({ Namespace: other, MetricName: "M007" });
  assert.deepEqual(named.map((m) => m.MetricName), ["M007"]);
});

test("a refused call is the SDK's typed InvalidParameterValueException, HTTP 400", async () => {
  await assert.rejects(
    cw.send(new PutMetricDataCommand({ Namespace: "AWS/EC2", MetricData: [{ MetricName: "X", Value: 1 }] })),
    (err) => {
      assert.ok(err instanceof InvalidParameterValueException, `${err.name}: ${err.message}`);
      assert.equal(err.$metadata.httpStatusCode, 400);
      assert.ok(err.message.length > 0);
      return true;
    },
  );
});

// Kinesis's own metrics: see tests/e2e/test_cloudwatch_kinesis.py for the workload's expected values.
test("AWS/Kinesis statistics equal a scripted workload", async () => {
  const stream = `cwnode-${crypto.randomBytes(6).toString("hex")}`;
  await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
  try {
    await waitUntilStreamExists({ client: kinesis, minDelay: 1, maxWaitTime: 30 }, { StreamName: stream });
    const start = minuteBase(1);
    // Records of known sizes; IncomingBytes counts data + partition key (docs/kinesis-metrics.md).
    const keys = [...Array.from({ length: 5 }, (_, i) => `pk${i}`),
      ...Array.from({ length: 40 }, (_, i) => `pk${Math.floor(i / 20)}-${i % 20}`)];
    const sizes = keys.map((_, i) => ((i * 37) % 300) + 1);
    let n = 0;
    for (let i = 0; i < 5; i++, n++) {
      await kinesis.send(new PutRecordCommand({ StreamName: stream, PartitionKey: keys[n], Data: new Uint8Array(sizes[n]) }));
    }
    for (let j = 0; j < 2; j++) {
      const Records = Array.from({ length: 20 }, () => ({ PartitionKey: keys[n], Data: new Uint8Array(sizes[n++]) }));
      const out = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records }));
      assert.equal(out.FailedRecordCount ?? 0, 0);
    }
    const shard = (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards[0].ShardId;
    let { ShardIterator: it } = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: stream, ShardId: shard, ShardIteratorType: "TRIM_HORIZON" }),
    );
    let read = 0;
    for (let i = 0; i < 20 && it && read < 45; i++) {
      const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: it, Limit: 1000 }));
      read += out.Records.length;
      it = out.NextShardIterator;
    }
    assert.equal(read, 45);
    const expected = {
      IncomingRecords: 45,
      IncomingBytes: sizes.reduce((a, b) => a + b, 0) + keys.reduce((a, k) => a + Buffer.byteLength(k), 0),
      "PutRecords.TotalRecords": 40,
      "GetRecords.Records": 45,
    };
    const sums = async () => {
      const got = {};
      for (const name of Object.keys(expected)) {
        const out = await cw.send(
          new GetMetricStatisticsCommand({
            Namespace: "AWS/Kinesis",
            MetricName: name,
            Dimensions: [{ Name: "StreamName", Value: stream }],
            StartTime: at(start),
            EndTime: at(minuteBase(-2)),
            Period: 60,
            Statistics: ["Sum"],
          }),
        );
        got[name] = out.Datapoints.reduce((a, p) => a + p.Sum, 0);
      }
      return got;
    };
    assert.deepEqual(await waitFor(sums, (g) => JSON.stringify(g) === JSON.stringify(expected), "AWS/Kinesis sums"), expected);
  } finally {
    await kinesis.send(new DeleteStreamCommand({ StreamName: stream }));
  }
});
