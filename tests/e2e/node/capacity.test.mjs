// The AWS SDK for JavaScript v3 (over h2c) against runnel's capacity,
// monitoring and resource-policy operations: UpdateShardCount,
// UpdateStreamMode, UpdateMaxRecordSize, Enable/DisableEnhancedMonitoring,
// Put/Get/DeleteResourcePolicy (docs/capacity.md, docs/operations.md).
//
// Run: RUNNEL_ENDPOINT=http://127.0.0.1:PORT node --test capacity.test.mjs
import { test, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";

const {
  KinesisClient,
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  ListShardsCommand,
  UpdateShardCountCommand,
  UpdateStreamModeCommand,
  UpdateMaxRecordSizeCommand,
  EnableEnhancedMonitoringCommand,
  DisableEnhancedMonitoringCommand,
  PutResourcePolicyCommand,
  GetResourcePolicyCommand,
  DeleteResourcePolicyCommand,
  waitUntilStreamExists,
} = await import("@aws-sdk/client-kinesis");

const endpoint = process.env.RUNNEL_ENDPOINT ?? "http://127.0.0.1:4567";
const account = "000000000000";
const client = new KinesisClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "dummy-secret" },
  maxAttempts: 1,
});
const created = [];
const arnOf = (name) => `arn:aws:kinesis:us-east-1:${account}:stream/${name}`;

async function makeStream(args) {
  const name = `node-cap-${crypto.randomBytes(6).toString("hex")}`;
  await client.send(new CreateStreamCommand({ StreamName: name, ...args }));
  created.push(name);
  await waitUntilStreamExists({ client, minDelay: 1, maxWaitTime: 30 }, { StreamName: name });
  return name;
}

async function waitActive(name) {
  for (let i = 0; i < 300; i++) {
    const s = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (s.StreamDescriptionSummary.StreamStatus === "ACTIVE") return s.StreamDescriptionSummary;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} never became ACTIVE`);
}

after(async () => {
  for (const name of created) {
    try {
      await client.send(new DeleteStreamCommand({ StreamName: name }));
    } catch {}
  }
  client.destroy();
});

test("updateShardCount doubles, then reports uniform open shards", async () => {
  const name = await makeStream({ ShardCount: 2 });
  const out = await client.send(
    new UpdateShardCountCommand({ StreamARN: arnOf(name), TargetShardCount: 4, ScalingType: "UNIFORM_SCALING" }),
  );
  assert.equal(out.StreamName, name);
  assert.equal(out.StreamARN, arnOf(name));
  assert.equal(out.CurrentShardCount, 2);
  assert.equal(out.TargetShardCount, 4);
  await waitActive(name);
  const { Shards } = await client.send(new ListShardsCommand({ StreamName: name }));
  const open = Shards.filter((s) => !s.SequenceNumberRange.EndingSequenceNumber);
  assert.equal(open.length, 4);
  for (const s of open) assert.ok(s.ParentShardId, `${s.ShardId} has no parent`);
  const step = 2n ** 128n / 4n;
  const starts = open.map((s) => BigInt(s.HashKeyRange.StartingHashKey)).sort((a, b) => (a < b ? -1 : 1));
  assert.deepEqual(starts, [0n, step, 2n * step, 3n * step]);
});

test("updateShardCount beyond double is refused", async () => {
  const name = await makeStream({ ShardCount: 1 });
  await assert.rejects(
    client.send(new UpdateShardCountCommand({ StreamName: name, TargetShardCount: 3, ScalingType: "UNIFORM_SCALING" })),
    (e) => e.name === "LimitExceededException" && /cannot scale up over double/.test(e.message),
  );
});

test("updateStreamMode switches to ON_DEMAND and back", async () => {
  const name = await makeStream({ ShardCount: 1 });
  await client.send(new UpdateStreamModeCommand({ StreamARN: arnOf(name), StreamModeDetails: { StreamMode: "ON_DEMAND" } }));
  let s = await waitActive(name);
  assert.deepEqual(s.StreamModeDetails, { StreamMode: "ON_DEMAND" });
  const d = await client.send(new DescribeStreamCommand({ StreamName: name }));
  assert.deepEqual(d.StreamDescription.StreamModeDetails, { StreamMode: "ON_DEMAND" });
  await assert.rejects(
    client.send(new UpdateShardCountCommand({ StreamName: name, TargetShardCount: 2, ScalingType: "UNIFORM_SCALING" })),
    (e) => e.name === "ValidationException",
  );
  await client.send(
    new UpdateStreamModeCommand({ StreamARN: arnOf(name), StreamModeDetails: { StreamMode: "PROVISIONED" } }),
  );
  s = await waitActive(name);
  assert.deepEqual(s.StreamModeDetails, { StreamMode: "PROVISIONED" });
});

test("updateMaxRecordSize is reported by describeStreamSummary", async () => {
  const name = await makeStream({ ShardCount: 1 });
  await client.send(new UpdateMaxRecordSizeCommand({ StreamARN: arnOf(name), MaxRecordSizeInKiB: 5120 }));
  const s = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
  assert.equal(s.StreamDescriptionSummary.MaxRecordSizeInKiB, 5120);
});

test("enhanced monitoring: enable, disable, describe", async () => {
  const name = await makeStream({ ShardCount: 1 });
  let out = await client.send(
    new EnableEnhancedMonitoringCommand({ StreamName: name, ShardLevelMetrics: ["IncomingRecords", "IteratorAgeMilliseconds"] }),
  );
  assert.deepEqual(out.CurrentShardLevelMetrics, []);
  assert.deepEqual(out.DesiredShardLevelMetrics, ["IncomingRecords", "IteratorAgeMilliseconds"]);
  out = await client.send(new DisableEnhancedMonitoringCommand({ StreamARN: arnOf(name), ShardLevelMetrics: ["IncomingRecords"] }));
  assert.deepEqual(out.DesiredShardLevelMetrics, ["IteratorAgeMilliseconds"]);
  const d = await client.send(new DescribeStreamCommand({ StreamName: name }));
  assert.deepEqual(d.StreamDescription.EnhancedMonitoring, [{ ShardLevelMetrics: ["IteratorAgeMilliseconds"] }]);
});

test("resource policies: put, get byte for byte, delete, malformed", async () => {
  const name = await makeStream({ ShardCount: 1 });
  const arn = arnOf(name);
  assert.equal((await client.send(new GetResourcePolicyCommand({ ResourceARN: arn }))).Policy, "{}");
  const policy = `{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Principal": { "AWS": "${account}" }, "Action": "kinesis:GetRecords", "Resource": "${arn}" } ] }`;
  await client.send(new PutResourcePolicyCommand({ ResourceARN: arn, Policy: policy }));
  assert.equal((await client.send(new GetResourcePolicyCommand({ ResourceARN: arn }))).Policy, policy);
  await client.send(new DeleteResourcePolicyCommand({ ResourceARN: arn }));
  assert.equal((await client.send(new GetResourcePolicyCommand({ ResourceARN: arn }))).Policy, "{}");
  await assert.rejects(
    client.send(new PutResourcePolicyCommand({ ResourceARN: arn, Policy: "{not json" })),
    (e) => e.name === "InvalidArgumentException" && e.message.startsWith("Invalid policy document: "),
  );
});
