// The console in Firefox (issue 18: "works in current Chromium and Firefox"). playwright-core
// drives only its own patched Firefox builds, so this file uses puppeteer-core, which drives a
// stock Firefox (Debian's firefox-esr) over WebDriver BiDi. It walks the main paths once: the
// redirect, creating a stream, the producer, the record browser, the stream page's hash-key map,
// the Firehose list and the server page. FIREFOX= points at the binary; without one the file is
// skipped with a message saying so.

import assert from 'node:assert/strict';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { after, before, test } from 'node:test';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { artifacts, consoleUrl, eventually, origin, s3, unique } from './lib.mjs';

function findFirefox() {
  const executable = (p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (process.env.FIREFOX) return executable(process.env.FIREFOX) ? process.env.FIREFOX : null;
  for (const name of ['firefox-esr', 'firefox'])
    for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir && executable(join(dir, name))) return join(dir, name);
  return null;
}

const firefox = findFirefox();
const skip = firefox ? false : 'no Firefox binary found (apt-get install -y firefox-esr, or set FIREFOX=/path/to/firefox)';
if (skip) console.log(`6-firefox: skipped: ${skip}`);

const name = unique('console-ff');
const fhName = unique('console-ff-fh');
const bucket = unique('console-ff-bucket');
let browser;
let page;
const errors = [];
const consoleErrors = [];

