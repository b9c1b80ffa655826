// The /trust page: offers this Signalbox's certificate authority for
// download with short steps for each kind of device, shows its fingerprint
// to compare with the one on the Signalbox computer, explains the browser
// warning for those who skip it, and links back to the join page. Every
// word comes from src/i18n/trust.ts; trust.test.ts checks that. The
// download links carry no `download` attribute: iOS Safari must navigate
// to /trust/ca.crt to offer it as a profile; the server's
// Content-Disposition makes other browsers save it.

import '../base.css';
import './style.css';

import { detectLocale, type Locale, LOCALES, Translator } from '../i18n/core';
import { type TrustKey, trustCatalogue } from '../i18n/trust';
import { CA_NAME, CA_URLS, detectPlatform, fingerprintLines, GUIDES, type Guide, joinHref, parseTLSInfo, type Platform } from './page';

type Params = Record<string, string | number>;
type Msg = TrustKey | [TrustKey, Params];

/** Page renders catalogue messages onto elements and re-renders them when the language changes. */
class Page {
  #bound = new Map<Element, Msg>();

  constructor(readonly tr: Translator<TrustKey>) {
    tr.onChange((loc) => this.#relabel(loc));
  }

  t(msg: Msg): string {
    return typeof msg === 'string' ? this.tr.t(msg) : this.tr.t(msg[0], msg[1]);
  }

  /** el creates an element whose text is msg (or nothing), with plain attributes. */
  el<K extends keyof HTMLElementTagNameMap>(tag: K, msg: Msg | null, attrs: Record<string, string> = {}, children: Node[] = []): HTMLElementTagNameMap[K] {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (msg) this.say(e, msg);
    e.append(...children);
    return e;
  }

  /** say shows msg as the text of e, now and after every language change. */
  say(e: Element, msg: Msg): void {
    this.#bound.set(e, msg);
    e.textContent = this.t(msg);
  }

  #relabel(loc: Locale): void {
    document.documentElement.lang = loc;
    document.title = this.t('title');
    for (const [e, msg] of this.#bound) e.textContent = this.t(msg);
  }

  start(): void {
    this.#relabel(this.tr.locale);
  }
}

/** languagePicker switches between the catalogue's languages; the choice is remembered. */
function languagePicker(p: Page): HTMLElement {
  const select = p.el('select', null, { id: 'lang' });
  const label = p.el('label', 'lang.label', { for: 'lang', class: 'visually-hidden' });
  const names: Record<Locale, TrustKey> = { en: 'lang.en', 'zh-CN': 'lang.zh' };
  for (const loc of LOCALES) select.append(p.el('option', names[loc], { value: loc, lang: loc }));
  select.value = p.tr.locale;
  select.addEventListener('change', () => p.tr.setLocale(select.value as Locale));
  return p.el('div', null, { class: 'lang' }, [label, select]);
}

/** guideSection is one platform's steps, open when it is this device. */
function guideSection(p: Page, g: Guide, mine: Platform): HTMLElement {
  const summary = p.el('summary', null, {}, [p.el('span', g.title)]);
  if (g.platform === mine) summary.append(p.el('span', 'steps.yours', { class: 'badge' }));
  const steps = p.el('ol', null, {}, g.steps.map((k) => p.el('li', [k, { name: CA_NAME }])));
  const download = p.el('a', g.file === 'crt' ? 'download.crt' : 'download.pem', { class: 'btn small', href: CA_URLS[g.file] });
  const details = p.el('details', null, { 'data-platform': g.platform }, [summary, steps, download]);
  details.open = g.platform === mine;
  return details;
}

/** fingerprintSection shows the CA's fingerprint once /api/tls answers. */
function fingerprintSection(p: Page): { el: HTMLElement; code: HTMLElement; status: HTMLElement } {
  const code = p.el('code', null, { class: 'fp', 'data-testid': 'fingerprint' });
  const status = p.el('p', 'fp.loading', { class: 'muted' });
  const el = p.el('section', null, { class: 'card' }, [p.el('h2', 'fp.title'), p.el('p', 'fp.help'), code, status]);
  return { el, code, status };
}

async function main(): Promise<void> {
  const p = new Page(new Translator(trustCatalogue, detectLocale()));
  const mine = detectPlatform(navigator.userAgent, navigator.maxTouchPoints ?? 0);
  const fp = fingerprintSection(p);
  const download = p.el('section', null, { class: 'card download' }, [
    p.el('h2', 'download.title'),
    p.el('p', ['download.name', { name: CA_NAME }]),
    p.el('div', null, { class: 'actions' }, [
      p.el('a', 'download.crt', { class: 'btn primary', href: CA_URLS.crt, 'data-testid': 'download-crt' }),
      p.el('a', 'download.pem', { class: 'btn', href: CA_URLS.pem }),
    ]),
  ]);
  const guides = p.el('section', null, { class: 'card guides' }, [p.el('h2', 'steps.title'), ...GUIDES.map((g) => guideSection(p, g, mine))]);
  const skip = p.el('section', null, { class: 'card' }, [p.el('h2', 'skip.title'), p.el('p', 'skip.body')]);
  const back = p.el('a', 'back', { class: 'btn primary back', href: joinHref(location.protocol, location.hostname, location.host), 'data-testid': 'back' });
  const header = p.el('header', null, { class: 'bar' }, [p.el('span', 'app.name', { class: 'brand' }), p.el('span', null, { class: 'spacer' }), languagePicker(p)]);
  const main = p.el('main', null, {}, [p.el('h1', 'heading'), p.el('p', 'intro', { class: 'intro' }), fp.el, download, guides, skip, back]);
  document.getElementById('app')?.replaceChildren(header, main);
  p.start();

  try {
    const res = await fetch('/api/tls', { cache: 'no-store' });
    const info = res.ok ? parseTLSInfo(await res.json()) : null;
    if (!info) throw new Error(`/api/tls ${res.status}`);
    if (!info.ca || !info.fingerprint) {
      p.say(fp.status, 'fp.none');
      download.hidden = true;
      guides.hidden = true;
      skip.hidden = true;
      return;
    }
    fp.code.replaceChildren(...fingerprintLines(info.fingerprint).map((line) => p.el('span', null, {}, [document.createTextNode(line)])));
    fp.status.hidden = true;
  } catch (err) {
    console.warn('signalbox: reading /api/tls failed', err);
    p.say(fp.status, 'fp.failed');
  }
}

void main();
