// The call: the signalling connection, this page's media and one PeerLink
// per remote peer, tied together. Views subscribe to its events and call
// its methods; it knows nothing about the DOM.

import { MediaWatch, receivedBytes, WATCH_MS } from './liveness';
import type { LocalMedia } from './media';
import { isPolite, routeSignal } from './negotiation';
import { PeerLink } from './peer';
import {
  asBroadcastData,
  asSignalData,
  type ClientRequest,
  type JoinedFrame,
  type MediaState,
  type PeerInfo,
  type RelayFrame,
  type ServerFrame,
  type SignalData,
  type WelcomeFrame,
} from './protocol';
import type { SeatBook } from './seat';
import { SignalingClient, type EndReason, type SocketLike, type Status } from './signaling';
import type { LocalEvent, LogEntry } from './teaching';
import { readRoute, RouteWatch } from './upgrade';

/** LOG_MAX bounds the teaching log kept in memory. */
export const LOG_MAX = 400;
/** CHAT_MAX bounds the chat lines kept. */
export const CHAT_MAX = 500;
/** CHAT_TEXT_MAX bounds one chat line, in characters: well under the server's frame limit. */
export const CHAT_TEXT_MAX = 2000;
/** STATS_MS is how often getStats() is read while someone looks at the figures. */
export const STATS_MS = 1000;

/** RemotePeer is another peer of the room as the page knows it. */
export interface RemotePeer {
  info: PeerInfo;
  link: PeerLink | null;
  media: MediaState | null;
  /** away: the server says its connection dropped and its seat waits for it (peer-away). */
  away: boolean;
  /** stalled: its media stopped arriving on our call with it (liveness.ts), whatever the server knows yet. */
  stalled: boolean;
}

/**
 * reconnecting says whether the page shows p as reconnecting: the server
 * says its seat waits for it, or its media stopped arriving. Either way it
 * has not left.
 */
export function reconnecting(p: RemotePeer): boolean {
  return p.away || p.stalled;
}

/**
 * Presence is news about another peer for the page to say aloud: it lost
 * its connection (away: the server noticed, or its media stopped
 * arriving), came back, left (its seat expired, or it left), or took a new
 * name (renamed; was is the old name).
 */
export interface Presence {
  kind: 'away' | 'back' | 'left' | 'renamed';
  id: string;
  name: string;
  was?: string;
  at: number;
}

/** ChatLine is one chat message. */
export interface ChatLine {
  at: number;
  name: string;
  text: string;
  self: boolean;
  /** notice marks a line the page wrote about someone ("Ana left"), not a message; text is then the old name of a rename. */
  notice?: 'left' | 'renamed';
}

/** CallEvents are what views listen to. */
export interface CallEvents {
  peers: void;
  media: void;
  chat: ChatLine;
  log: LogEntry;
  status: Status;
  stats: void;
  end: EndReason;
  self: void;
  presence: Presence;
}

/** CallOptions configure a Call. */
export interface CallOptions {
  room: string;
  name: string;
  url: string;
  seats: SeatBook;
  media: LocalMedia;
  webrtc: boolean;
  /** overflow joins room as a class address (docs/protocol.md, Class addresses). */
  overflow?: boolean;
  connect?: (url: string) => SocketLike;
}

/** Call is one page's presence in one room. */
export class Call {
  readonly peers = new Map<string, RemotePeer>();
  readonly chat: ChatLine[] = [];
  readonly log: LogEntry[] = [];
  self: PeerInfo | null = null;
  room: string;
  capacity = 0;
  serverName = '';
  ended: EndReason | null = null;
  readonly client: SignalingClient;
  #iceServers: RTCIceServer[] = [];
  #listeners = new Map<keyof CallEvents, Set<(v: never) => void>>();
  #statsTimer: ReturnType<typeof setInterval> | null = null;
  /** #watchTimer reads every call's received bytes each WATCH_MS once there is a call. */
  #watchTimer: ReturnType<typeof setInterval> | null = null;
  #watching = false;
  #watches = new Map<string, MediaWatch>();
  #routes = new Map<string, RouteWatch>();
  /** routeUpgrades counts the ICE restarts made to move a call off the relay onto a direct path (upgrade.ts). */
  routeUpgrades = 0;
  #unmedia: () => void;
  #lastMedia = '';