before(async () => {
  if (skip) return;
  const { default: puppeteer } = await import('puppeteer-core');
  browser = await puppeteer.launch({ browser: 'firefox', executablePath: firefox, headless: true });
  page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  page.on('pageerror', (e) => errors.push(e.message));
  // Over BiDi, Firefox reports CSP violations as page errors too; console errors are whatever
  // else it complains about (a module that failed to load, …).
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
after(async () => {
  await browser?.close();
});

const shot = (n) => page.screenshot({ path: `${artifacts}/firefox-${n}.png`, fullPage: true });
const text = (sel) => page.$eval(sel, (e) => e.textContent);
const fill = (sel, value) => page.locator(sel).fill(value);
const click = (sel) => page.locator(sel).click();
const count = (sel) => page.$$eval(sel, (es) => es.length);
const waitText = (sel, re, what) =>
  eventually(async () => re.test((await text(sel).catch(() => '')) ?? ''), { what: what ?? `${sel} to match ${re}` });

test('/ redirects to /console/ and the streams page renders', { skip }, async () => {
  const res = await page.goto(origin + '/');
  assert.equal(res.ok(), true);
  assert.equal(page.url(), consoleUrl);
  await page.waitForSelector('form[aria-label="Create stream"]');
  await page.waitForSelector('[data-testid=stream-count]');
  assert.equal(await page.evaluate(() => navigator.userAgent.includes('Firefox/')), true);
});

test('create a stream through the form and see it in the list', { skip }, async () => {
  await page.goto(consoleUrl + '#/streams');
  await fill('input[name=StreamName]', name);
  await fill('input[name=ShardCount]', '2');
  await click('form[aria-label="Create stream"] button[type=submit]');
  const row = `[data-stream="${name}"]`;
  await page.waitForSelector(row, { timeout: 15_000 });
  await waitText(row, /ACTIVE/, 'the stream to be ACTIVE in the list');
  await eventually(async () => /PROVISIONED2/.test((await text(row)).replace(/\s/g, '')), { what: 'mode and shard count' });
  await shot('streams');
  // The list is a grid: focus, End, Enter opens the last stream.
  await page.focus('[role=grid][aria-label=Streams]');
  await page.keyboard.press('End');
  const last = await page.$$eval('[data-stream]', (es) => es.at(-1).dataset.stream);
  await page.keyboard.press('Enter');
  await eventually(async () => (await page.evaluate(() => location.hash)) === `#/streams/${last}`, { what: `End, Enter to open ${last}` });
});

test('put a record with the producer and read it back decoded as text', { skip }, async () => {
  await page.goto(consoleUrl + `#/streams/${name}/produce`);
  await fill('textarea[name=Data]', 'héllo from Firefox ✓');
  await fill('input[name=PartitionKey]', 'ff-key');
  await click('form[aria-label="Put record"] button[type=submit]');
  await page.waitForSelector('[data-testid=put-log] td[data-shard]');
  assert.match(await text('[data-testid=put-log] td[data-shard]'), /^shardId-00000000000[01]$/);
  // The log of records put stays inside its card (a 56-digit sequence number overflowed it in
  // Firefox before it was allowed to break).
  const overflow = await page.$eval('[data-testid=put-log]', (t) => t.getBoundingClientRect().right - t.closest('form').getBoundingClientRect().right);
  assert.ok(overflow <= 0, `the put log sticks out of its card by ${overflow}px`);
  await shot('producer');

  await page.goto(consoleUrl + `#/streams/${name}/records`);
  // Wait for the shard list, so "all shards" reads both (Preact sets option values as
  // properties, not attributes: look for the text).
  await page.waitForFunction(() => [...document.querySelectorAll('select[name=shard] option')].some((o) => o.textContent.includes('shardId-000000000001')));
  await click('form[aria-label="Read records"] button[type=submit]');
  await eventually(async () => (await count('[data-record]')) === 1, { what: 'the record in the browser' });
  assert.match(await text('[data-record]'), /ff-key.*héllo from Firefox ✓/);
  await click('[data-record]');
  await page.waitForSelector('[data-testid=record-data]');
  assert.equal(await text('[data-testid=record-data]'), 'héllo from Firefox ✓');
  await page.select('select[name=encoding]', 'text');
  assert.equal(await text('[data-testid=record-data]'), 'héllo from Firefox ✓');
  await page.select('select[name=encoding]', 'hex');
  assert.match(await text('[data-testid=record-data]'), /^68 c3 a9 6c 6c 6f/);
  await page.select('select[name=encoding]', 'auto');
  await shot('records');
});

test('the stream page draws the hash-key map and the charts', { skip }, async () => {
  await page.goto(consoleUrl + `#/streams/${name}`);
  await page.waitForSelector('svg.hashmap rect[data-shard="shardId-000000000001"]');
  assert.equal(await count('svg.hashmap rect[data-shard]'), 2);
  assert.match(await page.$eval('svg.hashmap', (e) => e.getAttribute('aria-label')), /2 open shards, 0 closed, 1 generations/);
  // The map has a real size in Firefox (an SVG with only a viewBox can collapse to 0 px).
  const box = await page.$eval('svg.hashmap', (e) => e.getBoundingClientRect().toJSON());
  assert.ok(box.width > 300 && box.height > 20, JSON.stringify(box));
  // uPlot draws into a canvas; the chart counts the record put above.
  const chart = 'figure.chart[data-total]';
  await page.waitForSelector(chart);
  await eventually(async () => Number(await page.$eval(chart, (e) => e.getAttribute('data-total'))) >= 1, { timeout: 30_000, what: 'the chart to count the record' });
  assert.ok(await count('figure.chart canvas'), 'a chart canvas');
  await shot('stream');
});

test('the Firehose list renders and a delivery stream created from the form appears in it', { skip }, async () => {
  await page.goto(consoleUrl + '#/firehose');
  await fill('input[name=DeliveryStreamName]', fhName);
  await fill('input[name=Bucket]', bucket);
  await page.$eval('input[name=createBucket]', (e) => e.checked && e.click());
  await fill('input[name=Prefix]', 'ff/');
  await click('form[aria-label="Create delivery stream"] button[type=submit]');
  const row = `[data-delivery-stream="${fhName}"]`;
  await page.waitForSelector(row, { timeout: 15_000 });
  await waitText(row, /ACTIVE/, 'the delivery stream to be ACTIVE in the list');
  assert.match(await text(row), new RegExp(`S3 ${bucket}/ff/`));
  await shot('firehose');
});

test('the server page renders its facts and tables', { skip }, async () => {
  await page.goto(consoleUrl + '#/server');
  const cfg = await (await fetch(consoleUrl + 'config.json')).json();
  await waitText('[data-testid=server-facts]', new RegExp(cfg.version.replace(/\./g, '\\.')), 'the version');
  await waitText('[data-testid=requests-table]', /kinesis\s*PutRecord\s*\d+/, 'PutRecord in the requests table');
  assert.match(await text('[aria-label="fsync latency"]'), /\d+ fsyncs/);
  await page.waitForSelector('[data-testid=rates-pending]', { hidden: true, timeout: 15_000 });
  await shot('server');
});

test('no uncaught errors and no console errors in the page (Firefox)', { skip }, () => {
  assert.deepEqual(errors, []);
  assert.deepEqual(consoleErrors, []);
});
