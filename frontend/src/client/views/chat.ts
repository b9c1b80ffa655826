// The chat panel: lines from the room over the signalling server's
// broadcast, so peers without WebRTC can chat too.

import type { Call, ChatLine } from '../call';
import { CHAT_TEXT_MAX } from '../call';
import { h, type Localizer, userText } from '../dom';

/** ChatPanel lists the chat lines and sends new ones. */
export class ChatPanel {
  readonly el: HTMLElement;
  #list: HTMLOListElement;
  #input: HTMLInputElement;

  constructor(private readonly l: Localizer, call: Call) {
    this.#list = h(l, 'ol', { class: 'chat-lines', attrs: { 'aria-live': 'polite', 'aria-relevant': 'additions' } });
    this.#input = h(l, 'input', {
      id: 'chat-input',
      class: 'input',
      attrs: { autocomplete: 'off', maxlength: String(CHAT_TEXT_MAX), enterkeyhint: 'send' },
      l10n: { placeholder: 'chat.placeholder', 'aria-label': 'chat.inputLabel' },
    });
    const form = h(l, 'form', { class: 'chat-form' }, [
      this.#input,
      h(l, 'button', { class: 'button primary', attrs: { type: 'submit' }, l10n: { text: 'chat.send' } }),
    ]);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      call.sendChat(this.#input.value);
      this.#input.value = '';
    });
    const empty = h(l, 'p', { class: 'muted empty', l10n: { text: 'chat.empty' } });
    this.el = h(l, 'section', { class: 'panel-body chat', attrs: { 'aria-labelledby': 'chat-title' } }, [
      h(l, 'h2', { id: 'chat-title', l10n: { text: 'chat.title' } }),
      empty,
      this.#list,
      form,
    ]);
    for (const line of call.chat) this.#add(line);
    call.on('chat', (line) => {
      empty.hidden = true;
      this.#add(line);
    });
    empty.hidden = call.chat.length > 0;
  }

  /** focus puts the cursor in the message box. */
  focus(): void {
    this.#input.focus();
  }

  #add(line: ChatLine): void {
    if (line.notice) {
      const key = line.notice === 'left' ? 'chat.left' : 'chat.renamed';
      const note = h(this.l, 'li', { class: 'notice', attrs: { 'data-notice': line.notice } }, [
        h(this.l, 'p', { class: 'text', l10n: { text: [key, { name: line.name, was: line.text }] } }),
      ]);
      this.#list.append(note);
      return;
    }
    const time = h(this.l, 'time', { attrs: { datetime: new Date(line.at).toISOString() } }, [userText(this.l.time(line.at))]);
    const who = line.self
      ? h(this.l, 'span', { class: 'who', l10n: { text: 'chat.you' } })
      : h(this.l, 'span', { class: 'who' }, [userText(line.name)]);
    const item = h(this.l, 'li', { class: line.self ? 'self' : '' }, [
      h(this.l, 'div', { class: 'meta' }, [who, time]),
      h(this.l, 'p', { class: 'text' }, [userText(line.text)]),
    ]);
    this.#list.append(item);
    item.scrollIntoView({ block: 'nearest' });
  }
}
