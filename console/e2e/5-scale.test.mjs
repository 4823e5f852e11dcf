// 1,000 streams and a 10,000-shard stream: lists are paged and virtualised, the page stays responsive.
// Timings go to $ARTIFACTS/scale.json; the assertions are generous bounds against freezing, not benchmarks.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, before, test } from 'node:test';
import { CreateStreamCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { artifacts, eventually, openBrowser, shot, spawnRunnel, stopRunnel } from './lib.mjs';

const STREAMS = 1000;
const SHARDS = 10_000;
let b, server, dir, url;
const timings = {};

before(async () => {
  if (!process.env.RUNNEL_BIN) return;
  dir = mkdtempSync(tmpdir() + '/runnel-console-scale-');
  let origin;
  // AWS's CreateStream rate (5/s) would make 1,000 streams take minutes.
  ({ url: origin, child: server } = await spawnRunnel(`${dir}/data`, ['--control-plane-limits', 'off']));
  url = origin + '/console/';
  const k = new KinesisClient({ endpoint: origin, region: 'us-east-1', credentials: { accessKeyId: 'runnel', secretAccessKey: 'runnel' } });
  await k.send(new CreateStreamCommand({ StreamName: 'wide', ShardCount: SHARDS }));
  const names = Array.from({ length: STREAMS - 1 }, (_, i) => `many-${String(i).padStart(4, '0')}`);
  for (let i = 0; i < names.length; i += 50) await Promise.all(names.slice(i, i + 50).map((n) => k.send(new CreateStreamCommand({ StreamName: n, ShardCount: 1 }))));
  b = await openBrowser();
  // Record the longest main-thread task of each page.
  await b.page.addInitScript(() => {
    window.__longest = 0;
    new PerformanceObserver((l) => l.getEntries().forEach((e) => (window.__longest = Math.max(window.__longest, e.duration)))).observe({ type: 'longtask', buffered: true });
  });
});

after(async () => {
  writeFileSync(`${artifacts}/scale.json`, JSON.stringify(timings, null, 2) + '\n');
  await b?.browser.close();
  await stopRunnel(server, dir);
});

const skip = !process.env.RUNNEL_BIN && 'needs run.sh';

test('1,000 streams: the list pages through ListStreams and draws only the rows on screen', { skip }, async () => {
  const page = b.page;
  const t0 = Date.now();
  await page.goto(url + '#/streams');
  await page.locator('[data-stream]').first().waitFor();
  timings.firstStreamRowMs = Date.now() - t0;
  await eventually(async () => (await page.locator('[data-testid=stream-count]').textContent()).startsWith(`${STREAMS} of ${STREAMS}`), { what: 'all streams listed' });
  timings.allStreamsListedMs = Date.now() - t0;
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0];
    return { domContentLoadedMs: n.domContentLoadedEventEnd, loadMs: n.loadEventEnd };
  });
  Object.assign(timings, nav);
  const rows = await page.locator('[data-stream]').count();
  assert.ok(rows < 60, `only the rows on screen are in the DOM (${rows})`);
  // Keyboard: focus the list, End goes to the last stream ('wide' sorts after 'many-…'), ArrowUp
  // to the one before, Enter opens it.
  await page.locator('[role=grid][aria-label=Streams]').focus();
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  await page.waitForURL(/#\/streams\/many-0998$/);
  timings.streamsLongestTaskMs = await page.evaluate(() => window.__longest);
  assert.ok(timings.streamsLongestTaskMs < 2000, `no task froze the page for 2 s (${timings.streamsLongestTaskMs} ms)`);
  await page.goto(url + '#/streams');
  await page.locator('[data-stream]').first().waitFor();
  await shot(page, 'scale-streams');
});

test('10,000 shards: the map and the shard table draw, paged through ListShards', { skip }, async () => {
  const page = b.page;
  await page.goto(url + '#/server'); // leave the page so the next one starts fresh
  await page.evaluate(() => (window.__longest = 0));
  const t0 = Date.now();
  await page.goto(url + '#/streams/wide');
  await page.locator('svg.hashmap').waitFor({ timeout: 60_000 });
  timings.tenThousandShardsMapMs = Date.now() - t0;
  assert.match(await page.locator('svg.hashmap').getAttribute('aria-label'), /10000 open shards/);
  assert.equal(await page.locator('svg.hashmap rect').count(), SHARDS);
  const rows = await page.locator('[data-shard-row]').count();
  assert.ok(rows < 60, `shard table virtualised (${rows} rows in the DOM)`);
  // Scroll the shard table to its end with the keyboard and select the last shard.
  await page.locator('[role=grid][aria-label=Shards]').focus();
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.locator('form[aria-label="Split shard"] h3', { hasText: 'shardId-000000009999' }).waitFor();
  timings.shardsLongestTaskMs = await page.evaluate(() => window.__longest);
  assert.ok(timings.shardsLongestTaskMs < 3000, `no task froze the page for 3 s (${timings.shardsLongestTaskMs} ms)`);
  await shot(page, 'scale-shards');
});

test('no uncaught errors in the page', () => {
  assert.deepEqual(b?.errors ?? [], []);
});
