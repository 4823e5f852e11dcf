// StartStreamEncryption / StopStreamEncryption with the AWS SDK for JavaScript
// v3 (default handler: h2c): start, put, read back, stop (docs/encryption.md).
//
// Run: RUNNEL_ENDPOINT=http://127.0.0.1:PORT node --test encryption.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";

const {
  KinesisClient,
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  StartStreamEncryptionCommand,
  StopStreamEncryptionCommand,
  PutRecordCommand,
  GetShardIteratorCommand,
  GetRecordsCommand,
  InvalidArgumentException,
  waitUntilStreamExists,
} = await import("@aws-sdk/client-kinesis");

const endpoint = process.env.RUNNEL_ENDPOINT ?? "http://127.0.0.1:4567";
const client = new KinesisClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "dummy-secret" },
  maxAttempts: 1,
});
const StreamName = `node-enc-${crypto.randomBytes(6).toString("hex")}`;
const KeyId = "alias/aws/kinesis";

async function waitActive() {
  for (let i = 0; i < 300; i++) {
    const s = (await client.send(new DescribeStreamSummaryCommand({ StreamName }))).StreamDescriptionSummary;
    if (s.StreamStatus === "ACTIVE") return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${StreamName} never became ACTIVE`);
}

before(async () => {
  await client.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
  await waitUntilStreamExists({ client, maxWaitTime: 30, minDelay: 1 }, { StreamName });
});

after(async () => {
  await client.send(new DeleteStreamCommand({ StreamName })).catch(() => {});
  client.destroy();
});

test("start, put, get, stop", async () => {
  const te = new TextEncoder();
  await client.send(new PutRecordCommand({ StreamName, PartitionKey: "before", Data: te.encode("plain") }));

  await client.send(new StartStreamEncryptionCommand({ StreamName, EncryptionType: "KMS", KeyId }));
  let summary = await waitActive();
  assert.equal(summary.EncryptionType, "KMS");
  assert.equal(summary.KeyId, KeyId);

  const put = await client.send(
    new PutRecordCommand({ StreamName, PartitionKey: "during", Data: te.encode("secret ✓") }),
  );
  assert.equal(put.EncryptionType, "KMS");

  await assert.rejects(
    client.send(new StopStreamEncryptionCommand({ StreamName, EncryptionType: "NONE", KeyId })),
    (e) => e instanceof InvalidArgumentException && e.message === "KMS is the only valid EncryptionType for this request",
  );
  await client.send(new StopStreamEncryptionCommand({ StreamName, EncryptionType: "KMS", KeyId }));
  summary = await waitActive();
  assert.equal(summary.EncryptionType, "NONE");
  assert.equal(summary.KeyId, undefined);
  const after = await client.send(new PutRecordCommand({ StreamName, PartitionKey: "after", Data: te.encode("plain 2") }));
  assert.equal(after.EncryptionType, undefined);

  const { ShardIterator } = await client.send(
    new GetShardIteratorCommand({ StreamName, ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }),
  );
  const { Records } = await client.send(new GetRecordsCommand({ ShardIterator }));
  const td = new TextDecoder();
  assert.deepEqual(
    Records.map((r) => [r.PartitionKey, td.decode(r.Data), r.EncryptionType]),
    [
      ["before", "plain", undefined],
      ["during", "secret ✓", "KMS"],
      ["after", "plain 2", undefined],
    ],
  );
});

test("a malformed KeyId is refused", async () => {
  await assert.rejects(
    client.send(new StartStreamEncryptionCommand({ StreamName, EncryptionType: "KMS", KeyId: "not a key" })),
    (e) => e instanceof InvalidArgumentException && e.message === "Received KeyId is not a properly formatted Alias or GUID",
  );
});
