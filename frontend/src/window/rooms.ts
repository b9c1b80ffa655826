// The rooms tab: every room with its peers, live, and the administrator's
// actions (kick, lock/unlock, close), each confirmed first; plus "join a
// room from this laptop". Rooms whose content did not change keep their DOM
// nodes, so a busy server does not rebuild what the person is clicking.

import type { Bridge, ClassView, PeerView, RoomView, View } from './api';
import { errorCode } from './api';
import type { Confirmer } from './confirm';
import { data, h, type Localizer, setData, setMsg } from './dom';
import { codeMsg, connectedFor, deviceMsg, duration, hasWebRTC, transportMsg } from './format';
import type { Toaster } from './toast';

/** RoomActions are what the rooms tab asks of the rest of the window. */
export interface RoomActions {
  /** chat joins the room's chat in the window. */
  chat(room: string, name: string): void;
}

/** RoomsTab renders the live room list. */
export class RoomsTab {
  readonly el: HTMLElement;
  #list: HTMLElement;
  #lobby: HTMLElement;
  #empty: HTMLElement;
  #omitted: HTMLElement;
  #roomInput: HTMLInputElement;
  #nameInput: HTMLInputElement;
  #cards = new Map<string, { sig: string; el: HTMLElement }>();
  #classes = new Map<string, { sig: string; el: HTMLElement; rooms: HTMLElement }>();
  #lobbySig = '';

