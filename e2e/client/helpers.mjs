// Shared helpers for the browser end-to-end tests: the Go test server,
// headless Chromium (Debian's /usr/bin/chromium, never a downloaded one)
// with fake camera and microphone, and small waits on the page's
// window.__signalbox hook.

import { spawn, execFileSync } from 'node:child_process';
import { after, before } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { artifacts, chromium, CHROMIUM, CHROMIUM_ARGS, repo, screenshot, STEP_TIMEOUT } from '../browser.mjs';

export { artifacts, CHROMIUM, CHROMIUM_ARGS, repo, screenshot, STEP_TIMEOUT };

let built = null;

/** serverBinary returns the test server binary: $SIGNALBOX_TESTSERVER, or one built now. */
export function serverBinary() {
  if (process.env.SIGNALBOX_TESTSERVER) return process.env.SIGNALBOX_TESTSERVER;
  if (!built) {
    const out = join(mkdtempSync(join(tmpdir(), 'sbx-e2e-')), 'testserver');
    execFileSync('go', ['build', '-o', out, './e2e/cmd/testserver'], { cwd: repo, stdio: 'inherit' });
    built = out;
  }
  return built;
}

/**
 * startServer runs the test server and resolves with its base URL once it
 * listens. stop() ends it (closing its stdin, which it watches).
 */
export async function startServer({ roomSize = 2, resumeGrace = '10s', classes = [], name } = {}) {
  const args = ['-dist', join(repo, 'frontend/dist'), '-room-size', String(roomSize), '-resume-grace', resumeGrace, '-allow-host', 'lan.test'];
  if (name) args.push('-name', name);
  for (const c of classes) args.push('-class', c);
  const child = spawn(serverBinary(), args, {
    cwd: repo,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = await new Promise((ok, fail) => {
    let buf = '';
    child.stdout.on('data', (chunk) => {
      buf += chunk;
      const m = /^LISTEN (http:\/\/\S+)$/m.exec(buf);
      if (m) ok(m[1]);
    });
    child.on('exit', (code) => fail(new Error(`test server exited with ${code} before listening`)));
  });
  const exited = new Promise((ok) => child.on('exit', ok));
  return {
    url,
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}

/** launch starts headless Chromium, with args added to CHROMIUM_ARGS. */
export function launch(args = []) {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...args] });
}

/**
 * serveAndLaunch registers the hooks every suite shares: before it, a test
 * server (startServer's options) and Chromium (launch's extra args), then
 * the suite's own setup; after it, the suite's teardown, then both closed.
 * It returns the suite's handles, { server, browser }, set once the suite
 * has started. (One hook each: node:test starts a second top-level before
 * hook without waiting for the first.)
 */
export function serveAndLaunch(serverOptions, { args = [], setup, teardown } = {}) {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await startServer(serverOptions);
    env.browser = await launch(args);
    await setup?.(env);
  });
  after(async () => {
    await teardown?.(env);
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}

/**
 * openPage opens a new browser context (its own storage, like another
 * device) with a remembered display name, and goes to path.
 */
export async function openPage(browser, base, path, { name, locale = 'en-US', viewport } = {}) {
  const context = await browser.newContext({ locale, viewport: viewport ?? { width: 1280, height: 720 } });
  if (name) {
    await context.addInitScript((n) => {
      if (!localStorage.getItem('signalbox.name')) localStorage.setItem('signalbox.name', n);
    }, name);
  }
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[${name ?? 'page'}] page error:`, err));
  await page.goto(base + path);
  if (path.startsWith('/r/')) await confirmName(page);
  return page;
}

/**
 * confirmName answers a room link's name gate: the field is prefilled with
 * the remembered name (openPage's `name`); name, when given, replaces it.
 */
export async function confirmName(page, name) {
  const button = page.locator('[data-action=confirm-name]');
  await button.waitFor({ timeout: STEP_TIMEOUT });
  if (name !== undefined) await page.fill('#gate-name', name);
  await button.click();
}

/** state reads the page's window.__signalbox.state(). */
export function state(page) {
  return page.evaluate(() => window.__signalbox.state());
}

/** waitInRoom waits until the page holds a seat with `peers` other peers. */
export async function waitInRoom(page, peers) {
  await page.waitForFunction(
    (n) => {
      const s = window.__signalbox?.state();
      return s && s.phase === 'in-room' && s.peers.length === n;
    },
    peers,
    { timeout: STEP_TIMEOUT },
  );
  return state(page);
}

/** inboundVideo reads framesDecoded per remote peer. */
export function inboundVideo(page) {
  return page.evaluate(() => window.__signalbox.inboundVideo());
}

/**
 * waitDecoding waits until the page decodes video from every one of
 * `peers` remote peers, and the count goes on rising. It returns the two
 * samples.
 */
export async function waitDecoding(page, peers) {
  const deadline = Date.now() + STEP_TIMEOUT;
  let first = null;
  while (Date.now() < deadline) {
    const now = await inboundVideo(page);
    if (now.length === peers && now.every((p) => p.framesDecoded > 0)) {
      if (!first) {
        first = now;
      } else if (now.every((p) => p.framesDecoded > first.find((f) => f.id === p.id).framesDecoded)) {
        return { first, second: now };
      }
    }
    await sleep(250);
  }
  throw new Error(`video from ${peers} peers not decoding; last sample ${JSON.stringify(await inboundVideo(page))}`);
}
