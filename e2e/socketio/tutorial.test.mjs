// The tutorial page at /tutorial/ in headless Chromium: two pages in one
// room reach a connected video call through the socket.io transport, a
// third finds the room full, and the one left sees the other go.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { CHROMIUM, CHROMIUM_ARGS } from '../browser.mjs';
import { need, startServer, WAIT } from './harness.mjs';

/** CALL_WAIT bounds the camera, the offer/answer and ICE on loopback. */
const CALL_WAIT = 30_000;

let server;
let browser;

before(async () => {
  server = await startServer({ roomSize: 2 });
  const { chromium } = need('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  if (server) assert.equal(await server.stop(), 0, 'the server shut down cleanly');
});

/** openPage opens the tutorial in a fresh context with locale, collecting its console lines. */
async function openPage(room, locale = 'en-US') {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  const lines = [];
  page.on('console', (msg) => lines.push(msg.text()));
  page.on('pageerror', (err) => lines.push('PAGE ERROR ' + err.message));
  await page.goto(`${server.url}/tutorial/?room=${encodeURIComponent(room)}`);
  return { page, lines, context };
}

function statusOf(page) {
  return page.locator('#status').textContent();
}

test('two pages reach a connected call; a third finds the room full', async () => {
  const first = await openPage('class-1');
  await first.page.waitForFunction(() => document.querySelector('#status').textContent.includes('created'), null, {
    timeout: WAIT,
  });
  const second = await openPage('class-1');

  for (const { page } of [first, second]) {
    await page.waitForFunction(() => window.pc && window.pc.connectionState === 'connected', null, {
      timeout: CALL_WAIT,
    });
  }
  // Video flows: the remote fake camera's frames are decoded.
  const decoded = await second.page.waitForFunction(
    async () => {
      const stats = await window.pc.getStats();
      for (const r of stats.values()) {
        if (r.type === 'inbound-rtp' && r.kind === 'video' && r.framesDecoded > 0) return r.framesDecoded;
      }
      return 0;
    },
    null,
    { timeout: CALL_WAIT },
  );
  assert.ok((await decoded.jsonValue()) > 0);
  assert.equal(await statusOf(first.page), 'Call connected.');

  // The tutorial's console lines, including the server's log events.
  const all = first.lines.join('\n');
  assert.match(all, />>> Message from server: +Request to create or join room class-1/);
  assert.match(all, /Created room class-1/);
  assert.match(all, /Client received message:/);
  assert.ok(!all.includes('PAGE ERROR'), all);

  // A third page, in Chinese, finds the room full.
  const third = await openPage('class-1', 'zh-CN');
  await third.page.waitForFunction(() => document.querySelector('#status').textContent.includes('已满'), null, {
    timeout: WAIT,
  });
  assert.equal(await third.page.locator('h1').textContent(), 'WebRTC 入门教程：通过 Signalbox 进行视频通话');
  // Switching the language re-renders the page and is remembered.
  await third.page.selectOption('#language', 'en');
  assert.equal(await statusOf(third.page), 'Room class-1 is full. Choose another room name.');
  await third.page.reload();
  assert.equal(await third.page.locator('h1').textContent(), 'WebRTC tutorial: a video call through Signalbox');
  await third.context.close();

  // The second one leaves: the first is told and waits for the next.
  await second.context.close();
  await first.page.waitForFunction(() => document.querySelector('#status').textContent.includes('left'), null, {
    timeout: WAIT,
  });
  assert.equal(await first.page.evaluate(() => window.pc), null);
  await first.context.close();
});