  constructor(private readonly o: CallOptions) {
    this.room = o.room;
    this.client = new SignalingClient({
      url: o.url,
      room: o.room,
      name: o.name,
      // A browser that cannot call says so, so the others do not try.
      chatOnly: !o.webrtc,
      overflow: o.overflow,
      seats: o.seats,
      connect: o.connect,
      onFrame: (f) => this.#frame(f),
      onSent: (req) => this.#sent(req),
      onStatus: (s) => {
        if (s.phase === 'reconnecting' && s.attempt === 0) this.#local({ event: 'socket-lost' });
        this.#emit('status', s);
      },
      onWelcome: (f) => this.#welcome(f),
      onEnd: (r) => this.#end(r),
    });
    this.#unmedia = o.media.onChange(() => this.#mediaChanged());
  }

  /** on subscribes to an event; it returns the unsubscribe function. */
  on<K extends keyof CallEvents>(event: K, fn: (v: CallEvents[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(fn as (v: never) => void);
    return () => set.delete(fn as (v: never) => void);
  }

  #emit<K extends keyof CallEvents>(event: K, v: CallEvents[K]): void {
    for (const fn of this.#listeners.get(event) ?? []) (fn as (v: CallEvents[K]) => void)(v);
  }

  /** media is this page's own media. */
  get media(): LocalMedia {
    return this.o.media;
  }

  /** webrtc says whether this browser can make calls at all. */
  get webrtc(): boolean {
    return this.o.webrtc;
  }

  /** chatOnlyPeers are the peers in the room for chat only, with whom there is no call. */
  chatOnlyPeers(): RemotePeer[] {
    return [...this.peers.values()].filter((p) => p.info.chatOnly === true);
  }

  /** start connects and joins (or resumes). */
  start(): void {
    this.client.start();
  }

  /** leave leaves the room for good. */
  leave(): void {
    this.client.leave();
  }

  /** dropSocket cuts the signalling socket as a network drop would; the call resumes. */
  dropSocket(): void {
    this.#local({ event: 'socket-dropped' });
    this.client.dropSocket();
  }

  /** rename asks for a new display name; the page shows it once the server confirms (peer-renamed). */
  rename(name: string): void {
    const n = name.trim();
    if (n) this.client.rename(n);
  }

  /** sendChat sends a chat line to the room. */
  sendChat(text: string): void {
    const t = text.trim().slice(0, CHAT_TEXT_MAX);
    if (!t) return;
    this.client.send({ type: 'broadcast', data: { chat: t } });
    this.#addChat({ at: Date.now(), name: this.self?.name ?? '', text: t, self: true });
  }

  /** setStatsPolling reads getStats() every STATS_MS while on. */
  setStatsPolling(on: boolean): void {
    if (on && this.#statsTimer === null) {
      this.#statsTimer = setInterval(() => void this.sampleStats(), STATS_MS);
      void this.sampleStats();
    } else if (!on && this.#statsTimer !== null) {
      clearInterval(this.#statsTimer);
      this.#statsTimer = null;
    }
  }

  /** sampleStats reads every connection's figures once. */
  async sampleStats(): Promise<void> {
    await Promise.all([...this.peers.values()].map((p) => p.link?.sample().catch(() => null)));
    this.#emit('stats', undefined);
  }

  /** mediaState is what this page tells the others about its media. */
  mediaState(): MediaState {
    const m = this.o.media;
    return { mic: m.micOn && m.audio !== null, cam: (m.camOn && m.camera !== null) || m.screen !== null, screen: m.screen !== null };
  }

  #welcome(f: WelcomeFrame): void {
    this.#iceServers = Array.isArray(f.iceServers) ? f.iceServers : [];
    this.serverName = f.server.name;
    this.#record({ dir: 'in', at: Date.now(), frame: f, peer: '' });
  }

  #sent(req: ClientRequest): void {
    const peer = req.type === 'signal' ? (this.peers.get(req.to)?.info.name ?? req.to) : '';
    this.#record({ dir: 'out', at: Date.now(), req, peer });
  }

  #frame(f: ServerFrame): void {
    const peer = f.type === 'signal' ? (this.peers.get(f.from)?.info.name ?? f.name) : '';
    this.#record({ dir: 'in', at: Date.now(), frame: f, peer });
    switch (f.type) {
      case 'joined':
        this.#joined(f, true);
        break;
      case 'resumed':
        this.#joined(f, false);
        break;
      case 'peer-joined':
        this.#known(f.peer);
        this.#emit('peers', undefined);
        this.#announceMedia(true);
        break;
      case 'peer-left':
        // When Signalbox itself stops, the others have not left: the calls
        // go on browser to browser, so keep them until the page joins again.
        if (f.reason !== 'shutdown' && this.peers.has(f.peer.id)) {
          this.#remove(f.peer.id);
          this.#presence('left', f.peer.id, f.peer.name);
          this.#addChat({ at: Date.now(), name: f.peer.name, text: '', self: false, notice: 'left' });
        }
        break;
      case 'peer-away':
      case 'peer-back': {
        const p = this.peers.get(f.peer.id);
        if (p) this.#reconnecting(p, () => (p.away = f.type === 'peer-away'));
        break;
      }
      case 'peer-renamed':
        this.#renamed(f.peer);
        break;
      case 'signal':
        this.#signal(f);
        break;
      case 'broadcast':
        this.#broadcast(f);
        break;
    }
  }

