// The teaching view's words: each signalling message this page sends or
// receives, and each local negotiation event, described in a sentence a
// class can follow (not a JSON dump). Pure: the view stores raw entries and
// describes them again when the language changes.

import type { ClientKey } from '../i18n/client';
import { asBroadcastData, asSignalData, type ClientRequest, type ServerFrame } from './protocol';

/** Translate renders a catalogue key. */
export type Translate = (key: ClientKey, params?: Record<string, string | number>) => string;

/** LogKind groups entries for colour and filtering. */
export type LogKind = 'session' | 'presence' | 'offer' | 'answer' | 'candidate' | 'chat' | 'media' | 'error' | 'local' | 'other';

/** LocalEvent is something that happened in this page rather than on the wire. */
export type LocalEvent =
  | { event: 'state'; peer: string; state: string }
  | { event: 'ignored-offer'; peer: string }
  | { event: 'rolled-back'; peer: string }
  | { event: 'stale'; peer: string }
  | { event: 'chat-only'; peer: string }
  | { event: 'replaced'; peer: string }
  | { event: 'ice-restart'; peer: string }
  | { event: 'route-upgrade'; peer: string; via: string; direct: string }
  | { event: 'route-upgrade-asked'; peer: string; via: string; direct: string }
  | { event: 'dtls-role-kept'; peer: string }
  | { event: 'media-stalled'; peer: string }
  | { event: 'media-flowing'; peer: string }
  | { event: 'socket-lost' }
  | { event: 'socket-dropped' };

/** LogEntry is one line of the teaching log, as recorded. */
export type LogEntry =
  | { dir: 'in'; at: number; frame: ServerFrame; peer: string }
  | { dir: 'out'; at: number; req: ClientRequest; peer: string }
  | { dir: 'local'; at: number; local: LocalEvent };

/** Described is a log entry in words. */
export interface Described {
  kind: LogKind;
  text: string;
}

/** Candidate is the readable part of an ICE candidate line. */
export interface Candidate {
  type: string;
  protocol: string;
  address: string;
  port: string;
}

/** parseCandidate reads "candidate:… udp 2122 192.168.1.4 5000 typ host …"; null for end-of-candidates or junk. */
export function parseCandidate(line: string): Candidate | null {
  const f = line.replace(/^a=/, '').replace(/^candidate:/, '').trim().split(/\s+/);
  if (f.length < 8 || f[6] !== 'typ') return null;
  return { protocol: f[2]!.toLowerCase(), address: f[4]!, port: f[5]!, type: f[7]! };
}

/** MediaLine is one m= section of an SDP: its kind and direction. */
export interface MediaLine {
  kind: string;
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
}

/** sdpMedia lists an SDP's media sections with their directions. */
export function sdpMedia(sdp: string): MediaLine[] {
  const out: MediaLine[] = [];
  let cur: MediaLine | null = null;
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    const m = /^m=(\w+) (\d+)/.exec(line);
    if (m) {
      cur = { kind: m[1]!, direction: m[2] === '0' ? 'inactive' : 'sendrecv' };
      out.push(cur);
      continue;
    }
    const d = /^a=(sendrecv|sendonly|recvonly|inactive)$/.exec(line);
    if (d && cur && !(cur.direction === 'inactive' && line !== 'a=inactive')) cur.direction = d[1] as MediaLine['direction'];
  }
  return out;
}

const DIRECTION_KEYS = {
  sendrecv: 'dir.sendrecv',
  sendonly: 'dir.sendonly',
  recvonly: 'dir.recvonly',
  inactive: 'dir.inactive',
} as const satisfies Record<MediaLine['direction'], ClientKey>;

const KIND_KEYS: Record<string, ClientKey> = { audio: 'media.audio', video: 'media.video', application: 'media.data' };

/** mediaSummary renders "audio (send & receive), video (receive only)" in the current language. */
export function mediaSummary(t: Translate, sdp: string): string {
  const parts = sdpMedia(sdp).map((m) =>
    t('log.mediaPart', { kind: KIND_KEYS[m.kind] ? t(KIND_KEYS[m.kind]!) : m.kind, direction: t(DIRECTION_KEYS[m.direction]) }),
  );
  if (parts.length === 0) return t('log.noMedia');
  return parts.join(t('log.listSeparator'));
}

