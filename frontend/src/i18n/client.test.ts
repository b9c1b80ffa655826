import { describe, expect, it } from 'vitest';
import { clientCatalogue } from './client';
import { catalogueProblems, pickLocale, Translator, type Catalogue } from './core';

describe('client catalogue', () => {
  it('has every key in English and Chinese, with the same placeholders', () => {
    expect(catalogueProblems(clientCatalogue)).toEqual([]);
  });

  it('has Chinese text that is not just English copied over', () => {
    const same = Object.keys(clientCatalogue.en).filter((k) => {
      const en = JSON.stringify(clientCatalogue.en[k as keyof typeof clientCatalogue.en]);
      const words = en.replace(/\{\w+\}/g, '');
      return en === JSON.stringify(clientCatalogue['zh-CN'][k as keyof typeof clientCatalogue.en]) && /[a-z]{3}/.test(words);
    });
    // Only names that are the same in both languages.
    expect(same.sort()).toEqual(['app.name', 'lang.en', 'title.room'].sort());
  });
});

describe('catalogueProblems', () => {
  type K = 'a' | 'b' | 'c';
  const cases: { name: string; cat: Catalogue<K>; want: string[] }[] = [
    {
      name: 'complete',
      cat: { en: { a: 'A {x}', b: { one: '1', other: '{count}' }, c: 'C' }, 'zh-CN': { a: '甲 {x}', b: { other: '{count}' }, c: '丙' } },
      want: [],
    },
    {
      name: 'missing and empty',
      cat: { en: { a: 'A', b: 'B', c: 'C' }, 'zh-CN': { a: '甲', b: ' ' } as Record<K, string> },
      want: ['zh-CN: b is empty or has no "other" form', 'zh-CN: missing c'],
    },
    {
      name: 'placeholder differs',
      cat: { en: { a: 'A {room}', b: 'B', c: 'C' }, 'zh-CN': { a: '甲 {rom}', b: '乙', c: '丙' } },
      want: ['zh-CN: a has placeholders {rom} but English has {room}'],
    },
    {
      name: 'key only in Chinese',
      cat: { en: { a: 'A', b: 'B' } as Record<K, string>, 'zh-CN': { a: '甲', b: '乙', c: '丙' } },
      want: ['en: missing c'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => expect(catalogueProblems(c.cat)).toEqual(c.want));
  }
});

describe('Translator', () => {
  it('picks plural forms and formats numbers per locale', () => {
    const tr = new Translator(clientCatalogue, 'en');
    expect(tr.t('log.in.joined', { room: 'math', count: 1 })).toBe('Joined “math”: 1 other peer is here');
    expect(tr.t('log.in.joined', { room: 'math', count: 1200 })).toBe('Joined “math”: 1,200 other peers are here');
    tr.setLocale('zh-CN');
    expect(tr.t('log.in.joined', { room: '数学', count: 2 })).toBe('已加入“数学”：这里还有 2 位成员');
  });

  it('follows the browser language unless a choice was saved', () => {
    expect(pickLocale(null, ['zh-CN', 'en'])).toBe('zh-CN');
    expect(pickLocale(null, ['zh-TW'])).toBe('zh-CN');
    expect(pickLocale(null, ['fr-FR', 'en-GB'])).toBe('en');
    expect(pickLocale(null, ['de'])).toBe('en');
    expect(pickLocale('en', ['zh-CN'])).toBe('en');
  });
});
