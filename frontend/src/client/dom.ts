// A few DOM helpers. Text a person reads is set only through Localizer,
// from catalogue keys; text that comes from people (names, chat) only
// through userText. A test scans this folder for anything else.

import type { ClientKey } from '../i18n/client';
import type { Locale, Translator } from '../i18n/core';

/** Params fill a catalogue entry's {placeholders}. */
export type Params = Record<string, string | number>;
/** Msg is a catalogue key with its parameters. */
export type Msg = ClientKey | [ClientKey, Params];
/** Target is where a message goes on an element. */
export type Target = 'text' | 'title' | 'aria-label' | 'placeholder' | 'alt';

/** Props describe an element for h(). */
export interface Props {
  class?: string;
  id?: string;
  /** attrs are plain attributes (ids, types, roles: never words a person reads). */
  attrs?: Record<string, string>;
  l10n?: Partial<Record<Target, Msg>>;
  on?: Partial<{ [E in keyof HTMLElementEventMap]: (ev: HTMLElementEventMap[E]) => void }>;
}

/** Localizer renders catalogue messages onto elements and re-renders them when the language changes. */
export class Localizer {
  #bound = new WeakMap<Element, Partial<Record<Target, Msg>>>();
  #formatters = new Map<string, Intl.DateTimeFormat>();

  constructor(readonly tr: Translator<ClientKey>) {}

  /** locale is the current language. */
  get locale(): Locale {
    return this.tr.locale;
  }

  /** t renders a message to a string. */
  t(msg: Msg): string {
    return typeof msg === 'string' ? this.tr.t(msg) : this.tr.t(msg[0], msg[1]);
  }

  /** set binds messages to an element (replacing earlier ones for the same targets) and renders them. */
  set<E extends Element>(el: E, spec: Partial<Record<Target, Msg>>): E {
    const cur = { ...this.#bound.get(el), ...spec };
    this.#bound.set(el, cur);
    el.setAttribute('data-l10n', '');
    this.#render(el, cur);
    return el;
  }

  /** refresh re-renders every bound element in the document (after a language change). */
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

  #render(el: Element, spec: Partial<Record<Target, Msg>>): void {
    for (const [target, msg] of Object.entries(spec) as [Target, Msg][]) {
      const text = this.t(msg);
      if (target === 'text') el.textContent = text;
      else el.setAttribute(target, text);
    }
  }
}

/** h makes an element. Words a person reads come only from props.l10n or userText children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  l: Localizer | null,
  tag: K,
  props: Props = {},
  children: Node[] = [],
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.id) el.id = props.id;
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, v);
  if (props.l10n && l) l.set(el, props.l10n);
  for (const [ev, fn] of Object.entries(props.on ?? {})) el.addEventListener(ev, fn as EventListener);
  for (const c of children) el.append(c);
  return el;
}

/** userText is text that came from a person (a name, a chat line): shown as is, never as HTML. */
export function userText(s: string): Text {
  return document.createTextNode(s);
}

/** setUserText replaces an element's text with text that came from a person. */
export function setUserText(el: Element, s: string): void {
  el.textContent = s;
}

/** clear removes an element's children. */
export function clear(el: Element): void {
  el.replaceChildren();
}
