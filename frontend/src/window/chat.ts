// The window's own seat in a room's chat, over the signaling server's
// native WebSocket protocol (docs/protocol.md): join, then broadcast
// {"chat": text}. The window takes a seat like any peer, so it counts
// towards the room's capacity; it makes no call (WebKitGTK has no WebRTC),
// so it joins chat-only and the browsers in the room do not try to call it
// (signals that come anyway are ignored).

import { h, data, type Localizer, type Msg, setMsg } from './dom';
import { codeMsg, clock, reasonMsg } from './format';

/** CHAT_MAX bounds the chat lines kept. */
const CHAT_MAX = 300;
/** CHAT_TEXT_MAX bounds one line, in characters, well under the server's frame limit. */
const CHAT_TEXT_MAX = 2000;

/** ChatEvent is what the chat connection reports. */
export type ChatEvent =
  | { kind: 'joined'; room: string; self: string; peers: string[] }
  | { kind: 'line'; name: string; text: string; self: boolean; at: string }
  | { kind: 'presence'; msg: Msg }
  | { kind: 'error'; msg: Msg }
  | { kind: 'closed' };

/** wsURL turns the server's local http URL into its WebSocket endpoint. */
export function wsURL(localUrl: string): string {
  const u = new URL('ws', localUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

/** joinRequest is the window's `join`: a chat-only seat (docs/protocol.md). */
export function joinRequest(room: string, name: string): { type: 'join'; room: string; name: string; chatOnly: true } {
  return { type: 'join', room, name, chatOnly: true };
}

/** ChatConnection is one WebSocket seat in one room. */
export class ChatConnection {
  #ws: WebSocket;
  #selfName = '';
  #closedByUs = false;

  constructor(url: string, room: string, name: string, private readonly on: (e: ChatEvent) => void) {
    this.#ws = new WebSocket(url);
    this.#ws.onmessage = (ev) => this.#frame(String(ev.data), room, name);
    this.#ws.onclose = () => {
      if (!this.#closedByUs) this.on({ kind: 'error', msg: 'chat.lost' });
      this.on({ kind: 'closed' });
    };
  }

  /** send broadcasts a chat line to the room. */
  send(text: string): void {
    const t = text.trim().slice(0, CHAT_TEXT_MAX);
    if (!t || this.#ws.readyState !== WebSocket.OPEN) return;
    this.#ws.send(JSON.stringify({ type: 'broadcast', data: { chat: t } }));
    this.on({ kind: 'line', name: this.#selfName, text: t, self: true, at: new Date().toISOString() });
  }

  /** close leaves the room and closes the connection. */
  close(): void {
    this.#closedByUs = true;
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify({ type: 'leave' }));
    this.#ws.close(1000);
  }

  #frame(raw: string, room: string, name: string): void {
    let f: Record<string, unknown>;
    try {
      f = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return;
    }
    const peerName = (v: unknown) => String((v as { name?: unknown } | undefined)?.name ?? '');
    switch (f.type) {
      case 'welcome':
        this.#ws.send(JSON.stringify(joinRequest(room, name)));
        break;
      case 'joined': {
        this.#selfName = peerName(f.self);
        const peers = Array.isArray(f.peers) ? f.peers.map(peerName) : [];
        this.on({ kind: 'joined', room: String(f.room ?? room), self: this.#selfName, peers });
        break;
      }
      case 'peer-joined':
        this.on({ kind: 'presence', msg: ['chat.peerJoined', { name: peerName(f.peer) }] });
        break;
      case 'peer-left':
        this.on({ kind: 'presence', msg: ['chat.peerLeft', { name: peerName(f.peer) }] });
        break;
      case 'broadcast': {
        const d = f.data as { chat?: unknown } | undefined;
        if (typeof d?.chat === 'string') {
          this.on({ kind: 'line', name: String(f.name ?? ''), text: d.chat.slice(0, CHAT_TEXT_MAX), self: false, at: new Date().toISOString() });
        }
        break;
      }
      case 'left':
        this.on({ kind: 'error', msg: 'chat.removed' });
        this.on({ kind: 'presence', msg: reasonMsg(String(f.reason ?? '')) });
        this.#closedByUs = true;
        this.#ws.close(1000);
        break;
      case 'error':
        this.on({ kind: 'error', msg: codeMsg(String(f.code ?? '')) });
        if (f.request === 'join') {
          this.#closedByUs = true;
          this.#ws.close(1000);
        }
        break;
    }
  }
}

/** ChatTab shows the window's chat in one room. */
export class ChatTab {
  readonly el: HTMLElement;
  #title: HTMLElement;
  #lines: HTMLElement;
  #input: HTMLInputElement;
  #form: HTMLFormElement;
  #idle: HTMLElement;
  #conn: ChatConnection | null = null;
  #count = 0;

  constructor(
    private readonly l: Localizer,
    private readonly localUrl: () => string,
    private readonly onActivity: () => void,
  ) {
    this.#title = h(l, 'h2');
    this.#lines = h(l, 'ol', { class: 'chat-lines', attrs: { 'aria-live': 'polite' } });
    this.#input = h(l, 'input', { attrs: { type: 'text', maxlength: String(CHAT_TEXT_MAX) }, l10n: { placeholder: 'chat.placeholder', 'aria-label': 'chat.placeholder' } });
    this.#form = h(l, 'form', { class: 'chat-form', on: { submit: (ev) => this.#submit(ev) } }, [
      this.#input,
      h(l, 'button', { class: 'btn primary', attrs: { type: 'submit' }, l10n: { text: 'chat.send' } }),
      h(l, 'button', { class: 'btn', attrs: { type: 'button' }, l10n: { text: 'chat.leave' }, on: { click: () => this.leave() } }),
    ]);
    this.#idle = h(l, 'p', { class: 'empty', l10n: { text: 'chat.idle' } });
    this.el = h(l, 'section', { class: 'tab chat-tab' }, [this.#title, this.#idle, this.#lines, this.#form, h(l, 'p', { class: 'hint', l10n: { text: 'chat.seatNote' } })]);
    this.#render(false);
  }

  /** join leaves any room the window is in and joins room's chat. */
  join(room: string, name: string): void {
    this.leave();
    this.#lines.replaceChildren();
    this.#count = 0;
    setMsg(this.l, this.#title, ['chat.joining', { room }]);
    this.#render(true);
    const url = this.localUrl();
    if (!url) {
      this.#system('code.notRunning', true);
      return;
    }
    const conn = new ChatConnection(wsURL(url), room, name, (e) => {
      if (this.#conn !== conn) return;
      this.#event(e);
    });
    this.#conn = conn;
  }

  /** leave leaves the room. */
  leave(): void {
    const c = this.#conn;
    this.#conn = null;
    c?.close();
    setMsg(this.l, this.#title, 'chat.title');
    this.#render(false);
  }

  #render(active: boolean): void {
    this.#form.hidden = !active;
    this.#idle.hidden = active || this.#count > 0;
  }

  #event(e: ChatEvent): void {
    switch (e.kind) {
      case 'joined':
        setMsg(this.l, this.#title, ['chat.in', { room: e.room }]);
        this.#system(['chat.joinedAs', { name: e.self, count: e.peers.length }], false);
        this.#input.focus();
        break;
      case 'line':
        this.#add(
          h(this.l, 'li', { class: e.self ? 'self' : '' }, [
            h(this.l, 'time', {}, [data(clock(this.l.locale, e.at))]),
            h(this.l, 'b', {}, [data(e.name)]),
            h(this.l, 'span', {}, [data(e.text)]),
          ]),
        );
        this.onActivity();
        break;
      case 'presence':
        this.#system(e.msg, false);
        break;
      case 'error':
        this.#system(e.msg, true);
        break;
      case 'closed':
        this.#conn = null;
        this.#render(false);
        break;
    }
  }

  #system(msg: Msg, error: boolean): void {
    this.#add(h(this.l, 'li', { class: error ? 'system error' : 'system', l10n: { text: msg } }));
  }

  #add(li: HTMLElement): void {
    this.#lines.append(li);
    this.#count++;
    while (this.#lines.childElementCount > CHAT_MAX) this.#lines.firstElementChild?.remove();
    li.scrollIntoView({ block: 'nearest' });
  }

  #submit(ev: SubmitEvent): void {
    ev.preventDefault();
    this.#conn?.send(this.#input.value);
    this.#input.value = '';
  }
}
