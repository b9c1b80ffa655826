// The classroom flow, as a teacher and students follow it: one address on
// the board (/r/math) seats every student (pairs by default, a group when
// the window chose one), each student confirms a name first, renames in
// the call, and when a browser dies the others are told at once
// ("Ana is reconnecting…") and later "Ana left" in the call and the chat.
// Delays are printed, measured in the pages (see the log lines "classroom:").
//
// This file is what campus (the simulated school network) builds on: the
// same selectors ([data-action=confirm-name], .presence [data-presence=away],
// .chat-lines [data-notice=left]) and the same board-address flow.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot, serveAndLaunch, state, STEP_TIMEOUT, waitDecoding, waitInRoom } from './helpers.mjs';

const PHONE = { width: 390, height: 844 };
/** GRACE is the server's resume grace here: short, so "left" comes soon. */
const GRACE_MS = 4000;

const env = serveAndLaunch({ roomSize: 2, resumeGrace: `${GRACE_MS}ms`, classes: ['science=group:3'] });

/** openStudents opens one phone per name on path at the same moment and waits until each is in a call with `peers` others. */
async function openStudents(path, names, peers) {
  const t0 = Date.now();
  const pages = await Promise.all(names.map((name) => openPage(env.browser, env.server.url, path, { name, viewport: PHONE })));
  await Promise.all(pages.map((p) => waitInRoom(p, peers)));
  const seated = Date.now() - t0;
  await Promise.all(pages.map((p) => waitDecoding(p, peers)));
  console.log(`classroom: ${names.length} students on ${path}: all seated ${seated} ms, all decoding video ${Date.now() - t0} ms after opening`);
  return pages;
}

test('four students open the board address at once: two pairs, every one in a call', async () => {
  const names = ['Ana', 'Ben', 'Cleo', 'Dev'];
  const pages = await openStudents('/r/math', names, 1);
  const rooms = await Promise.all(pages.map(async (p) => (await state(p)).room));
  assert.deepEqual([...rooms].sort(), ['math', 'math', 'math · 2', 'math · 2']);
  // Partners see each other by the names they confirmed.
  for (const [i, p] of pages.entries()) {
    const partner = pages.findIndex((q, j) => j !== i && rooms[j] === rooms[i]);
    await p.locator('.tile.remote .name', { hasText: names[partner] }).waitFor({ timeout: STEP_TIMEOUT });
  }
  await pages[2].locator('.tile.remote:not(.no-video)').waitFor({ timeout: STEP_TIMEOUT });
  console.log('screenshot:', await screenshot(pages[2], 'classroom-phone-call.png'));
  await Promise.all(pages.map((p) => p.context().close()));
});

test('the window chose a group of 3 for "science": three students in one mesh', async () => {
  const pages = await openStudents('/r/science', ['Eva', 'Finn', 'Gus'], 2);
  for (const p of pages) assert.equal((await state(p)).room, 'science');
  await Promise.all(pages.map((p) => p.context().close()));
});

test('an odd student out is told a partner is coming, and gets one', async () => {
  const [eva] = await openStudents('/r/music', ['Eva'], 0);
  await eva.locator('[data-testid=waiting]', { hasText: 'Waiting for a partner' }).waitFor({ timeout: STEP_TIMEOUT });
  const finn = await openPage(env.browser, env.server.url, '/r/music', { name: 'Finn', viewport: PHONE });
  await Promise.all([waitInRoom(eva, 1), waitInRoom(finn, 1)]);
  await eva.locator('[data-testid=waiting]').waitFor({ state: 'hidden', timeout: STEP_TIMEOUT });
  await Promise.all([eva.context().close(), finn.context().close()]);
});

