// With a credentials file the console asks for keys, keeps them in sessionStorage only, signs
// every call with them (the SDK for the APIs, @smithy/signature-v4 for /metrics).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, before, test } from 'node:test';
import { eventually, openBrowser, shot, spawnRunnel, stopRunnel } from './lib.mjs';

let b, server, dir, url;

before(async () => {
  if (!process.env.RUNNEL_BIN) return;
  dir = mkdtempSync(tmpdir() + '/runnel-console-auth-');
  writeFileSync(`${dir}/credentials`, '[default]\naws_access_key_id = AKIDCONSOLETEST\naws_secret_access_key = console-secret\n');
  let origin;
  ({ url: origin, child: server } = await spawnRunnel(`${dir}/data`, ['--credentials-file', `${dir}/credentials`]));
  url = origin + '/console/';
  b = await openBrowser();
});

after(async () => {
  await b?.browser.close();
  await stopRunnel(server, dir);
});

test('asks for keys, rejects wrong ones with AWS error text, and keeps good ones in sessionStorage only', { skip: !process.env.RUNNEL_BIN && 'needs run.sh' }, async () => {
  const page = b.page;
  await page.goto(url + '#/streams');
  await page.locator('input[name=accessKeyId]').waitFor();
  await page.fill('input[name=accessKeyId]', 'AKIDCONSOLETEST');
  await page.fill('input[name=secretAccessKey]', 'wrong');
  await page.click('button[type=submit]');
  const err = page.locator('.login .error');
  await err.waitFor();
  assert.match(await err.textContent(), /Signature|signature/);
  await shot(page, 'login-error');
  await page.fill('input[name=secretAccessKey]', 'console-secret');
  await page.click('button[type=submit]');
  await page.locator('[data-testid=stream-count]').waitFor();
  const stored = await page.evaluate(() => ({ session: sessionStorage.getItem('runnel.credentials'), local: JSON.stringify(localStorage) }));
  assert.match(stored.session, /AKIDCONSOLETEST/);
  assert.equal(stored.local, '{}');
  // Signed calls work: create a stream through the form.
  await page.fill('input[name=StreamName]', 'signed-stream');
  await page.click('form[aria-label="Create stream"] button[type=submit]');
  await page.locator('[data-stream="signed-stream"]').waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('[data-testid=server-down]').count(), 0);
});

test('the server page reads /metrics with a signed fetch', { skip: !process.env.RUNNEL_BIN && 'needs run.sh' }, async () => {
  const page = b.page;
  assert.equal((await fetch(url.replace('/console/', '/metrics'))).status, 403); // unsigned: refused
  await page.goto(url + '#/server');
  await eventually(async () => /kinesis\s*CreateStream\s*1/.test(await page.locator('[data-testid=requests-table]').textContent()), {
    what: 'CreateStream in the signed metrics',
  });
  await shot(page, 'server-auth');
  await page.click('text=Sign out');
  await page.locator('input[name=accessKeyId]').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('runnel.credentials')), null);
});

test('no uncaught errors in the page', () => {
  assert.deepEqual(b?.errors ?? [], []);
});
