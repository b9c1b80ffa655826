// An in-page confirmation dialog (a native <dialog>), so its words come
// from the catalogue and it looks the same on every platform's webview.

import { h, type Localizer, type Msg } from './dom';

/** Confirmer asks the person to confirm an action. */
export class Confirmer {
  #dialog: HTMLDialogElement;
  #title: HTMLElement;
  #body: HTMLElement;
  #ok: HTMLButtonElement;
  #resolve: ((ok: boolean) => void) | null = null;

  constructor(private readonly l: Localizer) {
    this.#title = h(l, 'h2');
    this.#body = h(l, 'p');
    const cancel = h(l, 'button', { class: 'btn', attrs: { type: 'button' }, l10n: { text: 'confirm.cancel' }, on: { click: () => this.#close(false) } });
    this.#ok = h(l, 'button', { class: 'btn danger', attrs: { type: 'button' }, on: { click: () => this.#close(true) } });
    this.#dialog = h(l, 'dialog', { class: 'confirm' }, [this.#title, this.#body, h(l, 'div', { class: 'actions' }, [cancel, this.#ok])]);
    this.#dialog.addEventListener('cancel', (ev) => {
      ev.preventDefault();
      this.#close(false);
    });
    document.body.append(this.#dialog);
  }

  /** ask shows title and body with an action button; it resolves true when confirmed. */
  ask(title: Msg, body: Msg, action: Msg): Promise<boolean> {
    this.#close(false);
    this.l.set(this.#title, { text: title });
    this.l.set(this.#body, { text: body });
    this.l.set(this.#ok, { text: action });
    this.#dialog.showModal();
    this.#ok.focus();
    return new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  #close(ok: boolean): void {
    const r = this.#resolve;
    this.#resolve = null;
    if (this.#dialog.open) this.#dialog.close();
    r?.(ok);
  }
}
