// Measures how fast the streams page loads: N cold loads of /console/#/streams (a new browser
// context each, so nothing is cached), each reporting, in ms after navigation start:
//   response  responseEnd of the document
//   dcl       DOMContentLoaded (domContentLoadedEventStart)
//   load      the load event (loadEventStart)
//   row       the first stream row visible: the first animation frame after a [data-stream]
//             row is in the DOM (performance.now(); a MutationObserver set up before any script)
// and, to see where the time goes (resource timing): when the last script, style sheet or
// config.json fetched before ListStreams had arrived (files), and when ListStreams, the first
// POST /, was sent (list>) and answered (list<).
// then the median and p90 of each. A measuring script, not a test: it asserts nothing.
//
//   node e2e/pageload.mjs RUNNEL_BIN [--runs 20] [--streams 70] [--console-dir DIR]
//                                    [--browser chromium|firefox] [--waterfall]
//   node e2e/pageload.mjs --url http://127.0.0.1:PORT [...]     (a runnel already running)
//
// With RUNNEL_BIN it starts that runnel on a free loopback port with a fresh data directory
// (--control-plane-limits off), creates --streams streams, measures, and stops it.
// --waterfall prints each load's requests (start → end, ms) too. Chromium through
// playwright-core (CHROMIUM=, default /usr/bin/chromium); Firefox through puppeteer-core over
// WebDriver BiDi (FIREFOX=, default /usr/bin/firefox-esr).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateStreamCommand, KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';

const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '20' },
    streams: { type: 'string', default: '70' },
    url: { type: 'string' },
    'console-dir': { type: 'string' },
    browser: { type: 'string', default: 'chromium' },
    waterfall: { type: 'boolean', default: false },
  },
});
const runs = Number(opt.runs);
const wantStreams = Number(opt.streams);

const freePort = () =>
  new Promise((res) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = srv.address().port;
      srv.close(() => res(p));
    });
  });

async function waitFor(fn, what, timeout = 20_000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    try {
      if (await fn()) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// The server: ours (RUNNEL_BIN) or the one at --url.
let origin = opt.url;
let server;
let dataDir;
if (!origin) {
  const bin = positionals[0];
  if (!bin) {
    console.error('usage: node e2e/pageload.mjs RUNNEL_BIN [--runs N] [--streams N] [--console-dir DIR] [--browser chromium|firefox] [--waterfall]\n       node e2e/pageload.mjs --url URL [...]');
    process.exit(2);
  }
  const port = await freePort();
  dataDir = mkdtempSync(join(tmpdir(), 'runnel-pageload-'));
  const args = ['serve', '--port', String(port), '--data-dir', join(dataDir, 'data'), '--host', '127.0.0.1', '--control-plane-limits', 'off'];
  if (opt['console-dir']) args.push('--console-dir', opt['console-dir']);
  server = spawn(bin, args, { stdio: 'ignore' });
  origin = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(origin + '/console/config.json')).ok, 'runnel to start');
}

const kinesis = new KinesisClient({ endpoint: origin, region: 'us-east-1', credentials: { accessKeyId: 'runnel', secretAccessKey: 'runnel' } });
async function countStreams() {
  let n = 0;
  let token;
  do {
    const out = await kinesis.send(new ListStreamsCommand(token ? { NextToken: token } : {}));
    n += out.StreamNames?.length ?? 0;
    token = out.HasMoreStreams ? out.NextToken : undefined;
  } while (token);
  return n;
}
let have = await countStreams();
if (server) {
  for (let i = have; i < wantStreams; i++) {
    await kinesis.send(new CreateStreamCommand({ StreamName: `pageload-${String(i).padStart(3, '0')}`, ShardCount: 1 }));
  }
  have = await countStreams();
}

// Runs in the page before any of its scripts (an init script, not an inline one: the CSP holds).
// It says on the console when the row is visible and the load event is over, so the script
// never polls the page: polling (waitForFunction) runs the driver's own code on the page's
// thread, 10-20 ms of it, while the page is loading.
function probe() {
  window.__firstRow = null;
  const done = () => {
    if (window.__firstRow > 0 && document.readyState === 'complete') console.debug('pageload:done');
  };
  const seen = () => {
    if (window.__firstRow !== null || !document.querySelector('[data-stream]')) return false;
    window.__firstRow = -1;
    requestAnimationFrame(() => {
      window.__firstRow = performance.now();
      done();
    });
    return true;
  };
  const mo = new MutationObserver(() => seen() && mo.disconnect());
  mo.observe(document, { childList: true, subtree: true });
  window.addEventListener('load', () => setTimeout(done));
}

