// The AWS SDK for JavaScript v3 against runnel, with the SDK's DEFAULT request
// handler (NodeHttp2Handler: every call over h2c prior knowledge).
//
// To prove HTTP/2 is really used, node:http2's connect() is wrapped before the
// SDK makes any call: the wrapper records each session the SDK opens (and its
// negotiated protocol) and otherwise passes everything through untouched.
//
// Run: RUNNEL_ENDPOINT=http://127.0.0.1:PORT node --test kinesis.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http2 from "node:http2";
import crypto from "node:crypto";

const sessions = [];
const realConnect = http2.connect;
http2.connect = function (...args) {
  const session = realConnect.apply(this, args);
  const entry = { authority: String(args[0]), session, connected: false, settings: false, alpn: null };
  session.once("connect", () => {
    entry.connected = true;
    entry.alpn = session.alpnProtocol;
  });
  session.once("remoteSettings", () => {
    entry.settings = true;
  });
  sessions.push(entry);
  return session;
};

const {
  KinesisClient,
  CreateStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  PutRecordCommand,
  PutRecordsCommand,
  GetShardIteratorCommand,
  GetRecordsCommand,
  ListShardsCommand,
  ListStreamsCommand,
  DeleteStreamCommand,
  ResourceNotFoundException,
  waitUntilStreamExists,
} = await import("@aws-sdk/client-kinesis");

const endpoint = process.env.RUNNEL_ENDPOINT ?? "http://127.0.0.1:4567";
const account = "000000000000";
// Diagnosis only: RUNNEL_E2E_HTTP1=1 swaps in the HTTP/1.1 handler to tell an h2c
// problem from an API problem. run.sh never sets it; the h2c test fails under it.
const forceHttp1 = process.env.RUNNEL_E2E_HTTP1 === "1";
const client = new KinesisClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "dummy-secret" },
  maxAttempts: 1,
  ...(forceHttp1
    ? { requestHandler: new (await import("@smithy/node-http-handler")).NodeHttpHandler() }
    : {}),
});
const streamName = `node-${crypto.randomBytes(6).toString("hex")}`;
const created = [];

function md5Hash(key) {
  return BigInt("0x" + crypto.createHash("md5").update(key, "utf8").digest("hex"));
}

function shardFor(shards, key) {
  const h = md5Hash(key);
  const shard = shards.find(
    (s) => BigInt(s.HashKeyRange.StartingHashKey) <= h && h <= BigInt(s.HashKeyRange.EndingHashKey),
  );
  assert.ok(shard, `no shard covers ${key}`);
  return shard.ShardId;
}

async function readShard(shardId, type = "TRIM_HORIZON") {
  let { ShardIterator: it } = await client.send(
    new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: type }),
  );
  const records = [];
  for (let i = 0; i < 50 && it; i++) {
    const out = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: 1000 }));
    records.push(...out.Records);
    it = out.NextShardIterator;
    if (out.Records.length === 0) break;
  }
  return records;
}

before(async () => {
  await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 3 }));
  created.push(streamName);
  await waitUntilStreamExists({ client, minDelay: 1, maxWaitTime: 30 }, { StreamName: streamName });
});

after(async () => {
  for (const name of created) {
    try {
      await client.send(new DeleteStreamCommand({ StreamName: name }));
    } catch {}
  }
  client.destroy();
});

test("the default request handler is NodeHttp2Handler and the calls went over h2c", async () => {
  const handler = client.config.requestHandler;
  assert.equal(handler.constructor.name, "NodeHttp2Handler");
  const out = await client.send(new ListStreamsCommand({ Limit: 5 }));
  assert.equal(out.$metadata.httpStatusCode, 200);
  assert.ok(sessions.length >= 1, "the SDK never opened an HTTP/2 session (connect not called)");
  // The SDK sets disableConcurrentStreams, so it may open a session per call; every
  // one must have connected as cleartext HTTP/2 and received the server's SETTINGS.
  const used = sessions.filter((e) => e.authority.startsWith(endpoint.replace(/\/$/, "")));
  assert.ok(used.length >= 1, `no session to ${endpoint}: ${sessions.map((e) => e.authority)}`);
  for (const e of used) {
    if (!e.connected) continue;
    assert.equal(e.alpn, "h2c");
    assert.equal(e.session.encrypted, false);
  }
  assert.ok(used.some((e) => e.connected && e.settings), "no session got the server's HTTP/2 SETTINGS");
});

test("x-amzn-RequestId comes back as $metadata.requestId", async () => {
  const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
  assert.ok(out.$metadata.requestId, "missing request id");
});

test("describeStream and describeStreamSummary", async () => {
  const { StreamDescription: d } = await client.send(new DescribeStreamCommand({ StreamName: streamName }));
  assert.equal(d.StreamName, streamName);
  assert.equal(d.StreamStatus, "ACTIVE");
  assert.equal(d.StreamARN, `arn:aws:kinesis:us-east-1:${account}:stream/${streamName}`);
  assert.equal(d.Shards.length, 3);
  assert.equal(d.HasMoreShards, false);
  assert.ok(d.StreamCreationTimestamp instanceof Date);
  assert.ok(Math.abs(Date.now() - d.StreamCreationTimestamp.getTime()) < 300_000);
  for (const s of d.Shards) assert.match(s.SequenceNumberRange.StartingSequenceNumber, /^\d{56}$/);
  const { StreamDescriptionSummary: s } = await client.send(
    new DescribeStreamSummaryCommand({ StreamName: streamName }),
  );
  assert.equal(s.OpenShardCount, 3);
  assert.equal(s.RetentionPeriodHours, 24);
});

