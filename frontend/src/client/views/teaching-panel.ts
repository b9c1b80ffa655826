// The teaching view: the signalling messages this page sends and receives,
// in words, live; and each connection's state, route, round-trip time and
// bitrate from getStats(). It is how a teacher shows WebRTC to a class.

import type { ClientKey } from '../../i18n/client';
import type { Call, RemotePeer } from '../call';
import { h, type Localizer, setUserText, userText } from '../dom';
import type { ConnStats } from '../stats';
import { describe, type LogEntry, stateText, type Translate } from '../teaching';

/** tr adapts a Localizer to the teaching log's Translate. */
const tr = (l: Localizer): Translate => (k, p) => l.t(p ? [k, p] : k);

/** RAW_MAX bounds the raw JSON shown under an entry, in characters. */
const RAW_MAX = 4000;
/** SHOWN_MAX bounds the entries in the list. */
const SHOWN_MAX = 300;

/** TeachingPanel renders the log and the connection table. */
export class TeachingPanel {
  readonly el: HTMLElement;
  #log: HTMLOListElement;
  #conns: HTMLUListElement;
  #showCandidates: HTMLInputElement;
  #entries: { entry: LogEntry; el: HTMLLIElement }[] = [];

  constructor(private readonly l: Localizer, private readonly call: Call) {
    this.#log = h(l, 'ol', { class: 'log', attrs: { 'aria-live': 'off' } });
    this.#conns = h(l, 'ul', { class: 'conns' });
    this.#showCandidates = h(l, 'input', { id: 'show-candidates', attrs: { type: 'checkbox', checked: '' } });
    this.#showCandidates.addEventListener('change', () => this.el.classList.toggle('hide-candidates', !this.#showCandidates.checked));
    this.el = h(l, 'section', { class: 'panel-body teaching', attrs: { 'aria-labelledby': 'teach-title' } }, [
      h(l, 'h2', { id: 'teach-title', l10n: { text: 'teach.title' } }),
      h(l, 'details', { class: 'about' }, [
        h(l, 'summary', { l10n: { text: 'teach.about' } }),
        h(l, 'p', { l10n: { text: 'teach.intro' } }),
        h(l, 'p', { l10n: { text: 'teach.routeHelp' } }),
      ]),
      h(l, 'h3', { l10n: { text: 'teach.connections' } }),
      this.#conns,
      h(l, 'h3', { l10n: { text: 'teach.messages' } }),
      h(l, 'div', { class: 'log-tools' }, [
        h(l, 'label', { class: 'check' }, [this.#showCandidates, h(l, 'span', { l10n: { text: 'teach.showCandidates' } })]),
        h(l, 'button', {
          class: 'button',
          attrs: { type: 'button', 'data-action': 'drop' },
          l10n: { text: 'teach.dropSocket', title: 'teach.dropSocketHelp' },
          on: { click: () => call.dropSocket() },
        }),
        h(l, 'button', {
          class: 'button',
          attrs: { type: 'button' },
          l10n: { text: 'teach.clear' },
          on: { click: () => this.#clear() },
        }),
      ]),
      this.#log,
    ]);
    for (const e of call.log) this.#add(e);
    call.on('log', (e) => this.#add(e));
    call.on('stats', () => this.updateTable());
    call.on('peers', () => this.updateTable());
    this.updateTable();
  }

  /** refresh re-describes every entry (after a language change). */
  refresh(): void {
    for (const { entry, el } of this.#entries) this.#fill(el, entry);
    this.updateTable();
  }

  #clear(): void {
    this.#entries = [];
    this.#log.replaceChildren();
  }

  #add(entry: LogEntry): void {
    const el = h(this.l, 'li');
    this.#fill(el, entry);
    const atBottom = this.#log.scrollTop + this.#log.clientHeight >= this.#log.scrollHeight - 24;
    this.#log.append(el);
    this.#entries.push({ entry, el });
    if (this.#entries.length > SHOWN_MAX) this.#entries.shift()!.el.remove();
    if (atBottom) this.#log.scrollTop = this.#log.scrollHeight;
  }

  #fill(el: HTMLLIElement, entry: LogEntry): void {
    const d = describe((k, p) => this.l.t(p ? [k, p] : k), entry);
    el.className = `entry ${entry.dir} kind-${d.kind}`;
    const arrow = entry.dir === 'out' ? '→' : entry.dir === 'in' ? '←' : '•';
    const dirKey: ClientKey = entry.dir === 'out' ? 'teach.sent' : entry.dir === 'in' ? 'teach.received' : 'teach.local';
    const parts: Node[] = [
      h(this.l, 'time', {}, [userText(this.l.time(entry.at, true))]),
      h(this.l, 'span', { class: 'arrow', l10n: { title: dirKey, 'aria-label': dirKey } }, [userText(arrow)]),
      h(this.l, 'span', { class: 'what' }, [userText(d.text)]),
    ];
    if (entry.dir !== 'local') {
      const raw = JSON.stringify(entry.dir === 'in' ? entry.frame : entry.req, null, 1);
      parts.push(
        h(this.l, 'details', {}, [
          h(this.l, 'summary', { l10n: { text: 'teach.raw' } }),
          h(this.l, 'pre', {}, [userText(raw.length > RAW_MAX ? raw.slice(0, RAW_MAX) + '…' : raw)]),
        ]),
      );
    }
    el.replaceChildren(...parts);
  }

  /** updateTable shows each connection's figures. */
  updateTable(): void {
    const items = [...this.call.peers.values()].map((p) => this.#card(p));
    if (items.length === 0) items.push(h(this.l, 'li', { class: 'muted', l10n: { text: 'teach.noConnections' } }));
    this.#conns.replaceChildren(...items);
  }

  #card(p: RemotePeer): HTMLLIElement {
    const l = this.l;
    const name = h(l, 'strong');
    setUserText(name, p.info.name);
    const link = p.link;
    if (!link) {
      return h(l, 'li', { class: 'conn', attrs: { 'data-peer': p.info.id, 'data-state': p.info.chatOnly ? 'chat-only' : 'none' } }, [
        h(l, 'div', { class: 'conn-head' }, [name, h(l, 'span', { class: 'muted', l10n: { text: this.#why(p) } })]),
      ]);
    }
    const s = link.stats;
    const pc = link.pc;
    const row = (key: ClientKey, value: string): Node[] => [h(l, 'dt', { l10n: { text: key } }), h(l, 'dd', {}, [userText(value)])];
    return h(l, 'li', { class: 'conn', attrs: { 'data-peer': p.info.id, 'data-state': pc.connectionState } }, [
      h(l, 'div', { class: 'conn-head' }, [
        name,
        h(l, 'span', { class: 'conn-state' }, [userText(stateText(tr(l), pc.connectionState))]),
        h(l, 'small', { class: 'muted', l10n: { text: link.polite ? 'teach.polite' : 'teach.impolite' } }),
      ]),
      h(l, 'dl', {}, [
        ...row('teach.col.state', l.t(['teach.stateValue', { ice: stateText(tr(l), pc.iceConnectionState), signaling: stateText(tr(l), pc.signalingState) }])),
        ...row('teach.col.route', this.#route(s)),
        ...row('teach.col.rtt', s?.rttMs != null ? l.t(['teach.ms', { ms: Math.round(s.rttMs) }]) : '–'),
        ...row('teach.col.bitrate', this.#bitrate(s)),
        ...row('teach.col.video', s && s.frameWidth ? l.t(['teach.videoValue', { w: s.frameWidth, h: s.frameHeight ?? 0, fps: Math.round(s.fps ?? 0) }]) : '–'),
      ]),
    ]);
  }

  /** #why says why there is no connection with p. */
  #why(p: RemotePeer): ClientKey {
    if (!this.call.webrtc) return 'teach.noWebrtc';
    return p.info.chatOnly ? 'teach.chatOnly' : 'teach.noLinkYet';
  }

  #route(s: ConnStats | null): string {
    if (!s || !s.localType) return '–';
    const key: ClientKey = s.localType === 'relay' || s.remoteType === 'relay' ? 'teach.routeRelay' : s.localType === 'host' && s.remoteType === 'host' ? 'teach.routeDirect' : 'teach.routeNat';
    return this.l.t([key, { local: s.localType, remote: s.remoteType ?? '?', protocol: s.protocol ?? '' }]);
  }

  #bitrate(s: ConnStats | null): string {
    if (!s || s.inKbps === null || s.outKbps === null) return '–';
    return this.l.t(['teach.bitrateValue', { down: Math.round(s.inKbps), up: Math.round(s.outKbps) }]);
  }
}
