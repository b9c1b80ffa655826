// DOM helpers of the window. Words a person reads are set only through
// Localizer, from catalogue keys; text that comes from people or the
// network (names, rooms, addresses, chat) only through data(). The test in
// window.test.ts scans this folder for anything else.

import { type Locale, type Translator } from '../i18n/core';
import type { WindowKey } from '../i18n/window';

/** Params fill a catalogue entry's {placeholders}. */
export type Params = Record<string, string | number>;
/** Msg is a catalogue key with its parameters. */
export type Msg = WindowKey | readonly [WindowKey, Params];
/** Target is where a message goes on an element. */
export type Target = 'text' | 'title' | 'aria-label' | 'placeholder';

/** Props describe an element for h(). */
export interface Props {
  class?: string;
  /** attrs are plain attributes (ids, types, values: never words a person reads). */
  attrs?: Record<string, string>;
  /** l10n are catalogue messages for the element's text and labels. */
  l10n?: Partial<Record<Target, Msg>>;
  on?: Partial<{ [E in keyof HTMLElementEventMap]: (ev: HTMLElementEventMap[E]) => void }>;
}

/** Child is what h() puts inside an element: elements, or data() text nodes. */
export type Child = Node | null | undefined | false;

/** Localizer renders catalogue messages onto elements and re-renders them when the language changes. */
export class Localizer {
  #bound = new WeakMap<Element, Partial<Record<Target, Msg>>>();

  constructor(readonly tr: Translator<WindowKey>) {}

  get locale(): Locale {
    return this.tr.locale;
  }

  /** t renders a message to a string (for the clipboard, or a label built of parts). */
  t(msg: Msg): string {
    return typeof msg === 'string' ? this.tr.t(msg as WindowKey) : this.tr.t(msg[0], msg[1]);
  }

  /** set binds messages to an element and renders them. */
  set<E extends Element>(el: E, spec: Partial<Record<Target, Msg>>): E {
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
      for (const msg of Object.values(this.#bound.get(el) ?? {}) as Msg[]) {
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

  #render(el: Element, spec: Partial<Record<Target, Msg>>): void {
    for (const [target, msg] of Object.entries(spec) as [Target, Msg][]) {
      const s = this.t(msg);
      if (target === 'text') el.textContent = s;
      else el.setAttribute(target, s);
    }
  }
}

/** h creates an element. */
export function h<K extends keyof HTMLElementTagNameMap>(
  l: Localizer,
  tag: K,
  props: Props = {},
  children: Child[] = [],
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, v);
  if (props.l10n) l.set(el, props.l10n);
  for (const [name, fn] of Object.entries(props.on ?? {})) el.addEventListener(name, fn as EventListener);
  for (const c of children) if (c) el.append(c);
  return el;
}

/** data is text that came from people or the network (a name, a room, a URL): shown as is, never as HTML. */
export function data(text: string): Text {
  return document.createTextNode(text);
}

/** setData replaces an element's content with data text. */
export function setData(el: Element, text: string): void {
  el.replaceChildren(document.createTextNode(text));
}

/** setMsg shows a catalogue message (or nothing) in el. */
export function setMsg(l: Localizer, el: Element, msg: Msg | null): void {
  if (msg === null) {
    el.removeAttribute('data-l10n');
    el.replaceChildren();
    return;
  }
  l.set(el, { text: msg });
}