test("listShards with MaxResults and NextToken", async () => {
  const first = await client.send(new ListShardsCommand({ StreamName: streamName, MaxResults: 2 }));
  assert.equal(first.Shards.length, 2);
  assert.ok(first.NextToken);
  const rest = await client.send(new ListShardsCommand({ NextToken: first.NextToken }));
  const ids = [...first.Shards, ...rest.Shards].map((s) => s.ShardId);
  assert.deepEqual(ids, ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"]);
});

test("putRecord routes by MD5 and getRecords returns the bytes", async () => {
  const { Shards: shards } = await client.send(new ListShardsCommand({ StreamName: streamName }));
  const data = new Uint8Array(crypto.randomBytes(5000));
  data[0] = 0;
  data[1] = 255;
  const put = await client.send(
    new PutRecordCommand({ StreamName: streamName, PartitionKey: "node-key-1", Data: data }),
  );
  assert.equal(put.ShardId, shardFor(shards, "node-key-1"));
  assert.match(put.SequenceNumber, /^\d+$/);
  const records = await readShard(put.ShardId);
  const rec = records.find((r) => r.SequenceNumber === put.SequenceNumber);
  assert.ok(rec, "record not read back");
  assert.deepEqual(Buffer.from(rec.Data), Buffer.from(data));
  assert.equal(rec.PartitionKey, "node-key-1");
  assert.ok(rec.ApproximateArrivalTimestamp instanceof Date);
});

test("putRecords keeps per-record results in request order", async () => {
  const { Shards: shards } = await client.send(new ListShardsCommand({ StreamName: streamName }));
  const entries = Array.from({ length: 100 }, (_, i) => ({
    PartitionKey: `batch-${i}`,
    Data: Buffer.from(`payload-${i}`),
  }));
  const out = await client.send(new PutRecordsCommand({ StreamName: streamName, Records: entries }));
  assert.equal(out.FailedRecordCount, 0);
  assert.equal(out.Records.length, 100);
  out.Records.forEach((r, i) => assert.equal(r.ShardId, shardFor(shards, `batch-${i}`)));
  const bySeq = new Map(out.Records.map((r, i) => [r.SequenceNumber, entries[i]]));
  let found = 0;
  for (const shard of shards) {
    for (const rec of await readShard(shard.ShardId)) {
      const entry = bySeq.get(rec.SequenceNumber);
      if (!entry) continue;
      assert.equal(Buffer.from(rec.Data).toString(), entry.Data.toString());
      found++;
    }
  }
  assert.equal(found, 100);
});

test("getShardIterator LATEST then new data; AT_SEQUENCE_NUMBER", async () => {
  const { ShardIterator: latest } = await client.send(
    new GetShardIteratorCommand({
      StreamName: streamName, ShardId: "shardId-000000000000", ShardIteratorType: "LATEST",
    }),
  );
  const empty = await client.send(new GetRecordsCommand({ ShardIterator: latest }));
  assert.equal(empty.Records.length, 0);
  assert.equal(empty.MillisBehindLatest, 0);
  const put = await client.send(
    new PutRecordCommand({
      StreamName: streamName, PartitionKey: "x", ExplicitHashKey: "0", Data: Buffer.from("latest"),
    }),
  );
  assert.equal(put.ShardId, "shardId-000000000000");
  const next = await client.send(new GetRecordsCommand({ ShardIterator: empty.NextShardIterator }));
  assert.deepEqual(next.Records.map((r) => Buffer.from(r.Data).toString()), ["latest"]);
  const { ShardIterator: at } = await client.send(
    new GetShardIteratorCommand({
      StreamName: streamName, ShardId: "shardId-000000000000",
      ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: put.SequenceNumber,
    }),
  );
  const again = await client.send(new GetRecordsCommand({ ShardIterator: at }));
  assert.equal(again.Records[0].SequenceNumber, put.SequenceNumber);
});

test("a missing stream raises ResourceNotFoundException with AWS's text", async () => {
  const missing = `node-missing-${crypto.randomBytes(4).toString("hex")}`;
  await assert.rejects(
    client.send(new DescribeStreamSummaryCommand({ StreamName: missing })),
    (err) => {
      assert.ok(err instanceof ResourceNotFoundException, `got ${err.name}`);
      assert.equal(err.message, `Stream ${missing} under account ${account} not found.`);
      assert.equal(err.$metadata.httpStatusCode, 400);
      return true;
    },
  );
});

test("deleteStream removes the stream", async () => {
  const name = `node-del-${crypto.randomBytes(4).toString("hex")}`;
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  created.push(name);
  await waitUntilStreamExists({ client, minDelay: 1, maxWaitTime: 30 }, { StreamName: name });
  await client.send(new DeleteStreamCommand({ StreamName: name }));
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    } catch (err) {
      assert.equal(err.name, "ResourceNotFoundException");
      break;
    }
    assert.ok(Date.now() < deadline, "stream still there 15 s after DeleteStream");
    await new Promise((r) => setTimeout(r, 100));
  }
});

test("30 concurrent calls over h2c", async () => {
  const calls = Array.from({ length: 30 }, (_, i) =>
    client.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: `c${i}`, Data: Buffer.from([i]) })),
  );
  const results = await Promise.all(calls);
  assert.equal(results.length, 30);
  for (const r of results) assert.match(r.SequenceNumber, /^\d+$/);
});
