// The event log tab: joins, leaves, errors, kicks and the server's own
// events, live, filterable by kind and text, and copyable as plain text in
// the window's language.

import type { Bridge, LogEntry } from './api';
import { data, h, type Localizer, type Msg } from './dom';
import { clock, LOG_CATEGORIES, type LogCategory, logCategory, logExtra, logMsg } from './format';
import type { Toaster } from './toast';

/** LOG_MAX bounds the lines kept (the Go side keeps as many). */
const LOG_MAX = 500;

const CATEGORY_KEYS: Record<LogCategory, Msg> = {
  presence: 'log.filter.presence',
  rooms: 'log.filter.rooms',
  errors: 'log.filter.errors',
  server: 'log.filter.server',
};

/** LogTab shows the event log. */
export class LogTab {
  readonly el: HTMLElement;
  #entries: LogEntry[] = [];
  #list: HTMLElement;
  #filter: HTMLSelectElement;
  #search: HTMLInputElement;
  #empty: HTMLElement;

  constructor(
    private readonly l: Localizer,
    private readonly b: Bridge,
    private readonly toast: Toaster,
  ) {
    this.#filter = h(l, 'select', { attrs: { id: 'log-filter' }, on: { change: () => this.#render() } }, [
      h(l, 'option', { attrs: { value: 'all' }, l10n: { text: 'log.filter.all' } }),
      ...LOG_CATEGORIES.map((c) => h(l, 'option', { attrs: { value: c }, l10n: { text: CATEGORY_KEYS[c] } })),
    ]);
    this.#search = h(l, 'input', { attrs: { type: 'search', id: 'log-search' }, l10n: { placeholder: 'log.search', 'aria-label': 'log.search' }, on: { input: () => this.#render() } });
    this.#list = h(l, 'ol', { class: 'log-lines', attrs: { 'data-testid': 'log' } });
    this.#empty = h(l, 'p', { class: 'empty', l10n: { text: 'log.empty' } });
    this.el = h(l, 'section', { class: 'tab log-tab' }, [
      h(l, 'div', { class: 'toolbar' }, [
        h(l, 'label', { attrs: { for: 'log-filter' }, l10n: { text: 'log.show' } }),
        this.#filter,
        this.#search,
        h(l, 'span', { class: 'spacer' }),
        h(l, 'button', { class: 'btn', attrs: { type: 'button' }, l10n: { text: 'log.copy' }, on: { click: () => void this.#copy() } }),
      ]),
      this.#empty,
      this.#list,
    ]);
  }

  /** reset replaces the log (the window's first load). */
  reset(entries: LogEntry[]): void {
    this.#entries = entries.slice(-LOG_MAX);
    this.#render();
  }

  /** add appends new entries. */
  add(entries: LogEntry[]): void {
    const last = this.#entries.at(-1)?.seq ?? 0;
    const fresh = entries.filter((e) => e.seq > last);
    if (fresh.length === 0) return;
    this.#entries.push(...fresh);
    const over = this.#entries.length - LOG_MAX;
    if (over > 0) this.#entries.splice(0, over);
    const stick = this.#list.scrollHeight - this.#list.scrollTop - this.#list.clientHeight < 40;
    this.#render();
    if (stick) this.#list.scrollTop = this.#list.scrollHeight;
  }

  /** relabel re-renders the lines in the current language. */
  relabel(): void {
    this.#render();
  }

  #visible(): LogEntry[] {
    const cat = this.#filter.value;
    const q = this.#search.value.trim().toLowerCase();
    return this.#entries.filter((e) => (cat === 'all' || logCategory(e) === cat) && (!q || this.#line(e).toLowerCase().includes(q)));
  }

  #line(e: LogEntry): string {
    const extra = logExtra(e);
    const text = this.l.t(logMsg(e));
    return extra ? `${text} (${this.l.t(extra)})` : text;
  }

  #render(): void {
    const visible = this.#visible();
    this.#empty.hidden = visible.length > 0;
    this.#list.replaceChildren(
      ...visible.map((e) =>
        h(this.l, 'li', { class: `cat-${logCategory(e)}`, attrs: { 'data-kind': e.kind } }, [
          h(this.l, 'time', { attrs: { datetime: e.time } }, [data(clock(this.l.locale, e.time))]),
          h(this.l, 'span', {}, [data(this.#line(e))]),
          e.detail && logExtra(e) ? h(this.l, 'small', {}, [data(e.detail)]) : null,
        ]),
      ),
    );
  }

  async #copy(): Promise<void> {
    const text = this.#visible()
      .map((e) => `${e.time}\t${this.#line(e)}${e.detail ? `\t${e.detail}` : ''}`)
      .join('\n');
    let ok = false;
    try {
      ok = await this.b.runtime.ClipboardSetText(text);
    } catch {
      ok = false;
    }
    this.toast.show(ok ? 'log.copied' : 'copy.failed', ok ? 'ok' : 'error');
  }
}
