// Resilience: a page whose WebSocket is cut takes its seat back with its
// resume token, and the other side never sees it leave; media keeps flowing
// meanwhile. A reload resumes the seat too (the token is in
// sessionStorage) and the call is negotiated again.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { inboundVideo, openPage, serveAndLaunch, state, STEP_TIMEOUT, waitDecoding, waitInRoom } from './helpers.mjs';

let ana;
let ben;

/** seatAnaAndBen puts Ana and Ben in a call, decoding each other, before the tests. */
async function seatAnaAndBen({ browser, server }) {
  ana = await openPage(browser, server.url, '/r/resume', { name: 'Ana' });
  await waitInRoom(ana, 0);
  ben = await openPage(browser, server.url, '/r/resume', { name: 'Ben' });
  await Promise.all([waitInRoom(ana, 1), waitInRoom(ben, 1)]);
  await Promise.all([waitDecoding(ana, 1), waitDecoding(ben, 1)]);
  // Ben records every tile that disappears and every peer-left he is told of.
  await ben.evaluate(() => {
    window.__removed = [];
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.removedNodes) if (n.dataset?.peer) window.__removed.push(n.dataset.peer);
    }).observe(document.querySelector('.grid'), { childList: true });
  });
}

const env = serveAndLaunch({ roomSize: 2 }, { setup: seatAnaAndBen });

async function leftEntries(page) {
  return page.evaluate(() => [...document.querySelectorAll('.teaching .log .entry')].filter((e) => /left the room/.test(e.textContent)).length);
}

test('a cut WebSocket resumes the same seat; the other side sees nothing', async () => {
  const before = await state(ana);
  const framesBefore = (await inboundVideo(ben))[0].framesDecoded;
  await ana.evaluate(() => window.__signalbox.dropSocket());
  await ana.waitForFunction(() => window.__signalbox.state().phase !== 'in-room', null, { timeout: STEP_TIMEOUT });
  const t0 = Date.now();
  const after = await waitInRoom(ana, 1);
  const resumeMs = Date.now() - t0;
  console.log(`resumed in ${resumeMs} ms`);
  assert.equal(after.self, before.self, 'same peer id after resuming');
  await ana.locator('.teaching .log .entry', { hasText: 'Seat taken back in “resume”' }).waitFor({ state: 'attached', timeout: STEP_TIMEOUT });
  // Media kept flowing: Ben's decoder went on counting.
  const framesAfter = (await inboundVideo(ben))[0].framesDecoded;
  assert.ok(framesAfter > framesBefore, `Ben decoded ${framesBefore} then ${framesAfter} frames`);
  assert.deepEqual(await ben.evaluate(() => window.__removed), []);
  assert.equal(await leftEntries(ben), 0);
  assert.deepEqual((await state(ben)).peers, [before.self]);
});

test('a chat line sent right after the drop arrives once the seat is back', async () => {
  await ana.evaluate(() => window.__signalbox.dropSocket());
  await ana.click('[data-action=chat]');
  await ana.fill('#chat-input', 'sent while reconnecting');
  await ana.press('#chat-input', 'Enter');
  await waitInRoom(ana, 1);
  await ben.click('[data-action=chat]');
  await ben.locator('.chat-lines li', { hasText: 'sent while reconnecting' }).waitFor({ timeout: STEP_TIMEOUT });
  assert.equal(await ben.locator('.chat-lines li', { hasText: 'sent while reconnecting' }).count(), 1);
});

test('a reload resumes the seat and the call is negotiated again', async () => {
  const before = await state(ana);
  await ana.reload();
  const after = await waitInRoom(ana, 1);
  assert.equal(after.self, before.self, 'same peer id after a reload');
  await Promise.all([waitDecoding(ana, 1), waitDecoding(ben, 1)]);
  await sleep(200);
  assert.deepEqual(await ben.evaluate(() => window.__removed), []);
  assert.equal(await leftEntries(ben), 0);
});

test('when Signalbox stops, the page says so and the call goes on', async () => {
  const framesBefore = (await inboundVideo(ben))[0].framesDecoded;
  await env.server.stop();
  const banner = ben.locator('.banner');
  await banner.waitFor({ timeout: STEP_TIMEOUT });
  assert.match(await banner.innerText(), /Signalbox is stopping or restarting|Signalbox cannot be reached/);
  assert.match(await ben.locator('.status').innerText(), /Reconnecting/);
  // Media flows browser to browser: it does not need the server.
  await sleep(1500);
  const framesAfter = (await inboundVideo(ben))[0].framesDecoded;
  assert.ok(framesAfter > framesBefore, `Ben decoded ${framesBefore} then ${framesAfter} frames`);
});
