// The browser client's DOM helpers: those of ../i18n/dom.ts with the
// client's catalogue keys. Text a person reads is set only through
// Localizer, from catalogue keys; text that comes from people (names, chat)
// only through userText. A test scans this folder for anything else.

import type { ClientKey } from '../i18n/client';
import * as dom from '../i18n/dom';

export type { Params, Target } from '../i18n/dom';
/** Msg is a client catalogue key with its parameters. */
export type Msg = dom.MsgOf<ClientKey>;
/** Props describe an element for h(). */
export type Props = dom.PropsOf<ClientKey>;

/** Localizer renders the client's catalogue onto elements. */
export class Localizer extends dom.Localizer<ClientKey> {}

/** h makes an element. Words a person reads come only from props.l10n or userText children. */
export const h = dom.h;

/** userText is text that came from a person (a name, a chat line): shown as is, never as HTML. */
export const userText = dom.text;

/** setUserText replaces an element's text with text that came from a person. */
export const setUserText = dom.setText;

/** clear removes an element's children. */
export function clear(el: Element): void {
  el.replaceChildren();
}
