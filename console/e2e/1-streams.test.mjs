import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  ListStreamConsumersCommand,
  PutRecordCommand,
  PutRecordsCommand,
  SubscribeToShardCommand,
} from '@aws-sdk/client-kinesis';
import { consoleUrl, eventually, kinesis, openBrowser, shot, unique } from './lib.mjs';

const name = unique('console-e2e');
let b;

before(async () => {
  b = await openBrowser();
});
after(async () => {
  await b?.browser.close();
});

const page = () => b.page;
const count = async (sel) => page().locator(sel).count();

test('bad input shows AWS error text next to the field', async () => {
  await page().goto(consoleUrl + '#/streams');
  await page().fill('input[name=StreamName]', 'bad name!');
  await page().click('form[aria-label="Create stream"] button[type=submit]');
  const nameErr = page().locator('#create-name-error');
  await nameErr.waitFor();
  assert.match(await nameErr.textContent(), /ValidationException: .*'streamName' failed to satisfy constraint/);
  assert.equal(await page().getAttribute('input[name=StreamName]', 'aria-invalid'), 'true');

  await page().fill('input[name=StreamName]', name);
  await page().fill('input[name=ShardCount]', '0');
  await page().click('form[aria-label="Create stream"] button[type=submit]');
  const shardErr = page().locator('#create-shards-error');
  await shardErr.waitFor();
  assert.match(await shardErr.textContent(), /ValidationException: .*'shardCount'.*greater than or equal to 1/);
  await shot(page(), 'streams-error');
});

test('create a stream and see it in the list', async () => {
  await page().fill('input[name=StreamName]', name);
  await page().fill('input[name=ShardCount]', '2');
  await page().click('form[aria-label="Create stream"] button[type=submit]');
  const row = page().locator(`[data-stream="${name}"]`);
  await row.waitFor({ timeout: 15_000 });
  await eventually(async () => /ACTIVE/.test(await row.textContent()), { what: 'the stream to be ACTIVE in the list' });
  await eventually(async () => /PROVISIONED2/.test((await row.textContent()).replace(/\s/g, '')), { what: 'mode and shard count' });
  await shot(page(), 'streams');
});

test('put a record in the producer and see the shard it landed on', async () => {
  await page().goto(consoleUrl + `#/streams/${name}/produce`);
  await page().fill('textarea[name=Data]', '{"order": 1, "item": "console"}');
  await page().fill('input[name=PartitionKey]', 'customer-1');
  await page().click('form[aria-label="Put record"] button[type=submit]');
  const cell = page().locator('[data-testid=put-log] td[data-shard]').first();
  await cell.waitFor();
  assert.match(await cell.textContent(), /^shardId-00000000000[01]$/);
  // An explicit hash key at the top of the key space lands on the upper shard.
  await page().fill('input[name=ExplicitHashKey]', (2n ** 128n - 1n).toString());
  await page().click('form[aria-label="Put record"] button[type=submit]');
  await eventually(async () => (await count('[data-testid=put-log] td[data-shard]')) === 2);
  assert.equal(await page().locator('[data-testid=put-log] td[data-shard]').first().textContent(), 'shardId-000000000001');
  // A bad explicit hash key shows AWS's message.
  await page().fill('input[name=ExplicitHashKey]', '-1');
  await page().click('form[aria-label="Put record"] button[type=submit]');
  const err = page().locator('form[aria-label="Put record"] .error');
  await err.waitFor();
  assert.match(await err.textContent(), /ValidationException: .*'explicitHashKey'/);
  await page().fill('input[name=ExplicitHashKey]', '');
  // A batch
  await page().fill('textarea[name=Lines]', 'line one\nline two\nline three');
  await page().click('form[aria-label="Put records"] button[type=submit]');
  await page().locator('[data-testid=batch-result]').waitFor();
  assert.match(await page().locator('[data-testid=batch-result]').textContent(), /3 of 3 records written/);
  await shot(page(), 'producer');
});

