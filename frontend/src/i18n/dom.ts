// DOM helpers shared by the browser client and the desktop window. Words a
// person reads are set only through a Localizer, from catalogue keys; text
// that comes from people or the network (names, rooms, chat) only as text
// nodes (text(), setText()). Each surface wraps these with its catalogue's
// keys in its own dom.ts, which its literal-scanning test names as the one
// place allowed to set text.

import type { Locale, Translator } from './core';

/** Params fill a catalogue entry's {placeholders}. */
export type Params = Record<string, string | number>;
/** MsgOf is a catalogue key of K with its parameters. */
export type MsgOf<K extends string> = K | readonly [K, Params];
/** Target is where a message goes on an element. */
export type Target = 'text' | 'title' | 'aria-label' | 'placeholder' | 'alt';

/** PropsOf describe an element for h(), with messages from catalogue K. */
export interface PropsOf<K extends string> {
  class?: string;
  id?: string;
  /** attrs are plain attributes (ids, types, roles, values: never words a person reads). */
  attrs?: Record<string, string>;
  /** l10n are catalogue messages for the element's text and labels. */
  l10n?: Partial<Record<Target, MsgOf<K>>>;
  on?: Partial<{ [E in keyof HTMLElementEventMap]: (ev: HTMLElementEventMap[E]) => void }>;
}

/** Child is what h() puts inside an element: elements or text nodes; falsy ones are skipped. */
export type Child = Node | null | undefined | false;

/** Localizer renders catalogue messages onto elements and re-renders them when the language changes. */
export class Localizer<K extends string> {
  #bound = new WeakMap<Element, Partial<Record<Target, MsgOf<K>>>>();
  #formatters = new Map<string, Intl.DateTimeFormat>();

  constructor(readonly tr: Translator<K>) {}

  /** locale is the current language. */
  get locale(): Locale {
    return this.tr.locale;
  }

  /** t renders a message to a string (for the clipboard, or a label built of parts). */
  t(msg: MsgOf<K>): string {
    return typeof msg === 'string' ? this.tr.t(msg) : this.tr.t(msg[0], msg[1]);
  }

  /** set binds messages to an element (replacing earlier ones for the same targets) and renders them. */
  set<E extends Element>(el: E, spec: Partial<Record<Target, MsgOf<K>>>): E {
    const cur = { ...this.#bound.get(el), ...spec };
    this.#bound.set(el, cur);
    el.setAttribute('data-l10n', '');
    this.#render(el, cur);
    return el;
  }

  /**
   * strings returns every text the catalogue renders under root now
   * (visible or not: every tab), for the language check. Parameters are
   * left out (names, addresses, user agents are what people and devices
   * call themselves, not translations); numbers stay, for plural forms.
   */
  strings(root: ParentNode = document): string[] {
    const out: string[] = [];
    root.querySelectorAll('[data-l10n]').forEach((el) => {
      for (const msg of Object.values(this.#bound.get(el) ?? {}) as MsgOf<K>[]) {
        if (typeof msg === 'string') out.push(this.t(msg));
        else out.push(this.t([msg[0], Object.fromEntries(Object.entries(msg[1]).map(([k, v]) => [k, typeof v === 'number' ? v : '']))]));
      }
    });
    return out;
  }

  /** refresh re-renders every bound element under root (after a language change). */
  refresh(root: ParentNode = document): void {
    root.querySelectorAll('[data-l10n]').forEach((el) => {
      const spec = this.#bound.get(el);
      if (spec) this.#render(el, spec);
    });
  }

  /** time formats a moment as a local time, to the minute or (for the teaching log) the second. */
  time(ms: number, seconds = false): string {
    const key = `${this.locale} ${seconds}`;
    let f = this.#formatters.get(key);
    if (!f) this.#formatters.set(key, (f = new Intl.DateTimeFormat(this.locale, { timeStyle: seconds ? 'medium' : 'short' })));
    return f.format(ms);
  }

  /** number formats a number in the current language. */
  number(n: number, maxFractionDigits = 0): string {
    return new Intl.NumberFormat(this.locale, { maximumFractionDigits: maxFractionDigits }).format(n);
  }

  #render(el: Element, spec: Partial<Record<Target, MsgOf<K>>>): void {
    for (const [target, msg] of Object.entries(spec) as [Target, MsgOf<K>][]) {
      const s = this.t(msg);
      if (target === 'text') el.textContent = s;
      else el.setAttribute(target, s);
    }
  }
}

/** h makes an element. Words a person reads come only from props.l10n or text() children. */
export function h<K extends string, T extends keyof HTMLElementTagNameMap>(
  l: Localizer<K> | null,
  tag: T,
  props: PropsOf<NoInfer<K>> = {},
  children: Child[] = [],
): HTMLElementTagNameMap[T] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.id) el.id = props.id;
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, v);
  if (props.l10n && l) l.set(el, props.l10n);
  for (const [name, fn] of Object.entries(props.on ?? {})) el.addEventListener(name, fn as EventListener);
  for (const c of children) if (c) el.append(c);
  return el;
}

/** text is text that came from a person or the network: shown as is, never as HTML. */
export function text(s: string): Text {
  return document.createTextNode(s);
}

/** setText replaces an element's content with such text. */
export function setText(el: Element, s: string): void {
  el.replaceChildren(document.createTextNode(s));
}

/** setMsg shows a catalogue message (or nothing) in el. */
export function setMsg<K extends string>(l: Localizer<K>, el: Element, msg: MsgOf<NoInfer<K>> | null): void {
  if (msg === null) {
    el.removeAttribute('data-l10n');
    el.replaceChildren();
    return;
  }
  l.set(el, { text: msg });
}
