// Shared helpers for the browser end-to-end tests: the Go test server,
// headless Chromium (Debian's /usr/bin/chromium, never a downloaded one)
// with fake camera and microphone, and small waits on the page's
// window.__signalbox hook.

import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const here = dirname(fileURLToPath(import.meta.url));
/** repo is the repository root. */
export const repo = resolve(here, '../..');
/** artifacts is where screenshots go (gitignored). */
export const artifacts = join(repo, 'test-artifacts');

const require = createRequire(join(repo, 'frontend/package.json'));
const { chromium } = require('playwright-core');

/** CHROMIUM is the system browser. */
export const CHROMIUM = process.env.SIGNALBOX_CHROMIUM || '/usr/bin/chromium';
/** CHROMIUM_ARGS keep Chromium off the internet and give it fake media devices that need no prompt. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** STEP_TIMEOUT bounds one wait for something the page should do (join, connect, decode). */
export const STEP_TIMEOUT = 30_000;

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

/** launch starts headless Chromium. */
export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
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

/** screenshot saves a PNG under test-artifacts/. */
export async function screenshot(page, name) {
  mkdirSync(artifacts, { recursive: true });
  const path = join(artifacts, name);
  await page.screenshot({ path });
  return path;
}
