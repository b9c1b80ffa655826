// One RTCPeerConnection to one remote peer, negotiated with the
// perfect-negotiation pattern (W3C WebRTC 1.0, §10.7): either side may
// offer at any time; when both do at once, the polite side yields.

import { keepDtlsRole, newConnId, settledDtlsRole } from './negotiation';
import type { SignalData } from './protocol';
import { reportEntries, summarize, type ConnStats, type StatsEntry } from './stats';
import { parseCandidate, type LocalEvent } from './teaching';
import { MAX_UPGRADES, type RouteReading, type Signalled } from './upgrade';

/** DISCONNECTED_RESTART_MS is how long a connection may stay "disconnected" before the impolite side restarts ICE. */
export const DISCONNECTED_RESTART_MS = 4000;

type Kind = 'audio' | 'video';

/** PeerLinkOptions configure a PeerLink. */
export interface PeerLinkOptions {
  remoteId: string;
  iceServers: RTCIceServer[];
  polite: boolean;
  /** initiator: this side makes the first offer (it joined after the other). */
  initiator: boolean;
  /** remotePc is the other side's connection id when the link answers its offer. */
  remotePc: string | null;
  outgoing(kind: Kind): MediaStreamTrack | null;
  localStream: MediaStream;
  send(data: SignalData): void;
  onChange(): void;
  onLocal(e: LocalEvent): void;
  peerName(): string;
}

