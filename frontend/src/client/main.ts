/// <reference types="vite/client" />
// The browser client's entry point: the page shell (header, language
// switcher), the router between the lobby and a call, and the debugging
// hook the end-to-end tests and the teaching view use.

import { clientCatalogue } from '../i18n/client';
import { detectLocale, type Locale, Translator } from '../i18n/core';
import { Call } from './call';
import { h, Localizer, setUserText } from './dom';
import { LocalMedia } from './media';
import { parseRoute, roomPath } from './route';
import { SeatBook, type KeyValueStore } from './seat';
import { reportEntries } from './stats';
import { CallView } from './views/call-view';
import { endedView } from './views/ended';
import { Lobby } from './views/lobby';
import { NameGate } from './views/name-gate';
import { statusMsg } from './views/status';
import '../base.css';
import './style.css';

/** MEDIA_WAIT_MS bounds how long joining waits for the camera permission prompt before joining without. */
const MEDIA_WAIT_MS = 10_000;
const NAME_KEY = 'signalbox.name';

function storage(kind: 'localStorage' | 'sessionStorage'): KeyValueStore | null {
  try {
    return window[kind];
  } catch {
    return null; // storage disabled
  }
}

/** wsURL is the signalling endpoint on this page's own server. */
function wsURL(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}

class App {
  readonly l: Localizer;
  readonly media: LocalMedia;
  readonly seats = new SeatBook(storage('sessionStorage'));
  readonly local = storage('localStorage');
  readonly webrtc = typeof RTCPeerConnection === 'function';
  call: Call | null = null;
  #view: { el: HTMLElement; dispose(): void } | null = null;
  #main: HTMLElement;
  #roomTitle: HTMLElement;
  #status: HTMLElement;
  #langButtons: Record<Locale, HTMLButtonElement>;
  #callView: CallView | null = null;
  /** #confirmed is the room whose name the lobby just confirmed: its link needs no name gate. */
  #confirmed: string | null = null;

