// What every browser end-to-end test shares: where the repository and the
// screenshots are, and headless Chromium as the system has it (Debian's
// /usr/bin/chromium, never a downloaded one) kept off the internet, with
// fake camera and microphone that need no prompt.

import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** repo is the repository root. */
export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** artifacts is where screenshots go (gitignored). */
export const artifacts = join(repo, 'test-artifacts');

const require = createRequire(join(repo, 'frontend/package.json'));
/** chromium is playwright-core's launcher, from the frontend's packages. */
export const { chromium } = require('playwright-core');

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

/** screenshot saves a PNG of the page (all of it with fullPage) under test-artifacts/. */
export async function screenshot(page, name, { fullPage = false } = {}) {
  mkdirSync(artifacts, { recursive: true });
  const path = join(artifacts, name);
  await page.screenshot({ path, fullPage });
  return path;
}