test('the name is confirmed before joining, remembered, and can be changed in the call', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  await page.goto(env.server.url + '/r/art');
  const field = page.locator('#gate-name');
  await field.waitFor({ timeout: STEP_TIMEOUT });
  assert.equal(await field.inputValue(), '', 'nothing remembered yet');
  assert.equal((await state(page)).phase, 'lobby', 'no join before the name is confirmed');
  await page.click('[data-action=confirm-name]');
  await page.locator('#gate-problem', { hasText: 'Type your name first.' }).waitFor({ timeout: STEP_TIMEOUT });
  await field.fill('Hana');
  await page.click('[data-action=confirm-name]');
  await waitInRoom(page, 0);
  assert.equal(await page.evaluate(() => localStorage.getItem('signalbox.name')), 'Hana');

  const ivo = await openPage(env.browser, env.server.url, '/r/art', { name: 'Ivo' });
  assert.equal((await waitInRoom(ivo, 1)).room, 'art');
  await waitInRoom(page, 1);
  await page.locator('.tile.remote .name', { hasText: 'Ivo' }).waitFor({ timeout: STEP_TIMEOUT });

  // Ivo renames himself in the call: Hana's tile, chat and his own caption follow.
  await ivo.click('[data-action=rename]');
  await ivo.fill('#rename-input', 'Ivo Petrov');
  await ivo.click('[data-action=rename-save]');
  await page.locator('.tile.remote .name', { hasText: 'Ivo Petrov' }).waitFor({ timeout: STEP_TIMEOUT });
  await ivo.locator('.tile.self .caption', { hasText: 'You (Ivo Petrov)' }).waitFor({ timeout: STEP_TIMEOUT });
  await page.click('[data-action=chat]');
  await page.locator('.chat-lines [data-notice=renamed]', { hasText: 'Ivo is now Ivo Petrov' }).waitFor({ timeout: STEP_TIMEOUT });
  assert.equal(await ivo.evaluate(() => localStorage.getItem('signalbox.name')), 'Ivo Petrov');
  // A reload resumes the seat without asking again (the name gate is for joining).
  await ivo.reload();
  await waitInRoom(ivo, 1);
  await ivo.context().close();
  await context.close();
});

test('a student whose browser dies: "reconnecting…" at once, then "left" in the call and the chat', async () => {
  const [ana, ben] = await openStudents('/r/history', ['Ana', 'Ben'], 1);
  await ben.click('[data-action=chat]');
  const anaPeer = (await state(ana)).self;
  // The renderer crashes: no close frame, no goodbye, as when a phone's
  // browser is killed. Chromium's network process drops the socket.
  const cdp = await ana.context().newCDPSession(ana);
  const dropped = Date.now();
  void cdp.send('Page.crash').catch(() => {});

  const away = ben.locator('.presence [data-presence=away]', { hasText: 'Ana is reconnecting…' });
  await away.waitFor({ timeout: STEP_TIMEOUT });
  const awayMs = Date.now() - dropped;
  // Told by the signalling server, not by WebRTC noticing on its own
  // (which takes 5–10 s): the connection to Ana still looks fine.
  const pcState = await ben.evaluate((id) => document.querySelector(`.tile.remote[data-peer="${id}"]`)?.dataset.state, anaPeer);
  assert.equal(pcState, 'away', 'the tile shows the seat waiting');
  await ben.locator(`.tile.remote[data-peer="${anaPeer}"] .pill`, { hasText: 'reconnecting…' }).waitFor({ timeout: STEP_TIMEOUT });
  console.log('screenshot:', await screenshot(ben, 'classroom-reconnecting.png'));

  const left = ben.locator('.presence [data-presence=left]', { hasText: 'Ana left' });
  await left.waitFor({ timeout: STEP_TIMEOUT });
  const leftMs = Date.now() - dropped;
  await ben.locator('.chat-lines [data-notice=left]', { hasText: 'Ana left' }).waitFor({ timeout: STEP_TIMEOUT });
  await ben.locator(`.tile.remote[data-peer="${anaPeer}"]`).waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
  console.log(`classroom: browser killed -> "Ana is reconnecting…" shown after ${awayMs} ms; -> "Ana left" after ${leftMs} ms (resume grace ${GRACE_MS} ms)`);
  assert.ok(awayMs < GRACE_MS, `"reconnecting" came after ${awayMs} ms, not at once`);
  assert.ok(leftMs >= GRACE_MS, `"left" came after ${leftMs} ms, before the seat expired`);
  await ben.context().close();
});
