// Per-shard throughput limits (docs/throughput.md) with the AWS SDK for
// JavaScript v3 over h2c: PutRecords reports throttled entries one by one,
// PutRecord and GetRecords fail whole with ProvisionedThroughputExceededException,
// and the SDK's default (standard) retry strategy gets bursts through.
//
// Run: RUNNEL_ENDPOINT=http://127.0.0.1:PORT node --test throughput.test.mjs
import { test, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";

const {
  KinesisClient,
  CreateStreamCommand,
  DeleteStreamCommand,
  PutRecordCommand,
  PutRecordsCommand,
  GetShardIteratorCommand,
  GetRecordsCommand,
  ProvisionedThroughputExceededException,
  waitUntilStreamExists,
} = await import("@aws-sdk/client-kinesis");

const endpoint = process.env.RUNNEL_ENDPOINT ?? "http://127.0.0.1:4567";
const account = "000000000000";
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "dummy-secret" };
// One attempt: to see each throttling error the server gives.
const strict = new KinesisClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
// The SDK's default retry strategy (standard mode). Its default 3 attempts can
// run out when a burst is far above a shard's limit, so it gets a few more.
const retrying = new KinesisClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 8 });
const created = [];

async function newStream(shards) {
  const name = `node-thr-${crypto.randomBytes(6).toString("hex")}`;
  await strict.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  created.push(name);
  await waitUntilStreamExists({ client: strict, minDelay: 1, maxWaitTime: 30 }, { StreamName: name });
  return name;
}

function writeMessage(name, shardId = "shardId-000000000000") {
  return `Rate exceeded for shard ${shardId} in stream ${name} under account ${account}.`;
}

async function readAll(client, name, shardId = "shardId-000000000000") {
  let { ShardIterator: it } = await client.send(
    new GetShardIteratorCommand({ StreamName: name, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }),
  );
  const records = [];
  for (let i = 0; i < 100 && it; i++) {
    const out = await client.send(new GetRecordsCommand({ ShardIterator: it }));
    records.push(...out.Records);
    it = out.NextShardIterator;
    if (out.Records.length === 0) break;
  }
  return records;
}

after(async () => {
  for (const name of created) {
    try {
      await strict.send(new DeleteStreamCommand({ StreamName: name }));
    } catch {}
  }
  strict.destroy();
  retrying.destroy();
});

test("PutRecords over one shard's 1 MiB reports each throttled entry, in order", async () => {
  const name = await newStream(1);
  // 500 × (2,500 + 8) bytes is 1.25 MB: more than a full budget in one request.
  const records = Array.from({ length: 500 }, (_, i) => ({
    PartitionKey: `key-${String(i).padStart(4, "0")}`,
    Data: Buffer.alloc(2500, i % 256),
  }));
  const out = await strict.send(new PutRecordsCommand({ StreamName: name, Records: records }));
  const fits = Math.floor((1024 * 1024) / 2508);
  assert.equal(out.Records.length, 500);
  assert.equal(out.FailedRecordCount, 500 - fits);
  out.Records.forEach((r, i) => {
    if (i < fits) {
      assert.match(r.SequenceNumber, /^\d{56}$/, `entry ${i}`);
      assert.equal(r.ShardId, "shardId-000000000000");
      assert.equal(r.ErrorCode, undefined);
    } else {
      assert.equal(r.ErrorCode, "ProvisionedThroughputExceededException", `entry ${i}`);
      assert.equal(r.ErrorMessage, writeMessage(name));
      assert.equal(r.SequenceNumber, undefined);
    }
  });
  const stored = await readAll(retrying, name);
  assert.equal(stored.length, fits);
});

test("PutRecord and GetRecords fail whole when throttled", async () => {
  const name = await newStream(1);
  await strict.send(
    new PutRecordsCommand({
      StreamName: name,
      Records: Array.from({ length: 300 }, () => ({ PartitionKey: "p", Data: Buffer.alloc(4000) })),
    }),
  );
  await assert.rejects(
    strict.send(new PutRecordCommand({ StreamName: name, PartitionKey: "p", Data: Buffer.alloc(300_000) })),
    (e) => {
      assert.ok(e instanceof ProvisionedThroughputExceededException, e.name);
      assert.equal(e.message, writeMessage(name));
      assert.equal(e.$metadata.httpStatusCode, 400);
      return true;
    },
  );

  const { ShardIterator: it } = await strict.send(
    new GetShardIteratorCommand({ StreamName: name, ShardId: "shardId-000000000000", ShardIteratorType: "LATEST" }),
  );
  const errors = [];
  for (let i = 0; i < 20; i++) {
    try {
      await strict.send(new GetRecordsCommand({ ShardIterator: it }));
    } catch (e) {
      errors.push(e);
    }
  }
  assert.ok(errors.length > 0, "20 quick GetRecords calls were never throttled");
  for (const e of errors) {
    assert.equal(e.name, "ProvisionedThroughputExceededException");
    assert.equal(e.message, `Rate exceeded for Shard - ${account}/${name}/shardId-000000000000`);
  }
});

test("the default retry strategy gets a PutRecord burst through", { timeout: 120_000 }, async () => {
  const name = await newStream(1);
  // 2.4 MB in 20 KB records, one after another, into a 1 MiB/s shard.
  let attempts = 0;
  const seqs = [];
  for (let i = 0; i < 120; i++) {
    const out = await retrying.send(
      new PutRecordCommand({ StreamName: name, PartitionKey: `k${i}`, Data: Buffer.alloc(20_000, i % 256) }),
    );
    attempts += out.$metadata.attempts;
    seqs.push(BigInt(out.SequenceNumber));
  }
  assert.ok(attempts > 120, "no PutRecord was throttled and retried");
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1]);
  // GetRecords in a tight loop: retried through the 5 calls/s limit too.
  const stored = await readAll(retrying, name);
  assert.equal(stored.length, 120);
  stored.forEach((r, i) => assert.equal(r.Data[0], i % 256));
});

test("resending the failed entries of PutRecords stores every record once", { timeout: 120_000 }, async () => {
  const name = await newStream(1);
  const records = Array.from({ length: 1500 }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from(`r${i}`) }));
  let rounds = 0;
  for (let start = 0; start < records.length; start += 500) {
    let pending = records.slice(start, start + 500);
    while (pending.length > 0) {
      const out = await strict.send(new PutRecordsCommand({ StreamName: name, Records: pending }));
      const failed = pending.filter((_, i) => out.Records[i].ErrorCode !== undefined);
      for (const [i, r] of out.Records.entries())
        if (r.ErrorCode !== undefined) assert.equal(r.ErrorCode, "ProvisionedThroughputExceededException", `${i}`);
      assert.equal(out.FailedRecordCount, failed.length);
      pending = failed;
      if (pending.length > 0) {
        rounds++;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
  assert.ok(rounds > 0, "1,500 records in three quick calls were never throttled");
  const stored = (await readAll(retrying, name)).map((r) => Buffer.from(r.Data).toString());
  assert.equal(stored.length, 1500);
  assert.deepEqual(new Set(stored), new Set(records.map((r) => r.Data.toString())));
});
