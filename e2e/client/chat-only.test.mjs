// A chat-only peer (what the desktop window's chat seat is: a raw native
// WebSocket that joins with "chatOnly": true and only chats) in a room with
// browser pages: the pages show it as chat-only with no video tile, create
// no RTCPeerConnection for it and send it no signal, ignore a signal it
// sends, still call each other, and chat flows both ways.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { confirmName, openPage, repo, screenshot, serveAndLaunch, state, STEP_TIMEOUT, waitDecoding, waitInRoom } from './helpers.mjs';

const WebSocket = createRequire(join(repo, 'frontend/package.json'))('ws');

let ana;
let ben;
let seat;

/**
 * chatSeat joins room over /ws as a chat-only peer and records every frame
 * it receives. waitFor resolves with the first recorded frame matching pred.
 */
async function chatSeat(base, room, name) {
  const ws = new WebSocket(base.replace(/^http/, 'ws') + '/ws');
  const frames = [];
  const waiters = [];
  ws.on('message', (raw) => {
    const f = JSON.parse(String(raw));
    frames.push(f);
    if (f.type === 'welcome') ws.send(JSON.stringify({ type: 'join', room, name, chatOnly: true }));
    for (const w of [...waiters]) {
      if (w.pred(f)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.ok(f);
      }
    }
  });
  const waitFor = (pred, what) => {
    const hit = frames.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((ok, fail) => {
      const w = { pred, ok };
      waiters.push(w);
      setTimeout(() => fail(new Error(`chat seat: no ${what} within ${STEP_TIMEOUT} ms`)), STEP_TIMEOUT).unref();
    });
  };
  const joined = await waitFor((f) => f.type === 'joined' || f.type === 'error', 'joined');
  assert.equal(joined.type, 'joined', `join answered ${JSON.stringify(joined)}`);
  return {
    id: joined.self.id,
    self: joined.self,
    frames,
    waitFor,
    send: (v) => ws.send(JSON.stringify(v)),
    signals: () => frames.filter((f) => f.type === 'signal').length,
    close: () => ws.close(1000),
  };
}

/** countConnections makes the page count the RTCPeerConnections it creates, in window.__pcs. */
async function countConnections(page) {
  await page.context().addInitScript(() => {
    const Real = window.RTCPeerConnection;
    window.__pcs = 0;
    window.RTCPeerConnection = class extends Real {
      constructor(...args) {
        super(...args);
        window.__pcs++;
      }
    };
  });
}

/** chatFrom waits until the chat seat receives the chat line text. */
function chatFrom(text) {
  return seat.waitFor((f) => f.type === 'broadcast' && f.data?.chat === text, `chat “${text}”`);
}

const env = serveAndLaunch({ roomSize: 3 }, { teardown: () => seat?.close() });

test('a page shows a chat-only peer that joins after it without calling it', async () => {
  ana = await openPage(env.browser, env.server.url, '/', { name: 'Ana' });
  await countConnections(ana);
  await ana.goto(env.server.url + '/r/chatroom');
  await confirmName(ana);
  await waitInRoom(ana, 0);
  seat = await chatSeat(env.server.url, 'chatroom', 'Window');
  assert.equal(seat.self.chatOnly, true);
  const s = await waitInRoom(ana, 1);
  assert.deepEqual(s.chatOnly, [seat.id]);
  const chip = ana.locator(`.chat-only-peer[data-peer="${seat.id}"]`);
  await chip.waitFor({ timeout: STEP_TIMEOUT });
  assert.match(await chip.innerText(), /Window/);
  assert.match(await chip.innerText(), /chat only/);
  assert.equal(await ana.locator(`.tile[data-peer="${seat.id}"]`).count(), 0, 'no video tile for a chat-only peer');

  // Chat both ways. Ana's chat follows anything she sent the seat on the
  // same socket, so once it has arrived, any signal would have too.
  await ana.click('[data-action=chat]');
  await ana.fill('#chat-input', 'hello window');
  await ana.press('#chat-input', 'Enter');
  await chatFrom('hello window');
  seat.send({ type: 'broadcast', data: { chat: 'hello Ana' } });
  await ana.locator('.chat-lines li', { hasText: 'hello Ana' }).waitFor({ timeout: STEP_TIMEOUT });

  assert.equal(seat.signals(), 0, 'signals sent to the chat-only peer');
  assert.equal(await ana.evaluate(() => window.__pcs), 0, 'RTCPeerConnections Ana made');
  assert.deepEqual((await state(ana)).links, []);
});

test('a page that arrives after it calls the others but not the chat-only peer', async () => {
  ben = await openPage(env.browser, env.server.url, '/', { name: 'Ben' });
  await countConnections(ben);
  await ben.goto(env.server.url + '/r/chatroom');
  await confirmName(ben);
  const s = await waitInRoom(ben, 2);
  assert.deepEqual(s.chatOnly, [seat.id]);
  await Promise.all([waitDecoding(ana, 1), waitDecoding(ben, 1)]);
  const anaId = (await state(ana)).self;
  assert.deepEqual((await state(ben)).links, [anaId]);
  assert.equal(await ben.evaluate(() => window.__pcs), 1, 'RTCPeerConnections Ben made (Ana only)');
  assert.equal(await ana.evaluate(() => window.__pcs), 1, 'RTCPeerConnections Ana made (Ben only)');
  await ben.locator(`.chat-only-peer[data-peer="${seat.id}"]`).waitFor({ timeout: STEP_TIMEOUT });
  assert.equal(await ben.locator(`.tile[data-peer="${seat.id}"]`).count(), 0);

  await ben.click('[data-action=teach]');
  await ben.locator(`.teaching .conn[data-peer="${seat.id}"][data-state=chat-only]`).waitFor({ timeout: STEP_TIMEOUT });
  console.log('screenshot:', await screenshot(ben, 'call-chat-only-peer.png'));

  await ben.click('[data-action=chat]');
  await ben.fill('#chat-input', 'Ben here');
  await ben.press('#chat-input', 'Enter');
  await chatFrom('Ben here');
  assert.equal(seat.signals(), 0, 'signals sent to the chat-only peer');
});

test('a signal from the chat-only peer is ignored', async () => {
  const benId = (await state(ben)).self;
  seat.send({ type: 'signal', to: benId, data: { pc: '0123456789ab', description: { type: 'offer', sdp: 'v=0\r\n' } } });
  seat.send({ type: 'broadcast', data: { chat: 'after the offer' } });
  // Ben's teaching panel is open: the chat line arrives in the hidden chat panel.
  await ben.locator('.chat-lines li', { hasText: 'after the offer' }).waitFor({ state: 'attached', timeout: STEP_TIMEOUT });
  await ben.locator('.teaching .log .entry', { hasText: 'Ignored a call message from Window' }).waitFor({ state: 'attached', timeout: STEP_TIMEOUT });
  assert.equal(await ben.evaluate(() => window.__pcs), 1);
  assert.deepEqual((await state(ben)).chatOnly, [seat.id]);
  assert.equal(seat.signals(), 0, 'no answer went back');
});

test('the chat-only peer leaving removes its chip', async () => {
  const id = seat.id;
  seat.close();
  seat = null;
  await ana.locator(`.chat-only-peer[data-peer="${id}"]`).waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
  const s = await waitInRoom(ana, 1);
  assert.deepEqual(s.chatOnly, []);
});
