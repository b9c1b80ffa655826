// The tutorial page's catalogue (frontend/public/tutorial/i18n.js): English
// and Simplified Chinese hold the same keys and placeholders, and the
// language is chosen as the project's catalogue machinery chooses it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import vm from 'node:vm';

import { repo } from './harness.mjs';

/** load runs i18n.js in a bare browser-like sandbox and returns window.tutorialI18n. */
function load({ saved = null, languages = ['en-US'] } = {}) {
  const store = new Map(saved ? [['signalbox.locale', saved]] : []);
  const window = {};
  const sandbox = {
    window,
    navigator: { languages },
    localStorage: {
      getItem: (k) => store.get(k) ?? null,
      setItem: (k, v) => store.set(k, v),
    },
    document: { documentElement: {}, querySelectorAll: () => [] },
  };
  const file = path.join(repo, 'frontend', 'public', 'tutorial', 'i18n.js');
  vm.runInNewContext(readFileSync(file, 'utf8'), sandbox, { filename: file });
  return { i18n: window.tutorialI18n, store };
}

function placeholders(text) {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}

test('both locales hold the same keys and placeholders', () => {
  const { i18n } = load();
  const en = i18n.CATALOGUE.en;
  const zh = i18n.CATALOGUE['zh-CN'];
  assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
  for (const key of Object.keys(en)) {
    assert.ok(en[key].trim() && zh[key].trim(), `${key} is empty`);
    assert.deepEqual(placeholders(zh[key]), placeholders(en[key]), `placeholders of ${key}`);
  }
});

test('the locale comes from the saved choice, then the browser languages', () => {
  const cases = [
    { languages: ['zh-TW', 'en'], want: 'zh-CN' },
    { languages: ['fr', 'en-GB'], want: 'en' },
    { languages: ['fr'], want: 'en' },
    { saved: 'zh-CN', languages: ['en'], want: 'zh-CN' },
    { saved: 'de', languages: ['zh'], want: 'zh-CN' },
  ];
  for (const c of cases) {
    assert.equal(load(c).i18n.locale(), c.want, JSON.stringify(c));
  }
});

test('switching is remembered and renders placeholders', () => {
  const { i18n, store } = load({ languages: ['en'] });
  assert.equal(i18n.t('statusFull', { room: 'foo' }), 'Room foo is full. Choose another room name.');
  let told;
  i18n.onChange((l) => (told = l));
  i18n.setLocale('zh-CN');
  assert.equal(told, 'zh-CN');
  assert.equal(store.get('signalbox.locale'), 'zh-CN');
  assert.equal(i18n.t('statusFull', { room: 'foo' }), '房间 foo 已满，请换一个房间名。');
  i18n.setLocale('xx');
  assert.equal(i18n.locale(), 'zh-CN');
});
