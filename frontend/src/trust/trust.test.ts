// Tests of the /trust page: its catalogue is complete in English and
// Chinese and every key is used; no word a person reads is written in its
// sources or in trust.html outside the catalogue; and its pure helpers
// (device detection, the link back, /api/tls, the fingerprint layout).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { catalogueProblems } from '../i18n/core';
import { type TrustKey, trustCatalogue } from '../i18n/trust';
import { CA_NAME, detectPlatform, fingerprintLines, GUIDES, isLoopbackHost, joinHref, parseTLSInfo } from './page';

/** stringLiterals returns the string literals of TypeScript source (comments dropped), with their line. */
function stringLiterals(src: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const noComments = src.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  for (const m of noComments.matchAll(/'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g)) {
    out.push({ text: m[1] ?? m[2] ?? m[3] ?? '', line: noComments.slice(0, m.index).split('\n').length });
  }
  return out;
}

const HAN = /[\u3400-\u9fff\uf900-\ufaff]/;
/** PROSE is text that reads like words for people: a capitalised word, or sentence punctuation, with a space. */
const PROSE = /(?=.*\s)(?:\b[A-Z][a-z]{2,}\b|[.!?…:](\s|$))/;

const dir = import.meta.dirname;
const KEYS = new Set<string>(Object.keys(trustCatalogue.en));
const SOURCES = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => ({ file: f, src: readFileSync(join(dir, f), 'utf8') }));
/** ALLOWED are literals that are names or code, not sentences: the CA's name as devices show it, and log lines for developers. */
const ALLOWED = new Set([CA_NAME, 'signalbox: reading /api/tls failed']);

describe('trust catalogue', () => {
  it('has every key in English and Chinese, with the same placeholders', () => {
    expect(catalogueProblems(trustCatalogue)).toEqual([]);
  });

  it('has Chinese text that is not English copied over', () => {
    const same = [...KEYS].filter((k) => {
      const en = trustCatalogue.en[k as TrustKey];
      return en === trustCatalogue['zh-CN'][k as TrustKey] && /[a-z]{3}/.test(String(en).replace(/\{\w+\}/g, ''));
    });
    // Names that are the same in both languages.
    expect(same.sort()).toEqual(['android.title', 'app.name', 'lang.en', 'windows.title'].sort());
  });

  it('uses every key in the page sources', () => {
    const used = new Set(SOURCES.flatMap((s) => stringLiterals(s.src).map((l) => l.text)));
    expect([...KEYS].filter((k) => !used.has(k))).toEqual([]);
  });

  it('names the menus a device shows, and the files the server offers', () => {
    const en = trustCatalogue.en;
    expect(en['ios.2']).toContain('Profile Downloaded');
    expect(en['ios.3']).toContain('Certificate Trust Settings');
    expect(en['android.2']).toContain('Encryption & credentials');
    expect(en['windows.3']).toContain('Trusted Root Certification Authorities');
    expect(en['macos.2']).toContain('Always Trust');
    expect(GUIDES.map((g) => g.platform)).toEqual(['ios', 'android', 'windows', 'macos', 'linux']);
  });
});

describe('no words outside the catalogue', () => {
  it('scans the page sources', () => {
    expect(SOURCES.map((s) => s.file).sort()).toEqual(['main.ts', 'page.ts']);
  });

  for (const { file, src } of SOURCES) {
    it(file, () => {
      const problems = stringLiterals(src)
        .filter((l) => !KEYS.has(l.text) && !ALLOWED.has(l.text) && (HAN.test(l.text) || PROSE.test(l.text)))
        .map((l) => `${file}:${l.line}: ${JSON.stringify(l.text)}`);
      expect(problems).toEqual([]);
      expect(src).not.toMatch(/\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write)\b/);
    });
  }

  it('the check itself finds words', () => {
    const flagged = stringLiterals("el.textContent = 'Install it now'; x = \"下载\"; y = 'ios.1'; c = 'btn primary'; // 'Not this'")
      .filter((l) => !KEYS.has(l.text) && (HAN.test(l.text) || PROSE.test(l.text)))
      .map((l) => l.text);
    expect(flagged).toEqual(['Install it now', '下载']);
  });

  it('trust.html has no words but the product name', () => {
    const html = readFileSync(join(dir, '../../trust.html'), 'utf8');
    const text = [...html.matchAll(/>([^<]*)</g)].map((m) => m[1]!.trim()).filter((s) => /\p{L}/u.test(s));
    expect(text).toEqual([trustCatalogue.en['app.name']]);
    expect(html).not.toMatch(/\b(title|aria-label|placeholder|alt)\s*=/);
  });
});

describe('page helpers', () => {
  it('detects the device', () => {
    const cases: [string, number, string][] = [
      ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1', 5, 'ios'],
      ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15', 5, 'ios'],
      ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15', 0, 'macos'],
      ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36', 5, 'android'],
      ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36', 0, 'windows'],
      ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 0, 'linux'],
    ];
    for (const [ua, touch, want] of cases) expect(detectPlatform(ua, touch), ua).toBe(want);
  });

  it('links back to the join page over HTTPS from another device', () => {
    expect(joinHref('http:', '192.168.1.20', '192.168.1.20:7480')).toBe('https://192.168.1.20:7480/');
    expect(joinHref('http:', 'signalbox.local', 'signalbox.local:7480')).toBe('https://signalbox.local:7480/');
    expect(joinHref('https:', '192.168.1.20', '192.168.1.20:7480')).toBe('/');
    expect(joinHref('http:', '127.0.0.1', '127.0.0.1:7480')).toBe('/');
    expect(joinHref('http:', '[::1]', '[::1]:7480')).toBe('/');
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
  });

  it('reads /api/tls', () => {
    expect(parseTLSInfo({ https: true, secure: false, ca: true, fingerprint: 'AB:CD' })).toEqual({ https: true, secure: false, ca: true, fingerprint: 'AB:CD' });
    expect(parseTLSInfo({ https: false, secure: false, ca: false })).toEqual({ https: false, secure: false, ca: false, fingerprint: undefined });
    expect(parseTLSInfo({ https: 'yes' })).toBeNull();
    expect(parseTLSInfo(null)).toBeNull();
    expect(parseTLSInfo({ https: true, secure: true, ca: true, fingerprint: 7 })).toBeNull();
  });

  it('lays the fingerprint out in lines of eight bytes', () => {
    const fp = Array.from({ length: 32 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0')).join(':');
    const lines = fingerprintLines(fp);
    expect(lines).toHaveLength(4);
    expect(lines.join(':')).toBe(fp);
    expect(lines[0]).toBe('00:01:02:03:04:05:06:07');
  });
});
