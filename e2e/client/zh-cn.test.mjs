// One call with zh-CN as the browser locale: the page speaks Chinese
// without being asked, the main controls are labelled in Chinese, and the
// language switcher turns it to English (and remembers the choice).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot, serveAndLaunch, STEP_TIMEOUT, waitDecoding, waitInRoom } from './helpers.mjs';

const env = serveAndLaunch({ roomSize: 2 });

test('a call in Chinese', async () => {
  const lobby = await openPage(env.browser, env.server.url, '/', { locale: 'zh-CN' });
  assert.equal(await lobby.locator('html').getAttribute('lang'), 'zh-CN');
  assert.equal((await lobby.locator('[data-action=join]').innerText()).trim(), '加入');
  await lobby.locator('label[for=room]', { hasText: '房间' }).waitFor({ timeout: STEP_TIMEOUT });
  console.log('screenshot:', await screenshot(lobby, 'lobby-zh-CN.png'));
  await lobby.fill('#name', '小明');
  await lobby.fill('#room', '数学课');
  await lobby.click('[data-action=join]');
  await waitInRoom(lobby, 0);

  const li = await openPage(env.browser, env.server.url, '/r/' + encodeURIComponent('数学课'), { locale: 'zh-CN', name: '小丽' });
  await Promise.all([waitInRoom(lobby, 1), waitInRoom(li, 1)]);
  await Promise.all([waitDecoding(lobby, 1), waitDecoding(li, 1)]);

  const labels = {
    mic: '静音',
    cam: '关闭摄像头',
    chat: '聊天',
    teach: '原理演示',
    leave: '离开',
  };
  for (const [action, text] of Object.entries(labels)) {
    assert.equal((await li.locator(`[data-action=${action}]`).innerText()).trim(), text, action);
  }
  assert.equal(await li.locator('.controls').getAttribute('aria-label'), '通话控制');
  assert.match(await li.locator('.status').innerText(), /已连接/);
  await li.locator('.tile.self .caption', { hasText: '你（小丽）' }).waitFor({ timeout: STEP_TIMEOUT });
  await li.click('[data-action=mic]');
  assert.equal((await li.locator('[data-action=mic]').innerText()).trim(), '取消静音');
  await lobby.locator('.tile.remote .pill', { hasText: '已静音' }).waitFor({ timeout: STEP_TIMEOUT });
  console.log('screenshot:', await screenshot(li, 'call-zh-CN.png'));

  // Switch to English: labels change in place, and the choice is remembered.
  await li.click('button.lang[lang=en]');
  assert.equal((await li.locator('[data-action=mic]').innerText()).trim(), 'Unmute');
  assert.equal((await li.locator('[data-action=leave]').innerText()).trim(), 'Leave');
  assert.equal(await li.locator('html').getAttribute('lang'), 'en');
  assert.equal(await li.evaluate(() => localStorage.getItem('signalbox.locale')), 'en');
});