test('see the records in the browser, decoded and filtered', async () => {
  await page().goto(consoleUrl + `#/streams/${name}/records`);
  await page().locator('select[name=shard] option', { hasText: 'shardId-000000000001' }).waitFor({ state: 'attached' });
  await page().click('form[aria-label="Read records"] button[type=submit]');
  await eventually(async () => (await count('[data-record]')) === 5, { what: '5 records' });
  await page().fill('input[name=keyFilter]', 'customer-');
  await eventually(async () => (await count('[data-record]')) === 2, { what: 'filter by key' });
  await page().fill('input[name=keyFilter]', '');
  await page().fill('input[name=textFilter]', 'LINE T');
  await eventually(async () => (await count('[data-record]')) === 2, { what: 'filter by text' });
  await page().fill('input[name=textFilter]', '');
  await page().locator('[data-record]', { hasText: 'order' }).first().click();
  assert.equal(await page().locator('[data-testid=record-data]').textContent(), '{\n  "order": 1,\n  "item": "console"\n}');
  await page().selectOption('select[name=encoding]', 'hex');
  assert.match(await page().locator('[data-testid=record-data]').textContent(), /^7b 22 6f 72 64 65 72 22/);
  await page().selectOption('select[name=encoding]', 'base64');
  assert.equal(await page().locator('[data-testid=record-data]').textContent(), Buffer.from('{"order": 1, "item": "console"}').toString('base64'));
  // Download as JSON lines
  const [download] = await Promise.all([page().waitForEvent('download'), page().click('text=Download JSON lines')]);
  const path = await download.path();
  const lines = (await import('node:fs')).readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 5);
  assert.ok(lines.some((l) => l.text === 'line two' && l.data === Buffer.from('line two').toString('base64')));
  await page().selectOption('select[name=encoding]', 'auto');
  await shot(page(), 'records');
});

test('tail new records as they arrive', async () => {
  await page().goto(consoleUrl + `#/streams/${name}/records`);
  await page().locator('select[name=shard] option', { hasText: 'shardId-000000000001' }).waitFor({ state: 'attached' });
  await page().selectOption('select[name=iteratorType]', 'LATEST');
  await page().check('input[name=tail]');
  await page().click('form[aria-label="Read records"] button[type=submit]');
  await eventually(async () => /following/.test(await page().locator('[data-testid=record-count]').textContent()), { what: 'following' });
  assert.equal(await count('[data-record]'), 0);
  await kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'tail-1', Data: Buffer.from('tailed record 1') }));
  await eventually(async () => (await count('[data-record]')) === 1, { what: 'the first tailed record' });
  await kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'tail-2', Data: Buffer.from('tailed record 2') }));
  await eventually(async () => (await count('[data-record]')) === 2, { what: 'the second tailed record' });
  assert.match(await page().locator('[data-record]').nth(1).textContent(), /tailed record 2/);
  await shot(page(), 'records-tail');
  await page().click('text=Stop');
});

test('charts move under load', async () => {
  await page().goto(consoleUrl + `#/streams/${name}`);
  const incoming = page().locator('figure.chart', { hasText: 'Incoming records' });
  await incoming.waitFor();
  const total = async () => Number(await incoming.getAttribute('data-total'));
  const before = await eventually(async () => {
    const t = await total();
    return t > 0 ? t : false;
  }, { what: 'the records put so far in the chart' });
  for (let i = 0; i < 10; i++) {
    await kinesis.send(new PutRecordsCommand({ StreamName: name, Records: Array.from({ length: 100 }, (_, j) => ({ PartitionKey: `load-${j}`, Data: Buffer.from('x'.repeat(100)) })) }));
  }
  // The page polls CloudWatch every 10 s.
  await eventually(async () => (await total()) >= before + 1000, { timeout: 30_000, what: 'the chart to count the load' });
  await shot(page(), 'stream');
});

test('per-shard charts once enhanced monitoring is on', async () => {
  await page().goto(consoleUrl + `#/streams/${name}`);
  await page().click('text=Enable enhanced monitoring');
  await eventually(async () => /ALL|IncomingBytes/.test(await page().locator('[data-testid=stream-summary]').textContent()), { what: 'shard-level metrics on' });
  await page().click('svg.hashmap rect[data-shard="shardId-000000000001"]');
  const chart = page().locator('section[aria-label="Metrics of shardId-000000000001"] figure.chart', { hasText: 'Incoming records' });
  await chart.waitFor();
  const top = (2n ** 128n - 1n).toString();
  await kinesis.send(new PutRecordsCommand({ StreamName: name, Records: Array.from({ length: 50 }, () => ({ PartitionKey: 'p', ExplicitHashKey: top, Data: Buffer.from('to shard 1') })) }));
  await eventually(async () => Number(await chart.getAttribute('data-total')) >= 50, { timeout: 30_000, what: 'the shard chart to count the records' });
});

