// The AWS SDK for JavaScript v3's Firehose client (@aws-sdk/client-firehose,
// AWS JSON 1.1) against runnel: every control operation, PutRecord and
// PutRecordBatch, and errors as the SDK's typed exceptions.
//
// Run: RUNNEL_ENDPOINT=http://127.0.0.1:PORT node --test firehose.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";

const fh = await import("@aws-sdk/client-firehose");
const {
  FirehoseClient,
  CreateDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  ListDeliveryStreamsCommand,
  DeleteDeliveryStreamCommand,
  PutRecordCommand,
  PutRecordBatchCommand,
  UpdateDestinationCommand,
  StartDeliveryStreamEncryptionCommand,
  StopDeliveryStreamEncryptionCommand,
  TagDeliveryStreamCommand,
  UntagDeliveryStreamCommand,
  ListTagsForDeliveryStreamCommand,
  ResourceNotFoundException,
  ResourceInUseException,
  InvalidArgumentException,
  ConcurrentModificationException,
} = fh;

const endpoint = process.env.RUNNEL_ENDPOINT ?? "http://127.0.0.1:4567";
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "dummy-secret" };
const client = new FirehoseClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
const role = "arn:aws:iam::000000000000:role/firehose";
const s3 = { RoleARN: role, BucketARN: "arn:aws:s3:::node-bucket" };
// The destination bucket exists in runnel's embedded store (the engine checks
// it before CREATING becomes ACTIVE).
{
  const { S3Client, CreateBucketCommand } = await import("@aws-sdk/client-s3");
  const store = new S3Client({ endpoint, region: "us-east-1", credentials, forcePathStyle: true, maxAttempts: 1 });
  try {
    await store.send(new CreateBucketCommand({ Bucket: "node-bucket" }));
  } catch (e) {
    if (e.name !== "BucketAlreadyOwnedByYou") throw e;
  }
}
const name = () => `fhnode-${crypto.randomBytes(6).toString("hex")}`;

async function describe(n) {
  return (await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: n }))).DeliveryStreamDescription;
}
async function waitFor(n, pred) {
  for (let i = 0; i < 150; i++) {
    const d = await describe(n);
    if (pred(d)) return d;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${n} never reached the expected state`);
}

test("create, describe, list, put, update, tags, encryption, delete", async () => {
  const n = name();
  const created = await client.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: n,
      ExtendedS3DestinationConfiguration: s3,
      Tags: [{ Key: "sdk", Value: "node" }],
    }),
  );
  assert.match(created.DeliveryStreamARN, new RegExp(`:deliverystream/${n}$`));
  const d = await waitFor(n, (x) => x.DeliveryStreamStatus === "ACTIVE");
  assert.equal(d.VersionId, "1");
  assert.ok(d.CreateTimestamp instanceof Date);
  assert.deepEqual(d.Destinations[0].ExtendedS3DestinationDescription.BufferingHints, {
    SizeInMBs: 5,
    IntervalInSeconds: 300,
  });
  await assert.rejects(
    client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: n, ExtendedS3DestinationConfiguration: s3 })),
    ResourceInUseException,
  );
  const list = await client.send(new ListDeliveryStreamsCommand({ Limit: 10000 }));
  assert.ok(list.DeliveryStreamNames.includes(n));

  const put = await client.send(
    new PutRecordCommand({ DeliveryStreamName: n, Record: { Data: new TextEncoder().encode("hi\n") } }),
  );
  assert.equal(put.RecordId.length, 48);
  const batch = await client.send(
    new PutRecordBatchCommand({
      DeliveryStreamName: n,
      Records: [{ Data: new Uint8Array([1, 2]) }, { Data: new Uint8Array([3]) }],
    }),
  );
  assert.equal(batch.FailedPutCount, 0);
  assert.equal(batch.RequestResponses.length, 2);

  await assert.rejects(
    client.send(
      new UpdateDestinationCommand({
        DeliveryStreamName: n,
        CurrentDeliveryStreamVersionId: "5",
        DestinationId: "destinationId-000000000001",
        ExtendedS3DestinationUpdate: { Prefix: "x/" },
      }),
    ),
    ConcurrentModificationException,
  );
  await client.send(
    new UpdateDestinationCommand({
      DeliveryStreamName: n,
      CurrentDeliveryStreamVersionId: "1",
      DestinationId: "destinationId-000000000001",
      ExtendedS3DestinationUpdate: { Prefix: "x/" },
    }),
  );
  assert.equal((await describe(n)).VersionId, "2");

  await client.send(new TagDeliveryStreamCommand({ DeliveryStreamName: n, Tags: [{ Key: "a", Value: "1" }] }));
  const tags = await client.send(new ListTagsForDeliveryStreamCommand({ DeliveryStreamName: n, Limit: 1 }));
  assert.deepEqual(tags.Tags, [{ Key: "a", Value: "1" }]);
  assert.equal(tags.HasMoreTags, true);
  await client.send(new UntagDeliveryStreamCommand({ DeliveryStreamName: n, TagKeys: ["a"] }));

  await client.send(
    new StartDeliveryStreamEncryptionCommand({
      DeliveryStreamName: n,
      DeliveryStreamEncryptionConfigurationInput: { KeyType: "AWS_OWNED_CMK" },
    }),
  );
  await waitFor(n, (x) => x.DeliveryStreamEncryptionConfiguration.Status === "ENABLED");
  await client.send(new StopDeliveryStreamEncryptionCommand({ DeliveryStreamName: n }));
  await waitFor(n, (x) => x.DeliveryStreamEncryptionConfiguration.Status === "DISABLED");

  await client.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: n }));
  for (let i = 0; i < 150; i++) {
    try {
      await describe(n);
    } catch (e) {
      assert.ok(e instanceof ResourceNotFoundException);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail("the stream was never deleted");
});

test("errors are the SDK's typed exceptions", async () => {
  await assert.rejects(
    client.send(new PutRecordCommand({ DeliveryStreamName: "fh-node-missing", Record: { Data: new Uint8Array([1]) } })),
    (e) => e instanceof ResourceNotFoundException && /not found/.test(e.message),
  );
  await assert.rejects(
    client.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: name(),
        ExtendedS3DestinationConfiguration: { ...s3, Prefix: "!{timestamp:yyyy}/" },
      }),
    ),
    InvalidArgumentException,
  );
});
