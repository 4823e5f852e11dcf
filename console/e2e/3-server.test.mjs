import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { consoleUrl, eventually, kinesis, openBrowser, shot, startServer, stopServer } from './lib.mjs';

let b;
before(async () => {
  b = await openBrowser();
});
after(async () => {
  await b?.browser.close();
});

test('the server page shows version, fsync latency and requests by operation', async () => {
  const page = b.page;
  await page.goto(consoleUrl + '#/server');
  const table = page.locator('[data-testid=requests-table]');
  await eventually(async () => /kinesis\s*PutRecords\s*\d+/.test(await table.textContent()), { what: 'PutRecords in the table' });
  const facts = await page.locator('[data-testid=server-facts]').textContent();
  const cfg = await (await fetch(consoleUrl + 'config.json')).json();
  assert.ok(facts.includes(cfg.version), facts);
  assert.match(await page.locator('[aria-label="fsync latency"]').textContent(), /\d+ fsyncs/);
  assert.match(await page.locator('[data-testid=data-dir-bytes]').textContent(), /\d/);
  // An error answered: counted by type.
  await assert.rejects(kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'no-such-stream-for-the-server-page' })), {
    name: 'ResourceNotFoundException',
  });
  await eventually(
    async () => /kinesis\s*DescribeStreamSummary\s*ResourceNotFoundException\s*[1-9]/.test(
      (await page.locator('[data-testid=errors-table]').textContent({ timeout: 1000 }).catch(() => '')) ?? ''),
    { what: 'ResourceNotFoundException in the errors table', timeout: 15_000 },
  );
  // Two more scrapes give the rates and the charts two points.
  await page.locator('[data-testid=rates-pending]').waitFor({ state: 'detached', timeout: 15_000 });
  await shot(page, 'server');
});

test('a server that goes away shows a banner, and the page recovers when it returns', { skip: !process.env.RUNNEL_PID_FILE && 'needs run.sh' }, async () => {
  const page = b.page;
  await page.goto(consoleUrl + '#/streams');
  await page.locator('[data-testid=stream-count]').waitFor();
  await stopServer();
  const down = page.locator('[data-testid=server-down]');
  await down.waitFor({ timeout: 10_000 });
  assert.match(await down.textContent(), /not answering/);
  await shot(page, 'server-gone');
  await startServer();
  await page.locator('[data-testid=server-back]').waitFor({ timeout: 10_000 });
  assert.equal(await down.count(), 0);
  // The list reloaded from the restarted server: the streams made earlier are still there.
  await eventually(async () => /^[1-9]\d* of/.test(await page.locator('[data-testid=stream-count]').textContent()), { what: 'the list after the restart' });
});

test('no uncaught errors in the page', () => {
  assert.deepEqual(b.errors, []);
});
