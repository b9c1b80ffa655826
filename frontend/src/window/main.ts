// The desktop window: a header with the server's state and counts, the
// join panel (URLs, QR code), and tabs for rooms, chat, the event log and
// settings. Data comes from the Go side (package app): first by calling
// its bound methods, then from its batched events.

import './style.css';

import { detectLocale, type Locale, pickLocale, Translator } from '../i18n/core';
import { windowCatalogue } from '../i18n/window';
import {
  bridge,
  type Bridge,
  EVENT_LOG,
  EVENT_ROOMS,
  EVENT_STATS,
  EVENT_STATUS,
  type LogEntry,
  type StatsView,
  type Status,
  type View,
} from './api';
import { ChatTab } from './chat';
import { Confirmer } from './confirm';
import { data, h, Localizer, type Msg, setData, setMsg } from './dom';
import { number } from './format';
import { latinWords } from './latin';
import { LogTab } from './log';
import { RoomsTab } from './rooms';
import { SettingsTab } from './settings';
import { JoinPanel } from './status';
import { Toaster } from './toast';

/** LOGO is the app icon, small, bundled by Vite. */
const LOGO = new URL('./logo.png', import.meta.url).href;

/** TICK_MS is how often the "connected for" times are refreshed (they show whole seconds). */
const TICK_MS = 500;

type TabName = 'rooms' | 'chat' | 'log' | 'settings';
const TAB_KEYS: Record<TabName, Msg> = { rooms: 'tab.rooms', chat: 'tab.chat', log: 'tab.log', settings: 'tab.settings' };

class WindowApp {
  readonly l: Localizer;
  #status: Status | null = null;
  #tabs = new Map<TabName, { button: HTMLButtonElement; panel: HTMLElement }>();
  #stateEl: HTMLElement;
  #serverName: HTMLElement;
  #counts: { peers: HTMLElement; rooms: HTMLElement; rate: HTMLElement };
  #lang: HTMLSelectElement;
  #join: JoinPanel;
  #rooms: RoomsTab;
  #chat: ChatTab;
  #log: LogTab;
  #settings: SettingsTab;
  #reported = '';

