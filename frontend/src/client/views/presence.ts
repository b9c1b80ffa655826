// The presence strip above the tiles: "Ana is reconnecting…" while a
// peer's seat waits for it (peer-away), and "Ana left" for a while after
// it is gone, so a frozen picture or a vanished tile is never a mystery.

import type { Call, Presence } from '../call';
import { h, type Localizer } from '../dom';

/** LEFT_SHOWN_MS is how long "Ana left" stays in the strip (the chat keeps it). */
export const LEFT_SHOWN_MS = 8000;

/** PresenceStrip shows who is reconnecting and who just left. */
export class PresenceStrip {
  readonly el: HTMLElement;
  #lines = new Map<string, { el: HTMLElement; timer: ReturnType<typeof setTimeout> | null }>();

  constructor(private readonly l: Localizer, call: Call) {
    this.el = h(l, 'ul', { class: 'presence', attrs: { role: 'status', 'aria-live': 'polite' } });
    call.on('presence', (p) => this.#show(p));
  }

  #show(p: Presence): void {
    const old = this.#lines.get(p.id);
    if (old?.timer) clearTimeout(old.timer);
    old?.el.remove();
    this.#lines.delete(p.id);
    if (p.kind === 'back' || p.kind === 'renamed') return;
    const key = p.kind === 'away' ? 'presence.away' : 'presence.left';
    const el = h(this.l, 'li', { class: `pill ${p.kind === 'away' ? 'warn' : ''}`, attrs: { 'data-presence': p.kind, 'data-peer': p.id }, l10n: { text: [key, { name: p.name }] } });
    const timer = p.kind === 'left' ? setTimeout(() => this.#show({ ...p, kind: 'back' }), LEFT_SHOWN_MS) : null;
    this.#lines.set(p.id, { el, timer });
    this.el.append(el);
  }

  /** dispose stops the timers. */
  dispose(): void {
    for (const { timer } of this.#lines.values()) if (timer) clearTimeout(timer);
  }
}

/** RenameForm changes this page's display name in the call. */
export class RenameForm {
  readonly el: HTMLElement;
  #input: HTMLInputElement;

  constructor(l: Localizer, private readonly call: Call, onDone: (name: string) => void) {
    this.#input = h(l, 'input', {
      id: 'rename-input',
      class: 'input',
      attrs: { name: 'name', autocomplete: 'nickname', maxlength: '32', enterkeyhint: 'done', required: '' },
      l10n: { placeholder: 'lobby.namePlaceholder' },
    });
    const form = h(l, 'form', { class: 'rename-form', attrs: { novalidate: '' } }, [
      h(l, 'label', { attrs: { for: 'rename-input' }, l10n: { text: 'rename.label' } }),
      this.#input,
      h(l, 'button', { class: 'button primary', attrs: { type: 'submit', 'data-action': 'rename-save' }, l10n: { text: 'rename.save' } }),
    ]);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const name = this.#input.value.trim();
      if (!name) {
        this.#input.focus();
        return;
      }
      call.rename(name);
      onDone(name);
    });
    this.el = h(l, 'section', { class: 'panel-body rename', attrs: { 'aria-labelledby': 'rename-title' } }, [
      h(l, 'h2', { id: 'rename-title', l10n: { text: 'rename.title' } }),
      form,
    ]);
  }

  /** focus fills in the current name and selects it. */
  focus(): void {
    this.#input.value = this.call.self?.name ?? '';
    this.#input.focus();
    this.#input.select();
  }
}