  #renamed(info: PeerInfo): void {
    if (this.self?.id === info.id) {
      this.self = { ...this.self, name: info.name };
      this.#emit('self', undefined);
      return;
    }
    const p = this.peers.get(info.id);
    if (!p || p.info.name === info.name) return;
    const was = p.info.name;
    p.info = { ...p.info, name: info.name };
    this.#emit('peers', undefined);
    this.#presence('renamed', info.id, info.name, was);
    this.#addChat({ at: Date.now(), name: info.name, text: was, self: false, notice: 'renamed' });
  }

  /**
   * #reconnecting applies change to p and says "reconnecting" or "back"
   * when that changes what the page shows (reconnecting(p)): the server's
   * peer-away and the call's own liveness watch each say it once, whichever
   * notices first, and "back" waits for both.
   */
  #reconnecting(p: RemotePeer, change: () => void): void {
    const before = reconnecting(p);
    change();
    const now = reconnecting(p);
    this.#emit('peers', undefined);
    if (now !== before) this.#presence(now ? 'away' : 'back', p.info.id, p.info.name);
  }

  /**
   * #watchMedia reads each call's getStats() once and feeds its MediaWatch
   * (liveness.ts: has the partner's media stalled?) and its RouteWatch
   * (upgrade.ts: is the call stuck on our relay while a direct path
   * works?). One reading at a time: a slow getStats() skips a beat rather
   * than piling up.
   */
  async #watchMedia(): Promise<void> {
    if (this.#watching) return;
    this.#watching = true;
    try {
      await Promise.all(
        [...this.peers.values()].map(async (p) => {
          const link = p.link;
          if (!link) return;
          const entries = await link.report().catch(() => null);
          if (this.peers.get(p.info.id) !== p || p.link !== link || this.ended) return; // changed meanwhile
          const now = Date.now();
          const ice = link.pc.iceConnectionState;
          let w = this.#watches.get(p.info.id);
          if (!w) this.#watches.set(p.info.id, (w = new MediaWatch()));
          const expecting = p.media === null || p.media.mic || p.media.cam;
          const received = entries === null ? null : receivedBytes(entries);
          if (w.observe({ link: link.localPc, received, ice, expecting }, now)) {
            this.#local({ event: w.stalled ? 'media-stalled' : 'media-flowing', peer: p.info.name });
            this.#reconnecting(p, () => (p.stalled = w.stalled));
          }
          if (entries === null) return;
          const r = this.#routeWatch(p.info.id);
          const route = readRoute(entries, link.signalled);
          const offered = link.pc.currentLocalDescription?.type === 'offer';
          const todo = r.observe({ link: link.localPc, ice, offered, route }, now);
          if (todo === null) return;
          this.routeUpgrades++;
          if (todo === 'restart') link.upgradeRoute(route, r.upgrades);
          else link.askUpgrade(route, r.upgrades);
        }),
      );
    } finally {
      this.#watching = false;
    }
  }

  #routeWatch(id: string): RouteWatch {
    let r = this.#routes.get(id);
    if (!r) this.#routes.set(id, (r = new RouteWatch()));
    return r;
  }

  /** #upgradeAsked restarts ICE for p, whose side of the call goes through the relay, if the budget allows (upgrade.ts). */
  #upgradeAsked(p: RemotePeer, link: PeerLink): void {
    const r = this.#routeWatch(p.info.id);
    if (!r.asked()) return;
    this.routeUpgrades++;
    link.upgradeRoute(null, r.upgrades);
  }

  #presence(kind: Presence['kind'], id: string, name: string, was?: string): void {
    this.#emit('presence', { kind, id, name, was, at: Date.now() });
  }

  #joined(f: JoinedFrame, fresh: boolean): void {
    this.self = f.self;
    this.room = f.room;
    this.capacity = f.capacity;
    const present = new Set(f.peers.map((p) => p.id));
    for (const id of [...this.peers.keys()]) {
      if (fresh || !present.has(id)) this.#remove(id, false);
    }
    for (const info of f.peers) {
      const p = this.#known(info);
      if (info.chatOnly) continue;
      // We arrived last (or came back after a reload): we make the offer.
      if (!p.link) p.link = this.#newLink(info.id, true, null);
      // Back after a lost connection: signals may have been lost, and the
      // device may have roamed to another access point with a new address,
      // which leaves the call's candidate pair dead with no side noticing
      // for many seconds. A fresh ICE round finds the path at once.
      else if (!fresh) p.link.restartIce();
    }
    this.#emit('self', undefined);
    this.#emit('peers', undefined);
    this.#announceMedia(true);
  }

  /**
   * #known records what the server says of a peer and returns it. A peer
   * that turns out to be chat-only loses any connection it had: it will
   * never answer.
   */
  #known(info: PeerInfo): RemotePeer {
    let p = this.peers.get(info.id);
    if (!p) this.peers.set(info.id, (p = { info, link: null, media: null, away: false, stalled: false }));
    p.info = info;
    if (info.chatOnly && p.link) {
      p.link.close();
      p.link = null;
    }
    return p;
  }

  #newLink(remoteId: string, initiator: boolean, remotePc: string | null): PeerLink | null {
    if (!this.o.webrtc || !this.self || this.peers.get(remoteId)?.info.chatOnly) return null;
    const media = this.o.media;
    this.#watchTimer ??= setInterval(() => void this.#watchMedia(), WATCH_MS);
    return new PeerLink({
      remoteId,
      iceServers: this.#iceServers,
      polite: isPolite(this.self.id, remoteId),
      initiator,
      remotePc,
      outgoing: (kind) => media.outgoing(kind),
      localStream: media.stream,
      send: (data: SignalData) => this.client.send({ type: 'signal', to: remoteId, data }),
      onChange: () => this.#emit('peers', undefined),
      onLocal: (e) => this.#local(e),
      peerName: () => this.peers.get(remoteId)?.info.name ?? remoteId,
    });
  }

  #signal(f: RelayFrame): void {
    const data = asSignalData(f.data);
    if (!data || !this.o.webrtc) return;
    let p = this.peers.get(f.from);
    if (!p) {
      // A signal can overtake nothing (the server keeps order), but a peer
      // we only know from a replay may speak first: take it in.
      p = { info: { id: f.from, name: f.name }, link: null, media: null, away: false, stalled: false };
      this.peers.set(f.from, p);
    }
    if (p.info.chatOnly) {
      // It said it makes no call: whatever it sends cannot be one.
      this.#local({ event: 'chat-only', peer: p.info.name });
      return;
    }
    const route = routeSignal(p.link ? { localPc: p.link.localPc, remotePc: p.link.remotePc } : null, data);
    if (data.restart !== undefined) {
      // A route upgrade request (upgrade.ts) concerns the current connection only.
      if (route === 'accept' && p.link) this.#upgradeAsked(p, p.link);
      else this.#local({ event: 'stale', peer: p.info.name });
      return;
    }
    switch (route) {
      case 'stale':
        this.#local({ event: 'stale', peer: p.info.name });
        return;
      case 'replace':
        this.#local({ event: 'replaced', peer: p.info.name });
        p.link?.close();
        p.link = this.#newLink(f.from, false, data.pc);
        break;
      case 'create':
        p.link = this.#newLink(f.from, false, data.pc);
        break;
      case 'accept':
        break;
    }
    this.#emit('peers', undefined);
    void p.link?.handle(data);
  }

  #broadcast(f: RelayFrame): void {
    const b = asBroadcastData(f.data);
    if (b.chat !== undefined) this.#addChat({ at: Date.now(), name: f.name, text: b.chat.slice(0, CHAT_TEXT_MAX), self: false });
    if (b.media) {
      const p = this.peers.get(f.from);
      if (p) {
        p.media = b.media;
        this.#emit('peers', undefined);
      }
    }
  }

  #addChat(line: ChatLine): void {
    this.chat.push(line);
    if (this.chat.length > CHAT_MAX) this.chat.shift();
    this.#emit('chat', line);
  }

  #remove(id: string, emit = true): void {
    const p = this.peers.get(id);
    if (!p) return;
    p.link?.close();
    this.peers.delete(id);
    this.#watches.delete(id);
    this.#routes.delete(id);
    if (emit) this.#emit('peers', undefined);
  }

  #mediaChanged(): void {
    for (const p of this.peers.values()) {
      if (!p.link) continue;
      void p.link.setOutgoing('audio', this.o.media.outgoing('audio'));
      void p.link.setOutgoing('video', this.o.media.outgoing('video'));
    }
    this.#announceMedia(false);
    this.#emit('media', undefined);
  }

  /** #announceMedia tells the room about our media when it changed, or always when force is set (someone new arrived). */
  #announceMedia(force: boolean): void {
    const m = this.mediaState();
    const key = JSON.stringify(m);
    if (!force && key === this.#lastMedia) return;
    this.#lastMedia = key;
    // Chat-only peers show no tiles: only peers in the call need to know.
    const callers = [...this.peers.values()].some((p) => !p.info.chatOnly);
    if (this.self && callers) this.client.send({ type: 'broadcast', data: { media: m } });
  }

  #local(e: LocalEvent): void {
    this.#record({ dir: 'local', at: Date.now(), local: e });
  }

  /** noteLocal records a page event in the teaching log. */
  noteLocal(e: LocalEvent): void {
    this.#local(e);
  }

  #record(e: LogEntry): void {
    this.log.push(e);
    if (this.log.length > LOG_MAX) this.log.shift();
    this.#emit('log', e);
  }

  #end(r: EndReason): void {
    this.ended = r;
    this.setStatsPolling(false);
    if (this.#watchTimer !== null) clearInterval(this.#watchTimer);
    this.#watchTimer = null;
    for (const id of [...this.peers.keys()]) this.#remove(id, false);
    this.#unmedia();
    this.#emit('peers', undefined);
    this.#emit('end', r);
  }
}
