// The lobby at "/": camera preview with device pickers, a display name
// (remembered), a room name, and the list of open rooms.

import type { ClientKey } from '../../i18n/client';
import { h, type Localizer, setUserText } from '../dom';
import type { LocalMedia } from '../media';
import { checkRoomName, cleanRoomName } from '../route';
import { DevicePickers } from './devices';
import { MediaNotice } from './notices';
import { SelfPreview } from './tiles';

/** LOBBY_REFRESH_MS is how often the open rooms are listed again. */
export const LOBBY_REFRESH_MS = 5000;

/** LobbyRoom is one room of GET /api/lobby. */
export interface LobbyRoom {
  name: string;
  /** class is the class address the room belongs to: the lobby lists a class once, by its address. */
  class?: string;
  peers: number;
  capacity: number;
  locked: boolean;
}

/** LobbyOptions connect the lobby to the page. */
export interface LobbyOptions {
  media: LocalMedia;
  webrtc: boolean;
  name: string;
  room: string;
  /** join is called with a valid room name and the display name. */
  join(room: string, name: string): void;
}

const PROBLEM_KEYS = {
  empty: 'lobby.roomEmpty',
  'too-long': 'lobby.roomTooLong',
  'bad-chars': 'lobby.roomBadChars',
} as const satisfies Record<string, ClientKey>;

/**
 * classRooms lists each class once, under its address, with the peers of
 * all its rooms; rooms of no class are listed as they are.
 */
export function classRooms(rooms: LobbyRoom[]): LobbyRoom[] {
  const out: LobbyRoom[] = [];
  const byClass = new Map<string, LobbyRoom>();
  for (const r of rooms) {
    if (!r.class) {
      out.push(r);
      continue;
    }
    const c = byClass.get(r.class);
    if (c) {
      c.peers += r.peers;
      c.capacity += r.capacity;
      continue;
    }
    const entry = { name: r.class, class: r.class, peers: r.peers, capacity: r.capacity, locked: false };
    byClass.set(r.class, entry);
    out.push(entry);
  }
  return out;
}

/** Lobby is the lobby view. */
export class Lobby {
  readonly el: HTMLElement;
  #list: HTMLUListElement;
  #listNote: HTMLElement;
  #timer: ReturnType<typeof setInterval> | null = null;
  #roomInput: HTMLInputElement;
  #nameInput: HTMLInputElement;
  #problem: HTMLElement;
  #disposers: (() => void)[] = [];

