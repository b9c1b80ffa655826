// DOM helpers of the window: those of ../i18n/dom.ts with the window's
// catalogue keys. Words a person reads are set only through Localizer, from
// catalogue keys; text that comes from people or the network (names, rooms,
// addresses, chat) only through data(). The test in window.test.ts scans
// this folder for anything else.

import type { WindowKey } from '../i18n/window';
import * as dom from '../i18n/dom';

export type { Child, Params, Target } from '../i18n/dom';
/** Msg is a window catalogue key with its parameters. */
export type Msg = dom.MsgOf<WindowKey>;
/** Props describe an element for h(). */
export type Props = dom.PropsOf<WindowKey>;

/** Localizer renders the window's catalogue onto elements. */
export class Localizer extends dom.Localizer<WindowKey> {}

/** h creates an element. */
export const h = dom.h;

/** data is text that came from people or the network (a name, a room, a URL): shown as is, never as HTML. */
export const data = dom.text;

/** setData replaces an element's content with data text. */
export const setData = dom.setText;

/** setMsg shows a catalogue message (or nothing) in el. */
export const setMsg = dom.setMsg;
