// The name gate of a room link (/r/<room>): one field, prefilled with the
// remembered name, confirmed before joining, so a class's list fills with
// names rather than random animals.

import { h, type Localizer, setUserText } from '../dom';

/** NameGate asks for the display name before joining room. */
export class NameGate {
  readonly el: HTMLElement;
  #input: HTMLInputElement;
  #problem: HTMLElement;

  constructor(private readonly l: Localizer, room: string, name: string, join: (name: string) => void) {
    this.#input = h(l, 'input', {
      id: 'gate-name',
      class: 'input',
      attrs: { name: 'name', autocomplete: 'nickname', maxlength: '32', required: '', enterkeyhint: 'go', 'aria-describedby': 'gate-problem' },
      l10n: { placeholder: 'lobby.namePlaceholder' },
    });
    this.#input.value = name;
    this.#problem = h(l, 'p', { id: 'gate-problem', class: 'problem', attrs: { role: 'alert' } });
    const title = h(l, 'h1', { l10n: { text: 'gate.title' } });
    const roomName = h(l, 'strong', { class: 'room-name' });
    setUserText(roomName, room);
    const form = h(l, 'form', { class: 'join-form', attrs: { novalidate: '' } }, [
      h(l, 'label', { attrs: { for: 'gate-name' }, l10n: { text: 'gate.nameLabel' } }),
      this.#input,
      this.#problem,
      h(l, 'button', { class: 'button primary big', attrs: { type: 'submit', 'data-action': 'confirm-name' }, l10n: { text: 'lobby.join' } }),
    ]);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const n = this.#input.value.trim();
      if (!n) {
        this.l.set(this.#problem, { text: 'gate.nameEmpty' });
        this.#input.setAttribute('aria-invalid', 'true');
        this.#input.focus();
        return;
      }
      join(n);
    });
    this.el = h(l, 'div', { class: 'lobby gate' }, [
      h(l, 'section', { class: 'card intro' }, [title, h(l, 'p', { class: 'gate-room' }, [roomName]), h(l, 'p', { class: 'muted', l10n: { text: 'gate.intro' } }), form]),
    ]);
  }

  /** focus puts the cursor in the name field. */
  focus(): void {
    this.#input.focus();
    this.#input.select();
  }
}