  constructor(private readonly l: Localizer, private readonly o: LobbyOptions) {
    this.#nameInput = h(l, 'input', {
      id: 'name',
      class: 'input',
      attrs: { name: 'name', autocomplete: 'nickname', maxlength: '32', enterkeyhint: 'next' },
      l10n: { placeholder: 'lobby.namePlaceholder' },
    });
    this.#nameInput.value = o.name;
    this.#roomInput = h(l, 'input', {
      id: 'room',
      class: 'input',
      attrs: { name: 'room', autocomplete: 'off', maxlength: '64', required: '', enterkeyhint: 'go', 'aria-describedby': 'room-problem' },
      l10n: { placeholder: 'lobby.roomPlaceholder' },
    });
    this.#roomInput.value = o.room;
    this.#problem = h(l, 'p', { id: 'room-problem', class: 'problem', attrs: { role: 'alert' } });
    const form = h(l, 'form', { class: 'join-form', attrs: { novalidate: '' } }, [
      h(l, 'label', { attrs: { for: 'name' }, l10n: { text: 'lobby.nameLabel' } }),
      this.#nameInput,
      h(l, 'label', { attrs: { for: 'room' }, l10n: { text: 'lobby.roomLabel' } }),
      this.#roomInput,
      this.#problem,
      h(l, 'button', { class: 'button primary big', attrs: { type: 'submit', 'data-action': 'join' }, l10n: { text: 'lobby.join' } }),
    ]);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.#submit(this.#roomInput.value);
    });

    const pickers = new DevicePickers(l, o.media);
    void pickers.refresh();
    const preview = new SelfPreview(l, o.media);
    const notice = new MediaNotice(l, o.media, o.webrtc);
    this.#disposers.push(() => pickers.dispose(), preview.dispose, notice.dispose);

    this.#list = h(l, 'ul', { class: 'room-list' });
    this.#listNote = h(l, 'p', { class: 'muted' });

    this.el = h(l, 'div', { class: 'lobby' }, [
      h(l, 'section', { class: 'card intro' }, [
        h(l, 'h1', { l10n: { text: 'lobby.title' } }),
        h(l, 'p', { class: 'muted', l10n: { text: 'lobby.intro' } }),
        notice.el,
        form,
      ]),
      h(l, 'section', { class: 'card preview', attrs: { 'aria-labelledby': 'preview-title' } }, [
        h(l, 'h2', { id: 'preview-title', l10n: { text: 'lobby.previewTitle' } }),
        preview.el,
        pickers.el,
      ]),
      h(l, 'section', { class: 'card rooms', attrs: { 'aria-labelledby': 'rooms-title' } }, [
        h(l, 'h2', { id: 'rooms-title', l10n: { text: 'lobby.roomsTitle' } }),
        this.#listNote,
        this.#list,
      ]),
    ]);
  }

  /** start lists the rooms now and every LOBBY_REFRESH_MS. */
  start(): void {
    void this.#load();
    this.#timer = setInterval(() => void this.#load(), LOBBY_REFRESH_MS);
    queueMicrotask(() => (this.#nameInput.value ? this.#roomInput : this.#nameInput).focus());
  }

  /** stop ends the refresh and stops following the media. */
  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    for (const d of this.#disposers) d();
    this.#disposers = [];
  }

  #submit(raw: string): void {
    if (!this.#nameInput.value.trim()) {
      this.l.set(this.#problem, { text: 'gate.nameEmpty' });
      this.#nameInput.setAttribute('aria-invalid', 'true');
      this.#nameInput.focus();
      return;
    }
    this.#nameInput.removeAttribute('aria-invalid');
    const problem = checkRoomName(raw);
    if (problem) {
      this.l.set(this.#problem, { text: PROBLEM_KEYS[problem] });
      this.#roomInput.setAttribute('aria-invalid', 'true');
      this.#roomInput.focus();
      return;
    }
    this.#roomInput.removeAttribute('aria-invalid');
    this.o.join(cleanRoomName(raw), this.#nameInput.value.trim());
  }

  async #load(): Promise<void> {
    let body: { listed?: boolean; rooms?: LobbyRoom[] };
    try {
      const res = await fetch('/api/lobby', { cache: 'no-store' });
      if (!res.ok) throw new Error(String(res.status));
      body = (await res.json()) as typeof body;
    } catch {
      this.l.set(this.#listNote, { text: 'lobby.roomsUnavailable' });
      this.#listNote.hidden = false;
      return;
    }
    const rooms = Array.isArray(body.rooms) ? body.rooms : [];
    this.#listNote.hidden = body.listed === true && rooms.length > 0;
    this.l.set(this.#listNote, { text: body.listed ? 'lobby.noRooms' : 'lobby.roomsHidden' });
    this.#list.replaceChildren(...classRooms(rooms).map((r) => this.#roomItem(r)));
  }

  #roomItem(r: LobbyRoom): HTMLLIElement {
    // A class address always has a seat: the server opens the next room.
    const full = !r.class && r.peers >= r.capacity;
    const status: ClientKey = r.locked ? 'lobby.roomLocked' : full ? 'lobby.roomFull' : 'lobby.roomOpen';
    const name = h(this.l, 'span', { class: 'room-name' });
    setUserText(name, r.name);
    const button = h(this.l, 'button', {
      class: 'button',
      attrs: { type: 'button' },
      l10n: { text: 'lobby.joinRoom', 'aria-label': ['lobby.joinRoomLabel', { room: r.name }] },
    });
    button.disabled = full || r.locked;
    button.addEventListener('click', () => this.#submit(r.name));
    return h(this.l, 'li', { class: 'room-item', attrs: { 'data-room': r.name } }, [
      h(this.l, 'span', { class: 'room-main' }, [
        name,
        h(this.l, 'span', { class: 'muted', l10n: { text: ['lobby.occupancy', { count: r.peers, capacity: r.capacity }] } }),
        h(this.l, 'span', { class: `pill ${full || r.locked ? 'warn' : 'ok'}`, l10n: { text: status } }),
      ]),
      button,
    ]);
  }
}