  constructor(root: HTMLElement) {
    this.l = new Localizer(new Translator(clientCatalogue, detectLocale()));
    this.media = new LocalMedia({ secure: window.isSecureContext, devices: navigator.mediaDevices, store: this.local });
    const l = this.l;
    this.#langButtons = {
      en: h(l, 'button', { class: 'button lang', attrs: { type: 'button', lang: 'en' }, l10n: { text: 'lang.en' } }),
      'zh-CN': h(l, 'button', { class: 'button lang', attrs: { type: 'button', lang: 'zh-CN' }, l10n: { text: 'lang.zh' } }),
    };
    for (const [loc, b] of Object.entries(this.#langButtons) as [Locale, HTMLButtonElement][]) {
      b.addEventListener('click', () => l.tr.setLocale(loc));
    }
    const brand = h(l, 'a', { class: 'brand', attrs: { href: '/' }, l10n: { text: 'app.name' } });
    brand.addEventListener('click', (ev) => {
      ev.preventDefault();
      this.go('/');
    });
    this.#roomTitle = h(l, 'span', { class: 'room-title' });
    this.#status = h(l, 'span', { class: 'status', attrs: { role: 'status' } });
    this.#main = h(l, 'main', { id: 'main' });
    const header = h(l, 'header', { class: 'bar' }, [
      brand,
      this.#roomTitle,
      this.#status,
      h(l, 'div', { class: 'langs', attrs: { role: 'group' }, l10n: { 'aria-label': 'lang.label' } }, Object.values(this.#langButtons)),
    ]);
    root.replaceChildren(header, this.#main);
    l.tr.onChange(() => this.#localeChanged());
    this.#localeChanged();
    window.addEventListener('popstate', () => this.route());
    window.addEventListener('online', () => this.call?.client.networkBack());
  }

  /** go navigates within the page. */
  go(path: string): void {
    if (location.pathname !== path) history.pushState(null, '', path);
    this.route();
  }

  /** route shows what the location asks for. */
  route(): void {
    const r = parseRoute(location.pathname);
    if (r.view === 'room' && this.call && !this.call.ended && this.call.room === r.room) return;
    this.#stopCall();
    if (r.view === 'lobby') this.#lobby();
    else if (this.#confirmed === r.room || this.seats.seatFor(r.room)) void this.#join(r.room);
    else this.#gate(r.room);
  }

  #show(view: { el: HTMLElement; dispose(): void }): void {
    this.#view?.dispose();
    this.#view = view;
    this.#main.replaceChildren(view.el);
  }

  #lobby(): void {
    setUserText(this.#roomTitle, '');
    this.l.set(this.#status, { text: 'status.lobby' });
    const lobby = new Lobby(this.l, {
      media: this.media,
      webrtc: this.webrtc,
      name: this.#name(),
      room: '',
      join: (room, name) => {
        this.#saveName(name);
        this.#confirmed = room;
        this.go(roomPath(room));
      },
    });
    this.#show({ el: lobby.el, dispose: () => lobby.stop() });
    lobby.start();
    void this.media.start();
    this.#title();
  }

  /** #gate asks for the name before joining room from its link. */
  #gate(room: string): void {
    setUserText(this.#roomTitle, room);
    this.l.set(this.#status, { text: 'status.lobby' });
    const gate = new NameGate(this.l, room, this.#name(), (name) => {
      this.#saveName(name);
      this.#confirmed = room;
      this.route();
    });
    this.#show({ el: gate.el, dispose: () => {} });
    queueMicrotask(() => gate.focus());
    this.#title();
  }

  async #join(room: string): Promise<void> {
    this.#confirmed = null;
    setUserText(this.#roomTitle, room);
    this.l.set(this.#status, { text: 'status.connecting' });
    // Every room link is a class address: a full room seats the page in the
    // class's next room (docs/protocol.md, Class addresses).
    const call = new Call({ room, name: this.#name(), url: wsURL(), seats: this.seats, media: this.media, webrtc: this.webrtc, overflow: true });
    this.call = call;
    const view = new CallView(this.l, call);
    this.#callView = view;
    this.#show({ el: view.el, dispose: () => view.dispose() });
    this.#title();
    call.on('status', (s) => this.l.set(this.#status, { text: statusMsg(s) }));
    call.on('self', () => {
      setUserText(this.#roomTitle, call.room);
      if (call.self?.name) this.#saveName(call.self.name); // a rename is remembered too
    });
    call.on('end', (reason) => {
      if (this.call !== call) return;
      this.l.set(this.#status, { text: 'status.ended' });
      this.media.stop(); // the camera light goes off; joining again asks anew
      const capacity = call.capacity || call.client.welcome?.limits.roomCapacity || 0;
      const el = endedView(this.l, call.room, reason, capacity, {
        rejoin: () => {
          this.call = null;
          this.route();
        },
        lobby: () => this.go('/'),
      });
      this.#callView = null;
      this.#show({ el, dispose: () => {} });
    });
    await Promise.race([this.media.start(), new Promise((r) => setTimeout(r, MEDIA_WAIT_MS))]);
    if (this.call === call) call.start();
  }

  #stopCall(): void {
    const call = this.call;
    this.call = null;
    this.#callView = null;
    if (call && !call.ended) call.leave();
  }

  #name(): string {
    try {
      return this.local?.getItem(NAME_KEY) ?? '';
    } catch {
      return '';
    }
  }

  #saveName(name: string): void {
    try {
      if (name) this.local?.setItem(NAME_KEY, name);
      else this.local?.removeItem(NAME_KEY);
    } catch {
      // not remembered
    }
  }

  #title(): void {
    const r = parseRoute(location.pathname);
    document.title = r.view === 'room' ? this.l.t(['title.room', { room: r.room }]) : this.l.t('title.lobby');
  }

  #localeChanged(): void {
    const loc = this.l.locale;
    document.documentElement.lang = loc;
    for (const [k, b] of Object.entries(this.#langButtons)) b.setAttribute('aria-pressed', String(k === loc));
    this.l.refresh();
    this.#callView?.teaching.refresh();
    this.#title();
  }

  /** inboundVideo reads, per remote peer in the call, how many video frames were decoded (for tests and the curious). */
  async inboundVideo(): Promise<{ id: string; name: string; framesDecoded: number }[]> {
    const call = this.call;
    if (!call) return [];
    const out: { id: string; name: string; framesDecoded: number }[] = [];
    for (const p of call.peers.values()) {
      if (p.info.chatOnly) continue; // no call, no video
      let frames = 0;
      if (p.link) {
        for (const e of reportEntries(await p.link.pc.getStats())) {
          if (e.type === 'inbound-rtp' && e.kind === 'video' && typeof e.framesDecoded === 'number') frames += e.framesDecoded;
        }
      }
      out.push({ id: p.info.id, name: p.info.name, framesDecoded: frames });
    }
    return out;
  }
}

declare global {
  interface Window {
    /** __signalbox lets tests (and curious students, from the console) look inside the page. */
    __signalbox?: {
      dropSocket(): void;
      /** state: peers are every other peer's id; chatOnly those in the room for chat only; links those with an RTCPeerConnection; routeUpgrades the ICE restarts made to leave the relay for a direct path (upgrade.ts). */
      state(): { phase: string; self: string | null; room: string | null; peers: string[]; chatOnly: string[]; links: string[]; ended: string | null; routeUpgrades: number };
      inboundVideo(): Promise<{ id: string; name: string; framesDecoded: number }[]>;
    };
  }
}

const app = new App(document.getElementById('app')!);
window.__signalbox = {
  dropSocket: () => app.call?.dropSocket(),
  state: () => {
    const c = app.call;
    return {
      phase: c?.client.status.phase ?? 'lobby',
      self: c?.self?.id ?? null,
      room: c?.room ?? null,
      peers: c ? [...c.peers.keys()] : [],
      chatOnly: c ? c.chatOnlyPeers().map((p) => p.info.id) : [],
      links: c ? [...c.peers.values()].filter((p) => p.link !== null).map((p) => p.info.id) : [],
      ended: c?.ended ? (c.ended.kind === 'refused' ? c.ended.code : c.ended.kind) : null,
      routeUpgrades: c?.routeUpgrades ?? 0,
    };
  },
  inboundVideo: () => app.inboundVideo(),
};
app.route();
