// zh-CN complete: a walk through every page a Chinese-speaking class sees
// (the lobby and its errors, the name gate, a call with chat, presence,
// rename, the teaching view opened all the way, the devices panel, the
// ended page, /trust and the tutorial page), failing on any visible English
// word outside ALLOWED: names the test itself typed, protocol terms, and
// what sits in <code>/<pre> (raw JSON). The desktop window is walked the same
// way by scripts/smoke-window.sh, which reads the words it reports
// (app.Rendered.Latin) against e2e/zh-allowlist.txt.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openPage, repo, screenshot, serveAndLaunch, state, STEP_TIMEOUT, waitDecoding, waitInRoom } from './helpers.mjs';

/** ALLOWED are the Latin-script words a Chinese page may show (shared with the window's smoke test). */
const ALLOWED = new Set(
  readFileSync(join(repo, 'e2e/zh-allowlist.txt'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean),
);

const env = serveAndLaunch({ roomSize: 2, resumeGrace: '3s', name: '实验室服务器' });

/** latinWords lists the visible Latin-script words of the page: text and the placeholder, aria-label, title and alt of visible elements; not code or pre, not URLs. */
function latinWords(page) {
  return page.evaluate(() => {
    const words = new Set();
    const add = (text) => {
      // Not words: URLs, file and host names, addresses and ids (letters
      // mixed with digits, or a long base64url run).
      for (const tok of text.split(/[\s，。：；、（）“”·↔]+/)) {
        if (/:\/\/|\.(local|js|crt|pem)\b/i.test(tok) || (/\d/.test(tok) && /[A-Za-z]/.test(tok)) || /^[\w-]{16,}$/.test(tok)) continue;
        for (const w of tok.match(/[A-Za-z][A-Za-z'’]*/g) ?? []) words.add(w);
      }
    };
    const visible = (el) => el.checkVisibility({ visibilityProperty: true });
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest('code, pre, script, style') || !visible(el)) continue;
      add(n.textContent);
    }
    for (const el of document.querySelectorAll('[placeholder], [aria-label], [title], [alt]')) {
      if (!visible(el) || el.closest('code, pre')) continue;
      for (const a of ['placeholder', 'aria-label', 'title', 'alt']) add(el.getAttribute(a) ?? '');
    }
    return [...words].sort();
  });
}

/** english fails when the page shows a word outside ALLOWED. */
async function noEnglish(page, where) {
  const words = (await latinWords(page)).filter((w) => !ALLOWED.has(w));
  assert.deepEqual(words, [], `English words visible in ${where}`);
}

test('the client, /trust and the tutorial in zh-CN show no English', async () => {
  const zh = { locale: 'zh-CN' };
  const lobby = await openPage(env.browser, env.server.url, '/', zh);
  await lobby.locator('[data-action=join]').waitFor({ timeout: STEP_TIMEOUT });
  await noEnglish(lobby, 'the lobby');
  await lobby.click('[data-action=join]'); // no name, no room: the problems
  await lobby.locator('#room-problem:not(:empty)').waitFor({ timeout: STEP_TIMEOUT });
  await noEnglish(lobby, 'the lobby with a problem');
  await lobby.fill('#name', '小明');
  await lobby.fill('#room', '\u0007');
  await lobby.click('[data-action=join]');
  await noEnglish(lobby, 'the lobby with a bad room name');
  await lobby.fill('#room', '数学课');
  await lobby.click('[data-action=join]');
  await waitInRoom(lobby, 0);

  const li = await openPage(env.browser, env.server.url, '/r/' + encodeURIComponent('数学课'), { ...zh, name: '小丽' });
  await Promise.all([waitInRoom(lobby, 1), waitInRoom(li, 1)]);
  await Promise.all([waitDecoding(lobby, 1), waitDecoding(li, 1)]);
  await noEnglish(li, 'the call');

  // Chat, a rename and its notice.
  await li.click('[data-action=chat]');
  await li.fill('#chat-input', '大家好');
  await li.press('#chat-input', 'Enter');
  await lobby.click('[data-action=rename]');
  await lobby.fill('#rename-input', '小明同学');
  await lobby.click('[data-action=rename-save]');
  await li.locator('.chat-lines [data-notice=renamed]').waitFor({ timeout: STEP_TIMEOUT });
  await noEnglish(li, 'the chat');
  await noEnglish(lobby, 'the call after a rename');

  // The teaching view, opened all the way, after a simulated drop and resume.
  await li.click('[data-action=teach]');
  await li.locator('.teaching .about summary').click();
  await li.evaluate(() => window.__signalbox.dropSocket());
  await waitInRoom(li, 1);
  await li.evaluate(() => document.querySelectorAll('.teaching details').forEach((d) => (d.open = true)));
  await li.locator('.conn').first().waitFor({ timeout: STEP_TIMEOUT });
  await li.locator('.conn dd', { hasText: '千比特' }).first().waitFor({ timeout: STEP_TIMEOUT }); // the figures, with their units
  await noEnglish(li, 'the teaching view');
  console.log('screenshot:', await screenshot(li, 'teaching-zh-CN.png'));
  await li.click('[data-action=devices]');
  await noEnglish(li, 'the devices panel');

  // The other's browser dies: reconnecting…, then left.
  await li.click('[data-action=chat]');
  void (await lobby.context().newCDPSession(lobby)).send('Page.crash').catch(() => {});
  await li.locator('.presence [data-presence=away]').waitFor({ timeout: STEP_TIMEOUT });
  await noEnglish(li, 'the call while the other reconnects');
  await li.locator('.presence [data-presence=left]').waitFor({ timeout: STEP_TIMEOUT });
  await li.locator('.chat-lines [data-notice=left]').waitFor({ timeout: STEP_TIMEOUT });
  await noEnglish(li, 'the call after the other left');

  await li.click('[data-action=leave]');
  await li.locator('.ended').waitFor({ timeout: STEP_TIMEOUT });
  await noEnglish(li, 'the ended page');
  assert.equal((await state(li)).ended, 'left');

  const gate = await li.context().newPage();
  await gate.goto(env.server.url + '/r/' + encodeURIComponent('语文课'));
  await gate.locator('#gate-name').waitFor({ timeout: STEP_TIMEOUT });
  await gate.fill('#gate-name', '');
  await gate.click('[data-action=confirm-name]');
  await gate.locator('#gate-problem:not(:empty)').waitFor({ timeout: STEP_TIMEOUT });
  await noEnglish(gate, 'the name gate');

  await gate.goto(env.server.url + '/trust');
  await gate.locator('h1').waitFor({ timeout: STEP_TIMEOUT });
  await noEnglish(gate, '/trust');

  await gate.goto(env.server.url + '/tutorial/');
  await gate.locator('h1').waitFor({ timeout: STEP_TIMEOUT });
  await noEnglish(gate, 'the tutorial page');
  await li.context().close();
});
