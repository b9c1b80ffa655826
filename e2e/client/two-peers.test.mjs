// Two pages in a call through Signalbox (room capacity 2): video both ways,
// chat, the teaching view, the lobby's room list, a third page by the same
// address seated in the class's next pair, and leaving.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confirmName, openPage, screenshot, serveAndLaunch, STEP_TIMEOUT, waitDecoding, waitInRoom } from './helpers.mjs';

let ana;
let ben;

const env = serveAndLaunch({ roomSize: 2 });

test('Ana opens a room from the lobby; her name is remembered', async () => {
  ana = await openPage(env.browser, env.server.url, '/');
  await ana.fill('#name', 'Ana');
  await ana.fill('#room', 'math');
  await ana.click('[data-action=join]');
  await ana.waitForURL(/\/r\/math$/);
  const s = await waitInRoom(ana, 0);
  assert.equal(s.room, 'math');
  assert.equal(await ana.evaluate(() => localStorage.getItem('signalbox.name')), 'Ana');
  await ana.locator('.tile.self .caption', { hasText: 'You (Ana)' }).waitFor({ timeout: STEP_TIMEOUT });
});

test('Ben joins by the room link and both decode the other side’s video', async () => {
  const t0 = Date.now();
  ben = await openPage(env.browser, env.server.url, '/r/math', { name: 'Ben' });
  await waitInRoom(ben, 1);
  const inRoom = Date.now() - t0;
  await waitInRoom(ana, 1);
  const [a, b] = await Promise.all([waitDecoding(ana, 1), waitDecoding(ben, 1)]);
  console.log(`Ben: page open to seated ${inRoom} ms, to video decoding both ways ${Date.now() - t0} ms`);
  assert.equal(a.second[0].name, 'Ben');
  assert.equal(b.second[0].name, 'Ana');
  await ana.locator('.tile.remote .name', { hasText: 'Ben' }).waitFor({ timeout: STEP_TIMEOUT });
  await ben.locator('.tile.remote .name', { hasText: 'Ana' }).waitFor({ timeout: STEP_TIMEOUT });
});

test('a chat line reaches the other page', async () => {
  await ana.click('[data-action=chat]');
  await ana.fill('#chat-input', 'hello from Ana');
  await ana.press('#chat-input', 'Enter');
  await ben.click('[data-action=chat]');
  await ben.locator('.chat-lines li', { hasText: 'hello from Ana' }).waitFor({ timeout: STEP_TIMEOUT });
  await ben.fill('#chat-input', '你好 Ana');
  await ben.press('#chat-input', 'Enter');
  await ana.locator('.chat-lines li', { hasText: '你好 Ana' }).waitFor({ timeout: STEP_TIMEOUT });
});

test('the teaching view names the offer, the answer, candidates and the route', async () => {
  await ana.click('[data-action=teach]');
  const log = ana.locator('.teaching .log');
  await log.locator('.entry.in', { hasText: 'Ben joined the room' }).waitFor({ timeout: STEP_TIMEOUT });
  await log.locator('.entry', { hasText: /^.*(Offer to Ben|Offer from Ben)/ }).first().waitFor({ timeout: STEP_TIMEOUT });
  await log.locator('.entry', { hasText: /Answer (to|from) Ben/ }).first().waitFor({ timeout: STEP_TIMEOUT });
  await log.locator('.entry.kind-candidate').first().waitFor({ timeout: STEP_TIMEOUT });
  const card = ana.locator('.conn[data-state=connected]');
  await card.waitFor({ timeout: STEP_TIMEOUT });
  await card.locator('dd', { hasText: 'host ↔ host' }).waitFor({ timeout: STEP_TIMEOUT });
  await card.locator('dd', { hasText: /\d+ ms/ }).waitFor({ timeout: STEP_TIMEOUT });
  await card.locator('dd', { hasText: /↓ \d+ kbit\/s/ }).waitFor({ timeout: STEP_TIMEOUT });
  await log.locator('.entry').last().scrollIntoViewIfNeeded();
  console.log('screenshot:', await screenshot(ana, 'call-two-peers-teaching.png'));
  await ana.click('[data-action=teach]');
  console.log('screenshot:', await screenshot(ben, 'call-two-peers.png'));
});

test('screen sharing replaces the camera; the other side is told and keeps decoding', async () => {
  const share = ana.locator('[data-action=screen]');
  await share.click();
  await ana.locator('[data-action=screen][aria-pressed=true]', { hasText: 'Stop sharing' }).waitFor({ timeout: STEP_TIMEOUT });
  await ben.locator('.tile.remote .pill', { hasText: 'sharing screen' }).waitFor({ timeout: STEP_TIMEOUT });
  await waitDecoding(ben, 1);
  await share.click();
  await ben.locator('.tile.remote .pill', { hasText: 'sharing screen' }).waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
  await waitDecoding(ben, 1);
});

test('the lobby lists the class once, and a third page by the same address is seated in the next pair', async () => {
  const cleo = await openPage(env.browser, env.server.url, '/', { name: 'Cleo' });
  const item = cleo.locator('.room-item[data-room=math]');
  await item.locator('text=2 of 2 here').waitFor({ timeout: STEP_TIMEOUT });
  assert.equal(await item.locator('button').isDisabled(), false, 'a class address always has a seat');
  await cleo.goto(env.server.url + '/r/math');
  await confirmName(cleo);
  const s = await waitInRoom(cleo, 0);
  assert.equal(s.room, 'math · 2');
  await cleo.locator('.room-title', { hasText: 'math · 2' }).waitFor({ timeout: STEP_TIMEOUT });
  await cleo.context().close();
  // The others are undisturbed.
  assert.equal((await waitInRoom(ana, 1)).peers.length, 1);
});

test('leaving removes the tile on the other side', async () => {
  const benId = (await ben.evaluate(() => window.__signalbox.state())).self;
  await ana.locator(`.tile.remote[data-peer="${benId}"]`).waitFor({ timeout: STEP_TIMEOUT });
  await ben.click('[data-action=leave]');
  await ben.locator('.ended[data-reason=left]').waitFor({ timeout: STEP_TIMEOUT });
  await ana.locator(`.tile.remote[data-peer="${benId}"]`).waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
  await waitInRoom(ana, 0);
  await ana.click('[data-action=teach]');
  await ana.locator('.teaching .log .entry', { hasText: 'Ben left the room (left)' }).waitFor({ timeout: STEP_TIMEOUT });
});