/** candidateText renders a candidate as "host · udp · 192.168.1.4:5000". */
export function candidateText(t: Translate, line: string): string {
  const c = parseCandidate(line);
  if (!c) return t('log.endOfCandidates');
  const address = c.address.endsWith('.local') ? t('log.mdnsAddress') : `${c.address}:${c.port}`;
  return t('log.candidateParts', { type: c.type, protocol: c.protocol, address });
}

/** reasonText translates a peer-left or left reason. */
export function reasonText(t: Translate, reason: string | undefined): string {
  switch (reason) {
    case 'left':
      return t('reason.left');
    case 'timed-out':
      return t('reason.timedOut');
    case 'kicked':
      return t('reason.kicked');
    case 'room-closed':
      return t('reason.roomClosed');
    case 'dropped':
      return t('reason.dropped');
    case 'shutdown':
      return t('reason.shutdown');
    default:
      return reason ?? '';
  }
}

/** stateText translates an RTCPeerConnection connection, ICE or signalling state; an unknown one is shown as it is. */
export function stateText(t: Translate, state: string): string {
  const known = ['new', 'checking', 'connecting', 'connected', 'completed', 'disconnected', 'failed', 'closed'];
  if (known.includes(state)) return t(`pc.${state}` as ClientKey);
  const sig = ['stable', 'have-local-offer', 'have-remote-offer', 'have-local-pranswer', 'have-remote-pranswer'];
  if (sig.includes(state)) return t(`sig.${state}` as ClientKey);
  return state;
}

/** describe puts one log entry into words. */
export function describe(t: Translate, e: LogEntry): Described {
  switch (e.dir) {
    case 'out':
      return describeOut(t, e.req, e.peer);
    case 'in':
      return describeIn(t, e.frame, e.peer);
    case 'local':
      return describeLocal(t, e.local);
  }
}

function describeSignal(t: Translate, data: unknown, peer: string, dir: 'in' | 'out'): Described {
  const s = asSignalData(data);
  if (!s) return { kind: 'other', text: t(dir === 'in' ? 'log.in.otherSignal' : 'log.out.otherSignal', { peer }) };
  if (s.description) {
    const media = mediaSummary(t, s.description.sdp ?? '');
    const type = s.description.type;
    if (type === 'offer') return { kind: 'offer', text: t(dir === 'in' ? 'log.in.offer' : 'log.out.offer', { peer, media }) };
    if (type === 'answer') return { kind: 'answer', text: t(dir === 'in' ? 'log.in.answer' : 'log.out.answer', { peer, media }) };
    return { kind: 'offer', text: t(dir === 'in' ? 'log.in.otherSignal' : 'log.out.otherSignal', { peer }) };
  }
  const candidate = candidateText(t, s.candidate?.candidate ?? '');
  return { kind: 'candidate', text: t(dir === 'in' ? 'log.in.candidate' : 'log.out.candidate', { peer, candidate }) };
}

function mediaStateText(t: Translate, m: { mic: boolean; cam: boolean; screen: boolean }): string {
  return t('log.mediaState', {
    mic: t(m.mic ? 'state.on' : 'state.off'),
    cam: t(m.cam ? 'state.on' : 'state.off'),
    screen: t(m.screen ? 'state.on' : 'state.off'),
  });
}

function describeOut(t: Translate, req: ClientRequest, peer: string): Described {
  switch (req.type) {
    case 'join':
      return { kind: 'session', text: t(req.chatOnly ? 'log.out.joinChatOnly' : 'log.out.join', { room: req.room, name: req.name ?? '' }) };
    case 'resume':
      return { kind: 'session', text: t('log.out.resume', { seq: req.lastSeq }) };
    case 'leave':
      return { kind: 'session', text: t('log.out.leave') };
    case 'rename':
      return { kind: 'session', text: t('log.out.rename', { name: req.name }) };
    case 'ping':
      return { kind: 'session', text: t('log.out.ping') };
    case 'signal':
      return describeSignal(t, req.data, peer, 'out');
    case 'broadcast': {
      const b = asBroadcastData(req.data);
      if (b.chat !== undefined) return { kind: 'chat', text: t('log.out.chat', { text: b.chat }) };
      if (b.media) return { kind: 'media', text: t('log.out.media', { state: mediaStateText(t, b.media) }) };
      return { kind: 'other', text: t('log.out.otherBroadcast') };
    }
  }
}