test('an enhanced fan-out consumer shows how far behind it is', async () => {
  const { StreamARN } = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary;
  await page().goto(consoleUrl + `#/streams/${name}`);
  const consumers = page().locator('section[aria-label=Consumers]');
  await consumers.locator('input[name=ConsumerName]').fill('lagging-reader');
  await consumers.locator('button[type=submit]').click();
  const row = consumers.locator('tr', { hasText: 'lagging-reader' });
  await row.waitFor();
  const { Consumers } = await kinesis.send(new ListStreamConsumersCommand({ StreamARN }));
  const consumer = Consumers.find((c) => c.ConsumerName === 'lagging-reader');
  await eventually(async () => (await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumer.ConsumerARN })))
    .ConsumerDescription.ConsumerStatus === 'ACTIVE', { what: 'the consumer ACTIVE' });
  assert.match(await row.locator('[data-testid=consumer-behind]').textContent(), /no subscription/);
  // A subscription from TRIM_HORIZON (the SDK over HTTP/2, as a KCL would) reads the records put
  // so far: its events say how far behind the tip it is, and CloudWatch has them per consumer.
  const sub = await kinesis.send(new SubscribeToShardCommand({
    ConsumerARN: consumer.ConsumerARN, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'TRIM_HORIZON' },
  }));
  let events = 0;
  const reading = (async () => {
    for await (const ev of sub.EventStream) if (ev.SubscribeToShardEvent && ++events >= 3) break;
  })();
  await eventually(async () => events >= 1, { what: 'a SubscribeToShard event' });
  await eventually(async () => /^\d+ ms$/.test((await row.locator('[data-testid=consumer-behind]').textContent()).trim()) &&
    Number(await row.locator('[data-testid=consumer-records]').textContent()) > 0,
  { timeout: 30_000, what: 'the consumer\'s lag and records in the table' });
  await reading.catch(() => {});
  await shot(page(), 'stream-consumer');
});

test('reshard and see the lineage', async () => {
  await page().goto(consoleUrl + `#/streams/${name}`);
  await page().locator('[data-shard-row="shardId-000000000000"]').waitFor();
  await page().click('svg.hashmap rect[data-shard="shardId-000000000000"]');
  // The middle of 0 … 2^127-1 is the default new starting key.
  await eventually(async () => (await page().inputValue('input[name=NewStartingHashKey]')) === (2n ** 126n).toString(), { what: 'the default split key' });
  // A bad key first: AWS's text next to the form.
  await page().fill('input[name=NewStartingHashKey]', 'abc');
  await page().click('form[aria-label="Split shard"] button[type=submit]');
  await page().locator('form[aria-label="Split shard"] .error').waitFor();
  assert.match(await page().locator('form[aria-label="Split shard"] .error').textContent(), /newStartingHashKey/);
  await page().fill('input[name=NewStartingHashKey]', (2n ** 126n).toString());
  await page().click('form[aria-label="Split shard"] button[type=submit]');
  await eventually(async () => (await page().locator('[data-testid=open-shards]').textContent()) === '3', { what: '3 open shards' });
  await eventually(async () => (await page().getAttribute('svg.hashmap', 'data-generations')) === '2', { what: 'a second generation in the map' });
  const parentRow = await page().locator('[data-shard-row="shardId-000000000000"]').textContent();
  assert.match(parentRow, /closed/);
  assert.match(parentRow, /shardId-000000000002 \+ shardId-000000000003/);
  assert.match(await page().locator('[data-shard-row="shardId-000000000003"]').textContent(), /open.*shardId-000000000000 →/);
  // Merge the two children back together.
  await page().click('svg.hashmap rect[data-shard="shardId-000000000002"]');
  await page().click('form[aria-label="Merge shards"] button[type=submit]');
  await eventually(async () => (await page().getAttribute('svg.hashmap', 'data-generations')) === '3', { what: 'the merged shard' });
  assert.match(await page().locator('[data-shard-row="shardId-000000000004"]').textContent(), /shardId-000000000002 \+ shardId-000000000003/);
  // UpdateShardCount to 4
  await page().fill('input[name=TargetShardCount]', '4');
  await page().click('form[aria-label="Update shard count"] button[type=submit]');
  await eventually(async () => (await page().locator('[data-testid=open-shards]').textContent()) === '4', { what: '4 open shards' });
  const s = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
  assert.equal(s.StreamDescriptionSummary.OpenShardCount, 4);
  await shot(page(), 'stream-resharded');
});

test('no uncaught errors in the page', () => {
  assert.deepEqual(b.errors, []);
});