function collect() {
  const n = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  const list = res.find((r) => r.initiatorType === 'fetch' && new URL(r.name).pathname === '/');
  const files = res.filter((r) => r.name.includes('/console/') && (!list || r.startTime < list.startTime));
  return {
    files: Math.max(...files.map((r) => r.responseEnd)),
    listSent: list?.startTime ?? NaN,
    listAnswered: list?.responseEnd ?? NaN,
    response: n.responseEnd,
    dcl: n.domContentLoadedEventStart,
    load: n.loadEventStart,
    row: window.__firstRow,
    requests: performance
      .getEntriesByType('resource')
      .map((r) => ({ name: r.name.replace(location.origin, ''), start: r.startTime, end: r.responseEnd, type: r.initiatorType })),
  };
}

const target = origin + '/console/#/streams';

async function chromium() {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  return {
    version: `Chromium ${browser.version()}`,
    async load() {
      const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      await ctx.addInitScript(probe);
      const page = await ctx.newPage();
      const done = page.waitForEvent('console', { predicate: (m) => m.text() === 'pageload:done', timeout: 20_000 });
      await page.goto(target);
      await done;
      const r = await page.evaluate(collect);
      await ctx.close();
      return r;
    },
    close: () => browser.close(),
  };
}

async function firefox() {
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: process.env.FIREFOX ?? '/usr/bin/firefox-esr', headless: true });
  return {
    version: `Firefox ${(await browser.version()).replace(/^firefox\//, '')}`,
    async load() {
      const ctx = await browser.createBrowserContext();
      const page = await ctx.newPage();
      await page.setViewport({ width: 1400, height: 900 });
      await page.evaluateOnNewDocument(probe);
      const done = new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no first row within 20 s')), 20_000);
        page.on('console', (m) => m.text() === 'pageload:done' && (clearTimeout(t), resolve()));
      });
      await page.goto(target);
      await done;
      const r = await page.evaluate(collect);
      await ctx.close();
      return r;
    },
    close: () => browser.close(),
  };
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.ceil(i)] - s[lo]) * (i - lo);
};
const f = (x) => x.toFixed(0).padStart(6);
const cols = ['response', 'dcl', 'load', 'files', 'listSent', 'listAnswered', 'row'];
const heads = ['response', 'dcl', 'load', 'files', 'list>', 'list<', 'row'];

try {
  const b = opt.browser === 'firefox' ? await firefox() : await chromium();
  const cmd = ['node', 'e2e/pageload.mjs', ...process.argv.slice(2)].join(' ');
  console.log(`$ ${cmd}`);
  console.log(`${b.version}, ${runs} cold loads of ${target} (${have} streams); ${new Date().toISOString()}`);
  console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (${cpus().length} CPUs)`);
  await b.load(); // warm-up, not counted: the first load also starts the browser's processes
  const results = [];
  for (let i = 0; i < runs; i++) {
    const r = await b.load();
    results.push(r);
    if (opt.waterfall) {
      console.log(`run ${i + 1}:`);
      for (const q of r.requests.sort((a, c) => a.start - c.start)) console.log(`  ${f(q.start)} → ${f(q.end)}  ${q.type.padEnd(10)} ${q.name}`);
      console.log(`  first row ${r.row.toFixed(0)}`);
    }
  }
  console.log(`\n   run ${heads.map((c) => c.padStart(8)).join('')}   (ms after navigation start)`);
  results.forEach((r, i) => console.log(`${String(i + 1).padStart(6)} ${cols.map((c) => '  ' + f(r[c])).join('')}`));
  for (const [label, q] of [['median', 0.5], ['p90', 0.9]])
    console.log(`${label.padStart(6)} ${cols.map((c) => '  ' + f(quantile(results.map((r) => r[c]), q))).join('')}`);
  const under = results.filter((r) => r.row < 300).length;
  console.log(`first row under 300 ms in ${under} of ${runs} loads`);
  console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  await b.close();
} finally {
  // Remove the data only once the server has exited: it writes its state on the way down.
  if (server && server.exitCode === null) {
    const exited = new Promise((res) => server.once('exit', res));
    server.kill('SIGTERM');
    await exited;
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
