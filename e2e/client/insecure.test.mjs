// A page opened over plain http from "another device" is not a secure
// context: the browser gives it no camera or microphone. It says so, joins
// receive-only, receives the other side's video and chats.
// Chromium maps the name lan.test to the loopback address, so the page is
// http://lan.test:PORT: not localhost, hence not secure, yet still local.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot, serveAndLaunch, STEP_TIMEOUT, waitDecoding, waitInRoom } from './helpers.mjs';

const env = serveAndLaunch({ roomSize: 2 }, { args: ['--host-resolver-rules=MAP lan.test 127.0.0.1'] });

test('plain http from another device: notice, receive-only, chat', async () => {
  const ana = await openPage(env.browser, env.server.url, '/r/class', { name: 'Ana' });
  await waitInRoom(ana, 0);
  const lanURL = env.server.url.replace('127.0.0.1', 'lan.test');
  const ben = await openPage(env.browser, lanURL, '/r/class', { name: 'Ben' });
  assert.equal(await ben.evaluate(() => window.isSecureContext), false);
  const notice = ben.locator('[data-notice=media][data-reason=insecure]').first();
  await notice.waitFor({ timeout: STEP_TIMEOUT });
  assert.match(await notice.innerText(), /not available on this connection/);
  await Promise.all([waitInRoom(ana, 1), waitInRoom(ben, 1)]);
  // Ben receives Ana's video though he sends none.
  await waitDecoding(ben, 1);
  assert.equal(await ben.locator('[data-action=mic]').isDisabled(), true);
  assert.equal(await ben.locator('[data-action=cam]').isDisabled(), true);
  await ana.locator('.tile.remote.no-video').waitFor({ timeout: STEP_TIMEOUT });
  // Chat works both ways.
  await ben.click('[data-action=chat]');
  await ben.fill('#chat-input', 'I can only watch');
  await ben.press('#chat-input', 'Enter');
  await ana.click('[data-action=chat]');
  await ana.locator('.chat-lines li', { hasText: 'I can only watch' }).waitFor({ timeout: STEP_TIMEOUT });
  console.log('screenshot:', await screenshot(ben, 'call-insecure-receive-only.png'));
});
