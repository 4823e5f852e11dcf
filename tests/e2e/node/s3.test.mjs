// The AWS SDK for JavaScript v3's S3 client (@aws-sdk/client-s3, path-style)
// against runnel's embedded S3 store: buckets, PutObject with metadata and
// the SDK's default flexible checksum (CRC32 trailer over aws-chunked),
// GetObject whole and by range, HeadObject, CopyObject, ListObjectsV2 with a
// delimiter and the SDK's paginator, DeleteObjects, a multipart upload, and
// S3's errors as the SDK's typed exceptions.
//
// Run: RUNNEL_ENDPOINT=http://127.0.0.1:PORT node --test s3.test.mjs
import { test, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";

const {
  S3Client,
  CreateBucketCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  DeleteBucketCommand,
  PutObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  CompleteMultipartUploadCommand,
  NoSuchKey,
  NoSuchBucket,
  BucketAlreadyOwnedByYou,
  paginateListObjectsV2,
} = await import("@aws-sdk/client-s3");

const endpoint = process.env.RUNNEL_ENDPOINT ?? "http://127.0.0.1:4567";
const s3 = new S3Client({
  endpoint,
  region: "us-east-1",
  forcePathStyle: true,
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "dummy-secret" },
  maxAttempts: 1,
});
const bucket = `node-${crypto.randomBytes(6).toString("hex")}`;
const md5 = (b) => `"${crypto.createHash("md5").update(b).digest("hex")}"`;

after(async () => {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket })).catch(() => ({}));
  for (const o of listed.Contents ?? []) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key }));
  await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => {});
  s3.destroy();
});

test("buckets: create, head, list, already owned", async () => {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  const { Buckets } = await s3.send(new ListBucketsCommand({}));
  assert.ok(Buckets.some((b) => b.Name === bucket));
  await assert.rejects(s3.send(new CreateBucketCommand({ Bucket: bucket })), BucketAlreadyOwnedByYou);
});

test("objects: put with metadata and checksum, get, range, head", async () => {
  const body = crypto.randomBytes(100_000);
  const put = await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: "dir/one.bin", Body: body, ContentType: "application/x-one",
      Metadata: { origin: "node" } }),
  );
  assert.equal(put.ETag, md5(body));
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "dir/one.bin" }));
  assert.deepEqual(Buffer.from(await got.Body.transformToByteArray()), body);
  assert.equal(got.ContentType, "application/x-one");
  assert.deepEqual(got.Metadata, { origin: "node" });
  assert.equal(got.ContentLength, body.length);
  const part = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "dir/one.bin", Range: "bytes=10-19" }));
  assert.equal(part.ContentRange, `bytes 10-19/${body.length}`);
  assert.deepEqual(Buffer.from(await part.Body.transformToByteArray()), body.subarray(10, 20));
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "dir/one.bin" }));
  assert.equal(head.ContentLength, body.length);
  assert.equal(head.ETag, md5(body));
  await assert.rejects(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "missing" })), NoSuchKey);
  await assert.rejects(
    s3.send(new GetObjectCommand({ Bucket: `${bucket}-none`, Key: "k" })),
    (e) => e instanceof NoSuchBucket || e.name === "NoSuchBucket",
  );
});

test("copy, list with delimiter and paginator, delete objects", async () => {
  await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "dir/two.bin", CopySource: `${bucket}/dir/one.bin` }));
  for (const k of ["top-a", "top-b", "x/y/z"]) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: k }));
  const root = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/" }));
  assert.deepEqual(root.CommonPrefixes.map((p) => p.Prefix), ["dir/", "x/"]);
  assert.deepEqual(root.Contents.map((o) => o.Key), ["top-a", "top-b"]);
  const keys = [];
  for await (const page of paginateListObjectsV2({ client: s3, pageSize: 2 }, { Bucket: bucket })) {
    keys.push(...(page.Contents ?? []).map((o) => o.Key));
  }
  assert.deepEqual(keys, ["dir/one.bin", "dir/two.bin", "top-a", "top-b", "x/y/z"]);
  const del = await s3.send(
    new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "top-a" }, { Key: "top-b" }] } }),
  );
  assert.deepEqual(del.Deleted.map((d) => d.Key).sort(), ["top-a", "top-b"]);
});

test("multipart upload", async () => {
  const p1 = crypto.randomBytes(5 * 1024 * 1024), p2 = crypto.randomBytes(777);
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "mp.bin" }));
  const e1 = (await s3.send(new UploadPartCommand({ Bucket: bucket, Key: "mp.bin", UploadId, PartNumber: 1, Body: p1 }))).ETag;
  const e2 = (await s3.send(new UploadPartCommand({ Bucket: bucket, Key: "mp.bin", UploadId, PartNumber: 2, Body: p2 }))).ETag;
  const done = await s3.send(
    new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "mp.bin", UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1 }, { PartNumber: 2, ETag: e2 }] } }),
  );
  const raw = (b) => crypto.createHash("md5").update(b).digest();
  const want = crypto.createHash("md5").update(Buffer.concat([raw(p1), raw(p2)])).digest("hex");
  assert.equal(done.ETag, `"${want}-2"`);
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "mp.bin" }));
  assert.deepEqual(Buffer.from(await got.Body.transformToByteArray()), Buffer.concat([p1, p2]));
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "mp.bin" }));
});
