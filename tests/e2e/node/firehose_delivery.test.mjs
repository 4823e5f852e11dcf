// The AWS SDK for JavaScript v3 end to end through Firehose's delivery:
// @aws-sdk/client-firehose puts records, @aws-sdk/client-s3 (path-style)
// finds the object Firehose wrote in runnel's embedded store and reads it
// back, gzip-compressed, named as AWS names it.
//
// Run: RUNNEL_ENDPOINT=http://127.0.0.1:PORT node --test firehose_delivery.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import zlib from "node:zlib";

const {
  FirehoseClient,
  CreateDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  PutRecordBatchCommand,
  DeleteDeliveryStreamCommand,
} = await import("@aws-sdk/client-firehose");
const { S3Client, CreateBucketCommand, ListObjectsV2Command, GetObjectCommand } = await import("@aws-sdk/client-s3");

const endpoint = process.env.RUNNEL_ENDPOINT ?? "http://127.0.0.1:4567";
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "dummy-secret" };
const firehose = new FirehoseClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
const s3 = new S3Client({ endpoint, region: "us-east-1", credentials, forcePathStyle: true, maxAttempts: 1 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test("records put with the JS SDK land gzipped in the embedded S3 store", async () => {
  const id = crypto.randomBytes(4).toString("hex");
  const bucket = `node-fh-${id}`;
  const name = `node-fh-${id}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: name,
      DeliveryStreamType: "DirectPut",
      ExtendedS3DestinationConfiguration: {
        RoleARN: "arn:aws:iam::000000000000:role/firehose",
        BucketARN: `arn:aws:s3:::${bucket}`,
        Prefix: "js/",
        ErrorOutputPrefix: "js-errors/!{firehose:error-output-type}/",
        CompressionFormat: "GZIP",
        BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 },
      },
    }),
  );
  for (let i = 0; i < 100; i++) {
    const d = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }));
    if (d.DeliveryStreamDescription.DeliveryStreamStatus === "ACTIVE") break;
    await sleep(100);
  }
  const records = Array.from({ length: 20 }, (_, i) => Buffer.from(`{"js":${i}}\n`));
  const put = await firehose.send(
    new PutRecordBatchCommand({ DeliveryStreamName: name, Records: records.map((Data) => ({ Data })) }),
  );
  assert.equal(put.FailedPutCount, 0);
  assert.equal(put.RequestResponses.length, 20);
  let keys = [];
  for (let i = 0; i < 100 && keys.length === 0; i++) {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "js/" }));
    keys = (listed.Contents ?? []).map((o) => o.Key);
    if (keys.length === 0) await sleep(200);
  }
  assert.equal(keys.length, 1);
  assert.match(keys[0], new RegExp(`^js/\\d{4}/\\d{2}/\\d{2}/\\d{2}/${name}-1-\\d{4}(-\\d{2}){5}-[0-9a-f-]{36}\\.gz$`));
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: keys[0] }));
  const body = Buffer.from(await got.Body.transformToByteArray());
  assert.deepEqual(zlib.gunzipSync(body), Buffer.concat(records));
  await firehose.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: name }));
});
