// Shared by the browser tests: the server under test, a Chromium page, SDK clients for setup.
// run.sh sets CONSOLE_URL (the runnel origin), ARTIFACTS, and for the restart test RUNNEL_BIN,
// RUNNEL_PORT, RUNNEL_DATA_DIR, RUNNEL_PID_FILE and, when a folder is served, CONSOLE_DIR.

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { basename, dirname } from 'node:path';
import { readFileSync, writeFileSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';

export const origin = process.env.CONSOLE_URL ?? 'http://127.0.0.1:45710';
export const consoleUrl = origin + '/console/';
export const artifacts = process.env.ARTIFACTS ?? new URL('./artifacts/', import.meta.url).pathname;
mkdirSync(artifacts, { recursive: true });

const cfg = { endpoint: origin, region: 'us-east-1', credentials: { accessKeyId: 'runnel', secretAccessKey: 'runnel' } };
export const kinesis = new KinesisClient(cfg);
export const firehose = new FirehoseClient(cfg);
export const s3 = new S3Client({ ...cfg, forcePathStyle: true });

/** A unique name per run, so tests can run against a server that already holds data. */
export const unique = (p) => `${p}-${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;

/** A headless Chromium page that fails the test on any uncaught page error. */
export async function openBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { browser, page, errors };
}

export async function shot(page, name) {
  await page.screenshot({ path: `${artifacts}/${name}.png`, fullPage: true });
}

export async function eventually(fn, { timeout = 20_000, every = 250, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`timed out waiting for ${what}${last ? ': ' + last.message : ''}`);
}

/** Stops the runnel that run.sh started (SIGTERM, then waits for its port to refuse connections). */
export async function stopServer() {
  const pid = Number(readFileSync(process.env.RUNNEL_PID_FILE, 'utf8'));
  process.kill(pid, 'SIGTERM');
  await eventually(async () => {
    try {
      await fetch(origin + '/health');
      return false;
    } catch {
      return true;
    }
  }, { what: 'the server to stop' });
}

// The console folder to serve, when run.sh was given one (CONSOLE_DIR);
// otherwise the binary serves the console compiled into it.
const consoleDirArgs = () => (process.env.CONSOLE_DIR ? ['--console-dir', process.env.CONSOLE_DIR] : []);

/** Starts runnel again with the same port and data, and records its pid for run.sh to stop. */
export async function startServer() {
  const log = openSync(`${artifacts}/runnel-restarted.log`, 'a');
  const child = spawn(
    process.env.RUNNEL_BIN,
    ['serve', '--port', process.env.RUNNEL_PORT, '--data-dir', process.env.RUNNEL_DATA_DIR, '--host', '127.0.0.1', ...consoleDirArgs()],
    { detached: true, stdio: ['ignore', log, log] },
  );
  child.unref();
  writeFileSync(process.env.RUNNEL_PID_FILE, String(child.pid));
  await eventually(async () => (await fetch(origin + '/health')).status === 200, { what: 'the server to start' });
}

export const freePort = () =>
  new Promise((res) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = srv.address().port;
      srv.close(() => res(p));
    });
  });

/**
 * A second runnel of the test's own (same binary and console folder) with extra flags; returns its
 * origin and process. Its output goes to $ARTIFACTS/<name>.log (name: the data folder's parent).
 */
export async function spawnRunnel(dataDir, extra = []) {
  const port = await freePort();
  const log = openSync(`${artifacts}/${basename(dirname(dataDir))}.log`, 'w');
  const child = spawn(
    process.env.RUNNEL_BIN,
    ['serve', '--port', String(port), '--data-dir', dataDir, '--host', '127.0.0.1', ...consoleDirArgs(), ...extra],
    { stdio: ['ignore', log, log] },
  );
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => (await fetch(url + '/console/config.json')).ok, { what: 'the extra runnel' });
  return { url, child };
}

/**
 * Stops a runnel from spawnRunnel and only then removes its folder: removing it while the server
 * still writes its state on the way down races with those writes (rmdir fails with ENOTEMPTY).
 * SIGTERM first; SIGKILL if it has not exited within `grace` ms.
 */
export async function stopRunnel(child, dir, { grace = 30_000 } = {}) {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((res) => child.once('exit', res));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), grace);
    await exited;
    clearTimeout(timer);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}