/** PeerLink is one negotiated connection. */
export class PeerLink {
  readonly localPc = newConnId();
  remotePc: string | null;
  readonly pc: RTCPeerConnection;
  readonly remoteStream = new MediaStream();
  stats: ConnStats | null = null;
  /** signalled is what the candidates exchanged say about relays (upgrade.ts). */
  readonly signalled = { remoteRelays: new Set<string>(), remoteDirect: new Set<string>(), relayAddresses: new Set<string>() } satisfies Signalled;
  #makingOffer = false;
  #ignoreOffer = false;
  #settingRemoteAnswer = false;
  #chain: Promise<void> = Promise.resolve();
  #disconnectedTimer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  constructor(private readonly o: PeerLinkOptions) {
    this.remotePc = o.remotePc;
    this.pc = new RTCPeerConnection({ iceServers: o.iceServers });
    this.pc.onnegotiationneeded = () => void this.#offer();
    this.pc.onicecandidate = ({ candidate }) => {
      if (!candidate || !candidate.candidate) return;
      const c = parseCandidate(candidate.candidate);
      if (c?.type === 'relay') this.signalled.relayAddresses.add(c.address);
      this.#send({ candidate: candidate.toJSON() });
    };
    this.pc.ontrack = ({ track }) => {
      if (!this.remoteStream.getTracks().includes(track)) this.remoteStream.addTrack(track);
      track.addEventListener('unmute', () => o.onChange());
      o.onChange();
    };
    this.pc.onconnectionstatechange = () => this.#stateChanged();
    this.pc.oniceconnectionstatechange = () => o.onChange();
    this.pc.onsignalingstatechange = () => o.onChange();
    if (o.initiator) {
      for (const kind of ['audio', 'video'] as const) {
        const track = o.outgoing(kind);
        this.pc.addTransceiver(track ?? kind, {
          direction: track ? 'sendrecv' : 'recvonly',
          streams: [o.localStream],
        });
      }
    }
  }

  /** polite says whether this side yields in an offer collision. */
  get polite(): boolean {
    return this.o.polite;
  }

  /** handle applies one signal from the remote peer, in arrival order. */
  handle(data: SignalData): Promise<void> {
    const c = data.candidate ? parseCandidate(data.candidate.candidate ?? '') : null;
    if (c?.type === 'relay') this.signalled.remoteRelays.add(`${c.address}:${c.port}`);
    else if (c?.type === 'host' || c?.type === 'srflx') this.signalled.remoteDirect.add(`${c.address}:${c.port}`);
    this.#chain = this.#chain.then(() => this.#apply(data)).catch((err: unknown) => {
      console.warn('signalbox: negotiation step failed', err);
    });
    return this.#chain;
  }

  async #apply(data: SignalData): Promise<void> {
    if (this.#closed) return;
    if (this.remotePc === null) this.remotePc = data.pc;
    const pc = this.pc;
    const d = data.description;
    if (d) {
      const readyForOffer = !this.#makingOffer && (pc.signalingState === 'stable' || this.#settingRemoteAnswer);
      const collision = d.type === 'offer' && !readyForOffer;
      this.#ignoreOffer = !this.o.polite && collision;
      if (this.#ignoreOffer) {
        this.o.onLocal({ event: 'ignored-offer', peer: this.o.peerName() });
        return;
      }
      if (collision) this.o.onLocal({ event: 'rolled-back', peer: this.o.peerName() });
      this.#settingRemoteAnswer = d.type === 'answer';
      // An answer must keep the DTLS roles of the first negotiation (see keepDtlsRole).
      const remote = d.type === 'answer' ? keepDtlsRole(d, settledDtlsRole(pc.currentLocalDescription, pc.currentRemoteDescription)) : d;
      if (remote !== d) this.o.onLocal({ event: 'dtls-role-kept', peer: this.o.peerName() });
      try {
        await pc.setRemoteDescription(remote); // rolls back our own offer on a collision (polite side)
      } finally {
        this.#settingRemoteAnswer = false;
      }
      if (d.type === 'offer') {
        await this.#attachLocal();
        await pc.setLocalDescription();
        this.#send({ description: pc.localDescription!.toJSON() as RTCSessionDescriptionInit });
      }
      return;
    }
    if (data.candidate) {
      try {
        await pc.addIceCandidate(data.candidate);
      } catch (err) {
        if (!this.#ignoreOffer) throw err; // candidates of an offer we ignored are expected to fail
      }
    }
  }

  async #offer(): Promise<void> {
    if (this.#closed) return;
    try {
      this.#makingOffer = true;
      await this.pc.setLocalDescription();
      this.#send({ description: this.pc.localDescription!.toJSON() as RTCSessionDescriptionInit });
    } catch (err) {
      console.warn('signalbox: could not make an offer', err);
    } finally {
      this.#makingOffer = false;
    }
  }

  /** #attachLocal puts our tracks on the transceivers an offer created. */
  async #attachLocal(): Promise<void> {
    for (const kind of ['audio', 'video'] as const) {
      const t = this.#transceiver(kind);
      if (!t) continue;
      const track = this.o.outgoing(kind);
      if (t.sender.track !== track) await t.sender.replaceTrack(track);
      if (track) t.sender.setStreams?.(this.o.localStream);
      t.direction = track ? 'sendrecv' : 'recvonly';
    }
  }

  #transceiver(kind: Kind): RTCRtpTransceiver | undefined {
    return this.pc.getTransceivers().find((t) => t.currentDirection !== 'stopped' && t.receiver.track.kind === kind);
  }

  /** setOutgoing sends another track of kind (device switch, screen sharing), renegotiating only when the direction changes. */
  async setOutgoing(kind: Kind, track: MediaStreamTrack | null): Promise<void> {
    const t = this.#transceiver(kind);
    if (!t || this.#closed) return;
    if (t.sender.track !== track) await t.sender.replaceTrack(track);
    if (track) t.sender.setStreams?.(this.o.localStream);
    const direction = track ? 'sendrecv' : 'recvonly';
    if (t.direction !== direction && t.direction !== 'inactive' && t.direction !== 'stopped') t.direction = direction;
  }

  /** restartIce asks for new ICE candidates, after a failure or a lost signalling history. */
  restartIce(): void {
    if (this.#closed) return;
    this.o.onLocal({ event: 'ice-restart', peer: this.o.peerName() });
    this.pc.restartIce();
  }

  /**
   * upgradeRoute restarts ICE to move the call off the relay onto a direct
   * path that works (upgrade.ts): route is what this side saw, or null when
   * the partner asked; n counts the upgrades of this path. It says so in the
   * teaching log and the page's console.
   */
  upgradeRoute(route: RouteReading | null, n: number): void {
    if (this.#closed) return;
    const peer = this.o.peerName();
    const why = route ? `the call goes through the relay (${route.selected}) while a direct pair works (${route.direct})` : `${peer} asked: its side of the call goes through the relay`;
    console.info(`signalbox: route upgrade with ${peer}: ${why}; restarting ICE (${n} of ${MAX_UPGRADES})`);
    this.o.onLocal({ event: 'route-upgrade', peer, via: route?.selected ?? '', direct: route?.direct ?? '' });
    this.pc.restartIce();
  }

  /** askUpgrade asks the partner to restart ICE and make the offer (upgrade.ts: the last answerer restarts); n counts the upgrades of this path. */
  askUpgrade(route: RouteReading, n: number): void {
    if (this.#closed) return;
    const peer = this.o.peerName();
    console.info(
      `signalbox: route upgrade with ${peer}: the call goes through the relay (${route.selected}) while a direct pair works (${route.direct}); asking ${peer} to restart ICE (${n} of ${MAX_UPGRADES})`,
    );
    this.o.onLocal({ event: 'route-upgrade-asked', peer, via: route.selected ?? '', direct: route.direct ?? '' });
    this.#send({ restart: 'route' });
  }

  /** sample reads getStats() into this.stats. */
  async sample(): Promise<ConnStats | null> {
    if (this.#closed) return null;
    const report = await this.pc.getStats();
    this.stats = summarize(reportEntries(report), this.stats, performance.now());
    return this.stats;
  }

  /** report reads getStats() as entries (for liveness.ts and upgrade.ts), or null once closed. */
  async report(): Promise<StatsEntry[] | null> {
    if (this.#closed) return null;
    return reportEntries(await this.pc.getStats());
  }

  /** close ends the connection. */
  close(): void {
    this.#closed = true;
    if (this.#disconnectedTimer !== null) clearTimeout(this.#disconnectedTimer);
    this.pc.onnegotiationneeded = null;
    this.pc.onicecandidate = null;
    this.pc.ontrack = null;
    this.pc.onconnectionstatechange = null;
    this.pc.oniceconnectionstatechange = null;
    this.pc.onsignalingstatechange = null;
    this.pc.close();
  }

  #stateChanged(): void {
    const state = this.pc.connectionState;
    this.o.onLocal({ event: 'state', peer: this.o.peerName(), state });
    if (this.#disconnectedTimer !== null) {
      clearTimeout(this.#disconnectedTimer);
      this.#disconnectedTimer = null;
    }
    if (state === 'failed') {
      this.restartIce();
    } else if (state === 'disconnected' && !this.o.polite) {
      // Often recovers on its own (a Wi-Fi hiccup); if not, the impolite side restarts.
      this.#disconnectedTimer = setTimeout(() => {
        this.#disconnectedTimer = null;
        if (this.pc.connectionState === 'disconnected') this.restartIce();
      }, DISCONNECTED_RESTART_MS);
    }
    this.o.onChange();
  }

  #send(body: Omit<SignalData, 'pc' | 'toPc'>): void {
    if (this.#closed) return;
    const data: SignalData = { pc: this.localPc, ...body };
    if (this.remotePc !== null) data.toPc = this.remotePc;
    this.o.send(data);
  }
}