function describeIn(t: Translate, f: ServerFrame, peer: string): Described {
  switch (f.type) {
    case 'welcome':
      return { kind: 'session', text: t('log.in.welcome', { server: f.server.name }) };
    case 'joined':
      return { kind: 'session', text: t('log.in.joined', { room: f.room, count: f.peers.length }) };
    case 'resumed':
      return { kind: 'session', text: t('log.in.resumed', { room: f.room, count: f.lost ?? 0 }) };
    case 'peer-joined':
      return { kind: 'presence', text: t(f.peer.chatOnly ? 'log.in.peerJoinedChatOnly' : 'log.in.peerJoined', { peer: f.peer.name }) };
    case 'peer-left':
      return { kind: 'presence', text: t('log.in.peerLeft', { peer: f.peer.name, reason: reasonText(t, f.reason) }) };
    case 'peer-away':
      return { kind: 'presence', text: t('log.in.peerAway', { peer: f.peer.name }) };
    case 'peer-back':
      return { kind: 'presence', text: t('log.in.peerBack', { peer: f.peer.name }) };
    case 'peer-renamed':
      return { kind: 'presence', text: t('log.in.peerRenamed', { peer: peer || f.peer.id, name: f.peer.name }) };
    case 'signal':
      return describeSignal(t, f.data, peer || f.name, 'in');
    case 'broadcast': {
      const b = asBroadcastData(f.data);
      if (b.chat !== undefined) return { kind: 'chat', text: t('log.in.chat', { peer: f.name, text: b.chat }) };
      if (b.media) return { kind: 'media', text: t('log.in.media', { peer: f.name, state: mediaStateText(t, b.media) }) };
      return { kind: 'other', text: t('log.in.otherBroadcast', { peer: f.name }) };
    }
    case 'left':
      return { kind: 'session', text: t('log.in.left', { reason: reasonText(t, f.reason) }) };
    case 'error':
      return { kind: 'error', text: t('log.in.error', { code: f.code }) };
    case 'pong':
      return { kind: 'session', text: t('log.in.pong') };
  }
}

function describeLocal(t: Translate, e: LocalEvent): Described {
  switch (e.event) {
    case 'state':
      return { kind: 'local', text: t('log.local.state', { peer: e.peer, state: stateText(t, e.state) }) };
    case 'ignored-offer':
      return { kind: 'local', text: t('log.local.ignoredOffer', { peer: e.peer }) };
    case 'rolled-back':
      return { kind: 'local', text: t('log.local.rolledBack', { peer: e.peer }) };
    case 'stale':
      return { kind: 'local', text: t('log.local.stale', { peer: e.peer }) };
    case 'chat-only':
      return { kind: 'local', text: t('log.local.chatOnly', { peer: e.peer }) };
    case 'replaced':
      return { kind: 'local', text: t('log.local.replaced', { peer: e.peer }) };
    case 'ice-restart':
      return { kind: 'local', text: t('log.local.iceRestart', { peer: e.peer }) };
    case 'route-upgrade':
      return e.via
        ? { kind: 'local', text: t('log.local.routeUpgrade', { peer: e.peer, via: e.via, direct: e.direct }) }
        : { kind: 'local', text: t('log.local.routeUpgradeForPeer', { peer: e.peer }) };
    case 'route-upgrade-asked':
      return { kind: 'local', text: t('log.local.routeUpgradeAsked', { peer: e.peer, via: e.via, direct: e.direct }) };
    case 'dtls-role-kept':
      return { kind: 'local', text: t('log.local.dtlsRoleKept', { peer: e.peer }) };
    case 'media-stalled':
      return { kind: 'local', text: t('log.local.mediaStalled', { peer: e.peer }) };
    case 'media-flowing':
      return { kind: 'local', text: t('log.local.mediaFlowing', { peer: e.peer }) };
    case 'socket-lost':
      return { kind: 'local', text: t('log.local.socketLost') };
    case 'socket-dropped':
      return { kind: 'local', text: t('log.local.socketDropped') };
  }
}
