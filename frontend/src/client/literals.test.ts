// Fails when a user-facing string is written outside the catalogue in the
// browser client: text or labels assigned from string literals, HTML
// templates with words in them, text nodes made from literals. Every word
// a person reads must come from src/i18n/client.ts.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientCatalogue } from '../i18n/client';
import { tokenize } from '../i18n/tokenize';

const KEYS = new Set(Object.keys(clientCatalogue.en));
const LABEL_ATTRS = ['title', 'aria-label', 'aria-description', 'aria-roledescription', 'aria-placeholder', 'placeholder', 'alt', 'label'];
const words = (s: string) => /\p{L}/u.test(s.replace(/\$\{[^}]*\}/g, ''));

/** findLiterals returns "line: reason: literal" for every user-facing literal in src. */
function findLiterals(src: string): string[] {
  const found: string[] = [];
  const line = (at: number) => src.slice(0, at).split('\n').length;
  const tokens = tokenize(src);
  let before = ''; // code so far, with literals shown as «value»
  for (const t of tokens) {
    if (t.kind === 'code') {
      before += t.text;
      for (const m of t.text.matchAll(/\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write)\b/g)) found.push(`raw HTML: ${m[1]}`);
      continue;
    }
    const tail = before.slice(-80);
    const lit = t.text;
    const isKey = KEYS.has(lit);
    let reason = '';
    if (/<[a-z][a-z0-9-]*(\s[^>]*)?>[^<]*\p{L}/iu.test(lit) || /\b(title|aria-label|placeholder|alt)\s*=\s*["'][^"']*\p{L}/iu.test(lit)) {
      reason = 'HTML template with text';
    } else if (words(lit) && !isKey) {
      if (/\.(textContent|innerText|title|placeholder|ariaLabel|alt|label|ariaDescription|value)\s*[+]?=\s*$/.test(tail)) reason = 'text assigned';
      else if (new RegExp(`setAttribute\\(\\s*«(${LABEL_ATTRS.join('|')})»\\s*,\\s*$`).test(tail)) reason = 'label attribute set';
      else if (new RegExp(`(«(${LABEL_ATTRS.join('|')})»|\\b(${LABEL_ATTRS.filter((a) => !a.includes('-')).join('|')}|text))\\s*:\\s*$`).test(tail)) reason = 'label in object';
      else if (/\b(userText|createTextNode|alert|confirm|prompt|append|prepend|before|after|replaceChildren|replaceWith|new Option)\(\s*$/.test(tail)) reason = 'text node from literal';
      else if (/\bsetUserText\([^,()]*,\s*$/.test(tail)) reason = 'text set from literal';
    }
    if (reason) found.push(`${line(t.at)}: ${reason}: ${t.quote}${lit}${t.quote}`);
    before += `«${lit}»`;
  }
  return found;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

describe('user-facing strings come from the catalogue', () => {
  const dir = import.meta.dirname;
  const files = sources(dir);

  it('scans the client sources', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  for (const file of files) {
    it(file.slice(dir.length + 1), () => {
      expect(findLiterals(readFileSync(file, 'utf8'))).toEqual([]);
    });
  }

  it('index.html has no words but the product name', () => {
    const html = readFileSync(join(dir, '../../index.html'), 'utf8');
    const text = [...html.matchAll(/>([^<]*)</g)].map((m) => m[1]!.trim()).filter((s) => /\p{L}/u.test(s));
    expect(text).toEqual([clientCatalogue.en['app.name']]);
    expect(html).not.toMatch(/\b(title|aria-label|placeholder|alt)\s*=/);
  });
});

describe('findLiterals', () => {
  const bad: [string, string][] = [
    ["el.textContent = 'Join';", 'text assigned'],
    ['b.setAttribute("aria-label", "Mute");', 'label attribute set'],
    ["x.innerHTML = '<b>Hi</b>';", 'raw HTML'],
    ['const tpl = `<button class="x">Leave</button>`;', 'HTML template'],
    ["n.append(userText('Hello'));", 'text node'],
    ["h(l, 'button', { attrs: { title: 'Close the panel' } });", 'label in object'],
    ["h(l, 'button', { attrs: { 'aria-label': 'Close' } });", 'label in object'],
    ['el.title = `Room ${n}`;', 'text assigned'],
    ["el.append('Loading…');", 'text node'],
    ["setUserText(el, 'Nobody here');", 'text set'],
    ["input.placeholder = '名字';", 'text assigned'],
  ];
  for (const [src, reason] of bad) {
    it(`flags ${src}`, () => {
      const got = findLiterals(src);
      expect(got.some((g) => g.includes(reason)), got.join('; ')).toBe(true);
    });
  }

  const good = [
    "el.textContent = '';",
    "setUserText(avatar, initials(name) || '·');",
    "l.set(el, { text: 'call.mute', title: 'teach.dropSocketHelp' });",
    "el.setAttribute('data-peer', 'self');",
    "const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;",
    "const m = /^\\/r\\/([^/]+)\\/?$/.exec(p); // el.textContent = 'Join'",
    "/* el.title = 'Close' */ const x = { attrs: { type: 'button', role: 'toolbar' } };",
    "console.warn('signalbox: negotiation step failed', err);",
    "h(l, 'input', { attrs: { autocomplete: 'off', enterkeyhint: 'send' } });",
  ];
  for (const src of good) {
    it(`accepts ${src}`, () => expect(findLiterals(src)).toEqual([]));
  }
});
