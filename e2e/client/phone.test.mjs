// Phone-first: on a 390 px wide phone every visible control (buttons,
// links, fields, selects, <summary> toggles; a checkbox counts by its
// label) is at least 44 × 44 px in the lobby, the name gate, the call,
// each of its panels and the ended page; the header stays on one row in both languages; and
// the chat sheet never covers the call controls (each control is what a
// tap at its centre hits). The laptop view keeps its one-row header too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot, serveAndLaunch, STEP_TIMEOUT, waitDecoding, waitInRoom } from './helpers.mjs';

const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1280, height: 720 };
/** MIN is the least tap target, in CSS pixels (WCAG 2.5.5, Apple's and Google's guidance). */
const MIN = 44;

const env = serveAndLaunch({ roomSize: 2 });

/** smallControls lists the visible controls of the page smaller than MIN in either direction. */
function smallControls(page) {
  return page.evaluate((min) => {
    const out = [];
    const sel = 'button, a[href], input:not([type=hidden]), select, textarea, summary, [role=button]';
    for (const el of document.querySelectorAll(sel)) {
      let target = el;
      if ((el.type === 'checkbox' || el.type === 'radio') && el.closest('label')) target = el.closest('label');
      const r = target.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue; // not rendered (hidden, closed panel)
      if (getComputedStyle(el).visibility === 'hidden') continue;
      if (r.width < min - 0.5 || r.height < min - 0.5) {
        const label = (el.getAttribute('aria-label') || el.textContent || el.getAttribute('placeholder') || el.id || el.tagName).trim().slice(0, 40);
        out.push(`${el.tagName.toLowerCase()} "${label}" ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
    }
    return out;
  }, MIN);
}

/** headerRows counts the rows the header's items sit on. */
function headerRows(page) {
  return page.evaluate(() => {
    const tops = [];
    for (const el of document.querySelector('header.bar').children) {
      const r = el.getBoundingClientRect();
      if (r.width === 0) continue;
      const mid = r.top + r.height / 2;
      if (!tops.some((t) => Math.abs(t - mid) < 12)) tops.push(mid);
    }
    return tops.length;
  });
}

/** coveredControls lists the call controls that a tap at their centre would not reach. */
function coveredControls(page) {
  return page.evaluate(() => {
    const out = [];
    for (const b of document.querySelectorAll('.controls .button')) {
      const r = b.getBoundingClientRect();
      if (r.width === 0) continue;
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      if (!hit || !b.contains(hit)) out.push(b.dataset.action);
    }
    return out;
  });
}

async function check(page, where) {
  assert.deepEqual(await smallControls(page), [], `controls under ${MIN} px: ${where}`);
  assert.equal(await headerRows(page), 1, `header on one row: ${where}`);
}

test('a phone: every control is big enough, the header is one row, the chat sheet leaves the controls free', async () => {
  for (const locale of ['en-US', 'zh-CN']) {
    const lobby = await openPage(env.browser, env.server.url, '/', { locale, viewport: PHONE });
    await lobby.locator('[data-action=join]').waitFor({ timeout: STEP_TIMEOUT });
    await check(lobby, `lobby ${locale}`);
    await lobby.context().close();
  }

  const context = await env.browser.newContext({ viewport: PHONE });
  const gate = await context.newPage();
  await gate.goto(env.server.url + '/r/phones');
  await gate.locator('#gate-name').waitFor({ timeout: STEP_TIMEOUT });
  await check(gate, 'name gate');
  await gate.fill('#gate-name', 'Ana');
  await gate.click('[data-action=confirm-name]');
  const ana = gate;
  const ben = await openPage(env.browser, env.server.url, '/r/phones', { name: 'Ben', viewport: PHONE });
  await Promise.all([waitInRoom(ana, 1), waitInRoom(ben, 1)]);
  await waitDecoding(ana, 1);
  await check(ana, 'call');
  assert.deepEqual(await coveredControls(ana), [], 'controls covered in the call');

  for (const panel of ['chat', 'teach', 'devices', 'rename']) {
    await ana.click(`[data-action=${panel}]`);
    await ana.locator('#side:not([hidden])').waitFor({ timeout: STEP_TIMEOUT });
    if (panel === 'teach') {
      await ana.locator('.teaching .about summary').click(); // "What am I looking at?"
      await ana.locator('.log .entry summary').first().waitFor({ timeout: STEP_TIMEOUT }); // raw JSON toggles
    }
    await check(ana, `call with the ${panel} panel open`);
    assert.deepEqual(await coveredControls(ana), [], `controls covered with the ${panel} panel open`);
    if (panel === 'chat') {
      console.log('screenshot:', await screenshot(ana, 'phone-chat-open.png'));
      // "How it works" is reachable without closing the chat first.
      await ana.click('[data-action=teach]', { trial: false });
      await ana.locator('.teaching').waitFor({ timeout: STEP_TIMEOUT });
      await ana.click('[data-action=teach]');
    } else if (panel === 'rename') {
      await ana.click('.side-head .button.close');
    } else {
      await ana.click(`[data-action=${panel}]`);
    }
    await ana.locator('#side').waitFor({ state: 'hidden', timeout: STEP_TIMEOUT });
  }
  await ana.click('button.lang[lang=zh-CN]');
  await check(ana, 'call in Chinese');
  await ana.click('[data-action=leave]');
  await ana.locator('.ended').waitFor({ timeout: STEP_TIMEOUT });
  await check(ana, 'the ended page in Chinese');
  await ben.context().close();
  await context.close();
});

test('a laptop: the header is one row in a call', async () => {
  const ana = await openPage(env.browser, env.server.url, '/r/laptop', { name: 'Ana', viewport: LAPTOP });
  await waitInRoom(ana, 0);
  assert.equal(await headerRows(ana), 1);
  await ana.context().close();
});