  constructor(
    private readonly l: Localizer,
    private readonly b: Bridge,
    private readonly confirm: Confirmer,
    private readonly toast: Toaster,
    private readonly actions: RoomActions,
  ) {
    this.#roomInput = h(l, 'input', { attrs: { type: 'text', maxlength: '64', id: 'join-room' }, l10n: { placeholder: 'joinHere.roomPlaceholder' } });
    this.#nameInput = h(l, 'input', { attrs: { type: 'text', maxlength: '32', id: 'join-name' }, l10n: { placeholder: 'joinHere.namePlaceholder' } });
    const form = h(l, 'form', { class: 'join-here', on: { submit: (ev) => ev.preventDefault() } }, [
      h(l, 'h2', { l10n: { text: 'joinHere.title' } }),
      h(l, 'div', { class: 'row' }, [
        h(l, 'label', { attrs: { for: 'join-room' }, l10n: { text: 'joinHere.room' } }),
        this.#roomInput,
        h(l, 'label', { attrs: { for: 'join-name' }, l10n: { text: 'joinHere.name' } }),
        this.#nameInput,
      ]),
      h(l, 'div', { class: 'actions' }, [
        h(l, 'button', { class: 'btn primary', attrs: { type: 'button' }, l10n: { text: 'joinHere.openBrowser' }, on: { click: () => void this.#open(this.#roomInput.value) } }),
        h(l, 'button', { class: 'btn', attrs: { type: 'button' }, l10n: { text: 'joinHere.chat' }, on: { click: () => this.#chat(this.#roomInput.value) } }),
      ]),
      h(l, 'p', { class: 'hint', l10n: { text: hasWebRTC() ? 'joinHere.noteWebRTC' : 'joinHere.noteNoWebRTC' } }),
    ]);
    this.#empty = h(l, 'p', { class: 'empty', l10n: { text: 'rooms.empty' } });
    this.#omitted = h(l, 'p', { class: 'note', attrs: { hidden: '' } });
    this.#list = h(l, 'div', { class: 'rooms', attrs: { 'data-testid': 'rooms' } });
    this.#lobby = h(l, 'section', { class: 'lobby', attrs: { hidden: '' } });
    this.el = h(l, 'section', { class: 'tab rooms-tab' }, [form, h(l, 'h2', { l10n: { text: 'rooms.title' } }), this.#empty, this.#list, this.#omitted, this.#lobby]);
  }

  /** update renders a new view; rooms that did not change are kept as they are. */
  update(v: View): void {
    const seen = new Set<string>();
    const nodes: HTMLElement[] = [];
    // A class's rooms are shown together under the class, which says how
    // it seats students and lets the teacher change it.
    const classes = new Map((v.classes ?? []).map((c) => [c.name, { c, rooms: [] as HTMLElement[], students: 0, count: 0 }]));
    for (const r of v.rooms) {
      seen.add(r.name);
      const sig = JSON.stringify(r);
      let card = this.#cards.get(r.name);
      if (!card || card.sig !== sig) {
        card = { sig, el: this.#room(r) };
        this.#cards.set(r.name, card);
      }
      const group = r.class ? classes.get(r.class) : undefined;
      if (group) {
        group.rooms.push(card.el);
        group.students += r.peers.filter((p) => !p.chatOnly).length;
        group.count++;
      } else {
        nodes.push(card.el);
      }
    }
    for (const name of [...this.#cards.keys()]) if (!seen.has(name)) this.#cards.delete(name);
    const classNodes: HTMLElement[] = [];
    for (const [name, g] of classes) {
      const sig = JSON.stringify([g.c, g.students, g.count]);
      let cl = this.#classes.get(name);
      if (!cl || cl.sig !== sig) {
        const rooms = h(this.l, 'div', { class: 'class-rooms' });
        cl = { sig, el: this.#class(g.c, g.students, g.count, rooms), rooms };
        this.#classes.set(name, cl);
      }
      cl.rooms.replaceChildren(...g.rooms);
      classNodes.push(cl.el);
    }
    for (const name of [...this.#classes.keys()]) if (!classes.has(name)) this.#classes.delete(name);
    // replaceChildren moves kept nodes without recreating them.
    this.#list.replaceChildren(...classNodes, ...nodes);
    this.#empty.hidden = v.rooms.length > 0 || v.lobby.length > 0;
    this.#omitted.hidden = v.omitted === 0;
    if (v.omitted > 0) setMsg(this.l, this.#omitted, ['rooms.omitted', { count: v.omitted }]);
    const lobbySig = JSON.stringify(v.lobby);
    if (lobbySig !== this.#lobbySig) {
      this.#lobbySig = lobbySig;
      this.#lobby.hidden = v.lobby.length === 0;
      this.#lobby.replaceChildren(
        h(this.l, 'h3', { l10n: { text: ['rooms.lobby', { count: v.lobby.length }] } }),
        this.#table(v.lobby, false),
      );
    }
    this.tick(Date.now());
  }

  /** tick refreshes the "connected for" times. */
  tick(now: number): void {
    this.el.querySelectorAll<HTMLElement>('[data-since]').forEach((el) => {
      setData(el, duration(this.l.locale, connectedFor({ connectedAt: el.dataset.since ?? '' }, now)));
    });
  }

  /** relabel re-renders what depends on the language but is not bound to a catalogue key. */
  relabel(): void {
    this.tick(Date.now());
  }

  /** rendered counts the rooms and peer rows drawn, read from the DOM. */
  rendered(): { rooms: number; peers: number; direct: number; relayed: number } {
    return {
      rooms: this.#list.querySelectorAll('[data-room]').length,
      peers: this.el.querySelectorAll('[data-peer]').length,
      direct: this.el.querySelectorAll('[data-route=direct]').length,
      relayed: this.el.querySelectorAll('[data-route=relayed]').length,
    };
  }

  /** #class is a class's frame: its address, how it seats students (changeable), and its rooms. */
  #class(c: ClassView, students: number, rooms: number, list: HTMLElement): HTMLElement {
    const l = this.l;
    const mode = h(l, 'select', { attrs: { 'data-testid': 'class-mode' }, l10n: { 'aria-label': 'class.mode' } }, [
      h(l, 'option', { attrs: { value: 'pairs' }, l10n: { text: 'class.pairs' } }),
      h(l, 'option', { attrs: { value: 'group' }, l10n: { text: 'class.group' } }),
    ]);
    mode.value = c.mode;
    const size = h(l, 'input', { attrs: { type: 'number', min: '2', max: '32', 'data-testid': 'class-size' }, l10n: { 'aria-label': 'class.size' } });
    size.value = String(c.mode === 'group' ? c.size : Math.max(4, c.size));
    const sizeLabel = h(l, 'label', {}, [h(l, 'span', { l10n: { text: 'class.size' } }), data(' '), size]);
    const showSize = () => (sizeLabel.hidden = mode.value !== 'group');
    mode.addEventListener('change', showSize);
    showSize();
    const apply = h(l, 'button', {
      class: 'btn small primary',
      attrs: { type: 'button', 'data-testid': 'class-apply' },
      l10n: { text: 'class.apply' },
      on: {
        click: () =>
          void this.#run(async () => {
            await this.b.app.SetClassMode(c.name, mode.value, Number(size.value) || 0);
            this.toast.show('class.changed', 'ok');
          }),
      },
    });
    return h(l, 'section', { class: 'class', attrs: { 'data-class': c.name, 'data-mode': c.mode } }, [
      h(l, 'header', {}, [
        h(l, 'h3', { l10n: { text: ['class.title', { name: c.name }] } }),
        h(l, 'span', { class: 'badge', l10n: { text: ['class.students', { count: students, rooms }] } }),
        h(l, 'span', { class: 'spacer' }),
        h(l, 'label', {}, [h(l, 'span', { l10n: { text: 'class.mode' } }), data(' '), mode]),
        sizeLabel,
        apply,
      ]),
      h(l, 'p', { class: 'hint', l10n: { text: ['class.help', { name: c.name }] } }),
      list,
    ]);
  }

  #room(r: RoomView): HTMLElement {
    const l = this.l;
    const lock = h(l, 'button', {
      class: 'btn small',
      attrs: { type: 'button' },
      l10n: { text: r.locked ? 'room.unlock' : 'room.lock' },
      on: { click: () => void this.#lock(r.name, !r.locked) },
    });
    const header = h(l, 'header', {}, [
      h(l, 'h3', {}, [data(r.name)]),
      h(l, 'span', { class: 'badge', l10n: { text: ['room.occupancy', { count: r.peers.length, capacity: r.capacity }] } }),
      r.locked ? h(l, 'span', { class: 'badge locked', l10n: { text: 'room.locked' } }) : null,
      h(l, 'span', { class: 'spacer' }),
      h(l, 'button', { class: 'btn small', attrs: { type: 'button' }, l10n: { text: 'room.open' }, on: { click: () => void this.#open(r.name) } }),
      h(l, 'button', { class: 'btn small', attrs: { type: 'button' }, l10n: { text: 'room.chat' }, on: { click: () => this.#chat(r.name) } }),
      lock,
      h(l, 'button', { class: 'btn small danger', attrs: { type: 'button' }, l10n: { text: 'room.close' }, on: { click: () => void this.#close(r.name) } }),
    ]);
    return h(l, 'article', { class: `room${r.locked ? ' is-locked' : ''}`, attrs: { 'data-room': r.name } }, [header, this.#table(r.peers, true)]);
  }

  #table(peers: PeerView[], inRoom: boolean): HTMLElement {
    const l = this.l;
    const head = h(l, 'tr', {}, [
      h(l, 'th', { l10n: { text: 'peer.name' } }),
      h(l, 'th', { l10n: { text: 'peer.device' } }),
      h(l, 'th', { l10n: { text: 'peer.address' } }),
      h(l, 'th', { l10n: { text: 'peer.transport' } }),
      h(l, 'th', { l10n: { text: 'peer.route' } }),
      h(l, 'th', { l10n: { text: 'peer.connectedFor' } }),
      h(l, 'th', { l10n: { text: 'peer.state' } }),
      h(l, 'th', {}),
    ]);
    const rows = peers.map((p) =>
      h(l, 'tr', { attrs: { 'data-peer': p.id } }, [
        h(l, 'td', { class: 'name' }, [
          data(p.name),
          p.chatOnly ? data(' ') : null,
          p.chatOnly ? h(l, 'span', { class: 'badge chat-only', l10n: { text: 'peer.chatOnly', title: 'peer.chatOnlyHelp' } }) : null,
        ]),
        h(l, 'td', { l10n: { text: deviceMsg(p.device), title: ['peer.userAgent', { ua: p.userAgent || '-' }] } }),
        h(l, 'td', { class: 'mono' }, [data(p.address)]),
        h(l, 'td', { l10n: { text: transportMsg(p.transport) } }),
        p.route
          ? h(l, 'td', { attrs: { 'data-route': p.route } }, [
              h(l, 'span', { class: `badge route-${p.route}`, l10n: { text: p.route === 'relayed' ? 'peer.relayed' : 'peer.direct', title: p.route === 'relayed' ? 'peer.relayedHelp' : 'peer.directHelp' } }),
            ])
          : h(l, 'td', {}),
        h(l, 'td', { attrs: { 'data-since': p.connectedAt } }),
        h(l, 'td', {
          class: p.away ? 'away' : p.pending > 0 ? 'slow' : 'ok',
          l10n: { text: p.away ? 'peer.away' : p.pending > 0 ? ['peer.pending', { count: p.pending }] : 'peer.ok' },
        }),
        h(l, 'td', { class: 'row-actions' }, [
          h(l, 'button', { class: 'btn small danger', attrs: { type: 'button' }, l10n: { text: 'peer.kick' }, on: { click: () => void this.#kick(p, inRoom) } }),
        ]),
      ]),
    );
    return h(l, 'table', { class: 'peers' }, [h(l, 'thead', {}, [head]), h(l, 'tbody', {}, rows)]);
  }

  async #run(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (err) {
      const { code, detail } = errorCode(err);
      this.toast.show(codeMsg(code), 'error', detail);
    }
  }

  async #kick(p: PeerView, inRoom: boolean): Promise<void> {
    const body = inRoom ? (['confirm.kickBody', { name: p.name, room: p.room ?? '' }] as const) : (['confirm.kickLobbyBody', { name: p.name }] as const);
    if (await this.confirm.ask(['confirm.kickTitle', { name: p.name }], body, 'peer.kick')) await this.#run(() => this.b.app.Kick(p.id));
  }

  async #lock(room: string, locked: boolean): Promise<void> {
    const ok = locked
      ? await this.confirm.ask(['confirm.lockTitle', { room }], 'confirm.lockBody', 'room.lock')
      : await this.confirm.ask(['confirm.unlockTitle', { room }], 'confirm.unlockBody', 'room.unlock');
    if (ok) await this.#run(() => this.b.app.LockRoom(room, locked));
  }

  async #close(room: string): Promise<void> {
    if (await this.confirm.ask(['confirm.closeTitle', { room }], 'confirm.closeBody', 'room.close')) await this.#run(() => this.b.app.CloseRoom(room));
  }

  async #open(room: string): Promise<void> {
    const name = room.trim();
    if (!name) {
      this.toast.show('joinHere.roomEmpty', 'error');
      this.#roomInput.focus();
      return;
    }
    await this.#run(() => this.b.app.OpenRoom(name));
  }

  #chat(room: string): void {
    const name = room.trim();
    if (!name) {
      this.toast.show('joinHere.roomEmpty', 'error');
      this.#roomInput.focus();
      return;
    }
    this.actions.chat(name, this.#nameInput.value.trim());
  }
}