  constructor(
    private readonly b: Bridge,
    tr: Translator<import('../i18n/window').WindowKey>,
  ) {
    const l = (this.l = new Localizer(tr));
    const toast = new Toaster(l);
    const confirm = new Confirmer(l);
    this.#stateEl = h(l, 'span', { class: 'state', attrs: { role: 'status', 'data-testid': 'state' } });
    this.#serverName = h(l, 'span', { class: 'server-name' });
    this.#counts = {
      peers: h(l, 'span', { attrs: { 'data-testid': 'count-peers' } }),
      rooms: h(l, 'span', { attrs: { 'data-testid': 'count-rooms' } }),
      rate: h(l, 'span', { attrs: { 'data-testid': 'count-rate' } }),
    };
    this.#lang = h(l, 'select', { attrs: { id: 'lang' }, l10n: { 'aria-label': 'lang.label' }, on: { change: () => void this.#setLanguage(this.#lang.value) } }, [
      h(l, 'option', { attrs: { value: '' }, l10n: { text: 'lang.system' } }),
      h(l, 'option', { attrs: { value: 'en', lang: 'en' }, l10n: { text: 'lang.en' } }),
      h(l, 'option', { attrs: { value: 'zh-CN', lang: 'zh-CN' }, l10n: { text: 'lang.zh' } }),
    ]);
    this.#join = new JoinPanel(l, b, toast, () => this.#openSettings());
    this.#rooms = new RoomsTab(l, b, confirm, toast, { chat: (room, name) => this.#startChat(room, name) });
    this.#chat = new ChatTab(l, () => this.#status?.localUrl ?? '', () => this.#markChat());
    this.#log = new LogTab(l, b, toast);
    this.#settings = new SettingsTab(l, b, confirm, toast);

    const tabBar = h(l, 'nav', { class: 'tabs', attrs: { role: 'tablist' } });
    const panels = h(l, 'div', { class: 'tab-panels' });
    const tabPanels: Record<TabName, HTMLElement> = { rooms: this.#rooms.el, chat: this.#chat.el, log: this.#log.el, settings: this.#settings.el };
    for (const [name, panel] of Object.entries(tabPanels) as [TabName, HTMLElement][]) {
      const button = h(l, 'button', { class: 'tab-button', attrs: { type: 'button', role: 'tab', 'data-tab': name }, l10n: { text: TAB_KEYS[name] }, on: { click: () => this.#show(name) } });
      panel.setAttribute('role', 'tabpanel');
      tabBar.append(button);
      panels.append(panel);
      this.#tabs.set(name, { button, panel });
    }
    const header = h(l, 'header', { class: 'top' }, [
      h(l, 'img', { class: 'logo', attrs: { src: LOGO, alt: '' } }),
      h(l, 'div', { class: 'titles' }, [h(l, 'h1', { l10n: { text: 'app.name' } }), this.#serverName]),
      this.#stateEl,
      h(l, 'span', { class: 'spacer' }),
      h(l, 'div', { class: 'counts' }, [this.#counts.peers, this.#counts.rooms, this.#counts.rate]),
      this.#lang,
    ]);
    const root = document.getElementById('app');
    if (!root) throw new Error('window.html lacks #app');
    root.replaceChildren(header, h(l, 'div', { class: 'body' }, [this.#join.el, h(l, 'main', { class: 'main' }, [tabBar, panels])]));
    this.#show('rooms');
    tr.onChange((loc) => this.#relabel(loc));
    this.#relabel(tr.locale);
    window.setInterval(() => this.#rooms.tick(Date.now()), TICK_MS);
  }

  /** start loads the state and subscribes to the Go side's events. */
  async start(language: string): Promise<void> {
    this.#lang.value = language;
    const rt = this.b.runtime;
    rt.EventsOn(EVENT_STATUS, (s) => this.#onStatus(s as Status));
    rt.EventsOn(EVENT_ROOMS, (v) => this.#onView(v as View));
    rt.EventsOn(EVENT_STATS, (s) => this.#onStats(s as StatsView));
    rt.EventsOn(EVENT_LOG, (e) => this.#log.add(e as LogEntry[]));
    const [status, view, log] = await Promise.all([this.b.app.Status(), this.b.app.View(), this.b.app.EventLog()]);
    this.#onStatus(status);
    this.#onView(view);
    this.#log.reset(log);
    await this.#settings.load();
  }

  #onStatus(s: Status): void {
    this.#status = s;
    this.#stateEl.className = `state ${s.state}`;
    setMsg(this.l, this.#stateEl, s.state === 'running' ? 'state.running' : s.state === 'error' ? 'state.error' : 'state.stopped');
    setData(this.#serverName, s.serverName);
    this.#join.update(s);
    this.#report();
  }

  #onView(v: View): void {
    this.#rooms.update(v);
    this.#onStats(v.stats);
    this.#report();
  }

  #onStats(s: StatsView): void {
    setMsg(this.l, this.#counts.peers, ['counts.peers', { count: s.peers }]);
    setMsg(this.l, this.#counts.rooms, ['counts.rooms', { count: s.rooms }]);
    setMsg(this.l, this.#counts.rate, ['counts.rate', { rate: number(this.l.locale, s.messagesPerSec, 1) }]);
  }

  /** report tells the Go side what the DOM shows (the smoke test reads it from the log). */
  #report(): void {
    const state = ['running', 'error', 'stopped'].find((c) => this.#stateEl.classList.contains(c)) ?? '';
    // In Chinese, the Latin-script words of every tab, for the smoke test's language check.
    const latin = this.l.locale === 'en' ? undefined : latinWords(this.l.strings());
    const r = { ...this.#rooms.rendered(), locale: this.l.locale, state, latin };
    const key = JSON.stringify(r);
    if (key === this.#reported) return;
    this.#reported = key;
    void this.b.app.ReportRendered(r).catch(() => undefined);
  }

  #show(name: TabName): void {
    for (const [n, t] of this.#tabs) {
      const on = n === name;
      t.button.setAttribute('aria-selected', String(on));
      t.button.classList.toggle('active', on);
      t.panel.hidden = !on;
      if (on) t.button.classList.remove('unread');
    }
  }

  #openSettings(): void {
    this.#show('settings');
    this.#settings.focusPort();
  }

  #startChat(room: string, name: string): void {
    this.#chat.join(room, name);
    this.#show('chat');
  }

  #markChat(): void {
    const t = this.#tabs.get('chat');
    if (t && t.panel.hidden) t.button.classList.add('unread');
  }

  async #setLanguage(value: string): Promise<void> {
    const loc = pickLocale(value || null, navigator.languages ?? [navigator.language]);
    this.l.tr.setLocale(loc);
    if (!value) clearSavedLocale();
    try {
      await this.b.app.SetLanguage(value);
    } catch {
      // the choice still holds for this run; saving failed (no config folder)
    }
  }

  #relabel(loc: Locale): void {
    document.documentElement.lang = loc;
    document.title = this.l.t('app.name');
    this.l.refresh();
    this.#rooms.relabel();
    this.#log.relabel();
    if (this.#status) this.#join.update(this.#status);
  }
}

/** clearSavedLocale forgets the page's own saved choice, so "system" follows the system again. */
function clearSavedLocale(): void {
  try {
    localStorage.removeItem('signalbox.locale');
  } catch {
    // storage disabled: nothing saved
  }
}

async function main(): Promise<void> {
  const b = bridge();
  let language = '';
  if (b) {
    try {
      language = (await b.app.Settings()).settings.language;
    } catch {
      language = '';
    }
  }
  const locale = language ? pickLocale(language, []) : detectLocale();
  const tr = new Translator(windowCatalogue, locale);
  if (!b) {
    // Opened outside the app (a browser on the dev server): nothing to drive.
    const l = new Localizer(tr);
    document.getElementById('app')?.replaceChildren(h(l, 'p', { class: 'empty', l10n: { text: 'app.outsideWindow' } }), data(''));
    return;
  }
  await new WindowApp(b, tr).start(language);
}

void main();
