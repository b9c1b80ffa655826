// Short notices at the bottom of the window ("Copied", an action failed).

import { data, h, type Localizer, type Msg } from './dom';

/** TOAST_MS is how long a notice stays. */
const TOAST_MS = 3500;

/** Toaster shows one notice at a time. */
export class Toaster {
  #el: HTMLElement;
  #timer = 0;

  constructor(private readonly l: Localizer) {
    this.#el = h(l, 'div', { class: 'toast', attrs: { role: 'status', 'aria-live': 'polite', hidden: '' } });
    document.body.append(this.#el);
  }

  /** show displays msg, with an optional detail line (English text from the server, for a bug report). */
  show(msg: Msg, kind: 'ok' | 'error' = 'ok', detail = ''): void {
    this.l.set(this.#el, { text: msg });
    if (detail) this.#el.append(h(this.l, 'small', {}, [data(detail)]));
    this.#el.className = `toast ${kind}`;
    this.#el.hidden = false;
    clearTimeout(this.#timer);
    this.#timer = window.setTimeout(() => {
      this.#el.hidden = true;
    }, TOAST_MS);
  }
}
