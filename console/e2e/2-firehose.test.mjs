import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CreateBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { CreateDeliveryStreamCommand, DescribeDeliveryStreamCommand, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { consoleUrl, eventually, firehose, openBrowser, s3, shot, unique } from './lib.mjs';

const name = unique('console-fh');
const bucket = unique('console-bucket');
let b;

before(async () => {
  b = await openBrowser();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
after(async () => {
  await b?.browser.close();
});

test('bad input in the delivery stream form shows AWS error text', async () => {
  const page = b.page;
  await page.goto(consoleUrl + '#/firehose');
  await page.fill('input[name=DeliveryStreamName]', 'bad name!');
  await page.fill('input[name=Bucket]', bucket);
  await page.uncheck('input[name=createBucket]');
  await page.click('form[aria-label="Create delivery stream"] button[type=submit]');
  const err = page.locator('form[aria-label="Create delivery stream"] .error');
  await err.waitFor();
  assert.match(await err.textContent(), /ValidationException: .*deliveryStreamName/);
});

test('create a delivery stream to the embedded S3 store and see an object delivered', async () => {
  const page = b.page;
  await page.fill('input[name=DeliveryStreamName]', name);
  await page.fill('input[name=Prefix]', 'e2e/');
  await page.fill('input[name=IntervalInSeconds]', '0');
  await page.fill('input[name=SizeInMBs]', '1');
  await page.click('form[aria-label="Create delivery stream"] button[type=submit]');
  const row = page.locator(`[data-delivery-stream="${name}"]`);
  await row.waitFor({ timeout: 15_000 });
  await eventually(async () => /ACTIVE/.test(await row.textContent()), { what: 'ACTIVE in the list' });
  assert.match(await row.textContent(), new RegExp(`S3 ${bucket}/e2e/`));
  await shot(page, 'firehose');

  await page.goto(consoleUrl + `#/firehose/${name}`);
  await page.fill('form[aria-label="Test record"] textarea[name=Data]', '{"delivered": "through the console"}\n');
  await page.click('form[aria-label="Test record"] button[type=submit]');
  await page.locator('[data-testid=test-record-id]').waitFor();
  const obj = page.locator('[data-object]').first();
  await obj.waitFor({ timeout: 30_000 });
  assert.match(await obj.getAttribute('data-object'), /^e2e\//);
  await obj.locator('button').click();
  await page.locator('[data-testid=object-body]').waitFor();
  assert.equal(await page.locator('[data-testid=object-body]').textContent(), '{\n  "delivered": "through the console"\n}');
  // The same object, seen by a user's own code.
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'e2e/' }));
  assert.equal(listed.KeyCount, 1);
  await shot(page, 'delivery-stream');
});

test('the buffer fill shows records waiting for their interval', async () => {
  const waiting = unique('console-fh-wait');
  await firehose.send(new CreateDeliveryStreamCommand({
    DeliveryStreamName: waiting,
    ExtendedS3DestinationConfiguration: {
      RoleARN: 'arn:aws:iam::000000000000:role/firehose',
      BucketARN: `arn:aws:s3:::${bucket}`,
      Prefix: 'waiting/',
      BufferingHints: { SizeInMBs: 128, IntervalInSeconds: 900 },
    },
  }));
  await eventually(async () => (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: waiting })))
    .DeliveryStreamDescription.DeliveryStreamStatus === 'ACTIVE', { what: 'the stream ACTIVE' });
  await firehose.send(new PutRecordBatchCommand({
    DeliveryStreamName: waiting,
    Records: Array.from({ length: 10 }, (_, i) => ({ Data: Buffer.from(`waiting ${i}\n`) })),
  }));
  const page = b.page;
  await page.goto(consoleUrl + `#/firehose/${waiting}`);
  const fill = page.locator('[data-testid=buffer-fill]');
  await fill.waitFor();
  await eventually(async () => /\(10 records\)/.test(await fill.textContent()) && /of 128 MiB/.test(await fill.textContent()),
    { timeout: 30_000, what: 'ten records in the buffer fill' });
  await shot(page, 'delivery-stream-buffer');
});

test('no uncaught errors in the page', () => {
  assert.deepEqual(b.errors, []);
});
