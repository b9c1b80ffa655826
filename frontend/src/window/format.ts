// Pure formatting of the window's data into catalogue messages and
// localised numbers and times: what each log line, device and duration
// says. No DOM here, so it is unit-tested.

import type { Locale } from '../i18n/core';
import type { WindowKey } from '../i18n/window';
import type { Device, LogEntry, PeerView } from './api';
import type { Msg, Params } from './dom';

/** duration formats a span in seconds as "42 s", "3 min 5 s" or "2 h 10 min", with Intl units. */
export function duration(locale: Locale, seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const unit = (n: number, u: 'second' | 'minute' | 'hour') =>
    new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'short' }).format(n);
  if (s < 60) return unit(s, 'second');
  const m = Math.floor(s / 60);
  if (m < 60) return `${unit(m, 'minute')} ${unit(s % 60, 'second')}`;
  return `${unit(Math.floor(m / 60), 'hour')} ${unit(m % 60, 'minute')}`;
}

/** number formats a count or rate for locale. */
export function number(locale: Locale, n: number, fractionDigits = 0): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: fractionDigits }).format(n);
}

/**
 * parseTime reads an RFC 3339 time as Go writes it, in ms since the epoch
 * (NaN when unreadable). Go writes up to nine fractional digits, which
 * JavaScriptCore's Date.parse refuses, so they are cut to milliseconds.
 */
export function parseTime(iso: string): number {
  return Date.parse(iso.replace(/(\.\d{3})\d+/, '$1'));
}

/** clock formats an RFC 3339 time as a local time of day with seconds. */
export function clock(locale: Locale, iso: string): string {
  const d = new Date(parseTime(iso));
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(d);
}

/** deviceMsg describes a device: "Chrome on Android", or the form factor, or unknown. */
export function deviceMsg(d: Device): Msg {
  const kind = d.kind ? kindKey(d.kind) : null;
  if (d.browser && d.os) return ['device.browserOn', { browser: d.browser, os: d.os }];
  if (d.browser) return ['device.browser', { browser: d.browser }];
  if (d.os) return ['device.os', { os: d.os }];
  return kind ?? 'device.unknown';
}

function kindKey(kind: NonNullable<Device['kind']>): WindowKey {
  switch (kind) {
    case 'phone':
      return 'device.phone';
    case 'tablet':
      return 'device.tablet';
    default:
      return 'device.desktop';
  }
}

/** transportMsg names a transport: the native WebSocket or socket.io. */
export function transportMsg(transport: string): Msg {
  if (transport === 'websocket') return 'transport.websocket';
  if (transport.startsWith('socket.io')) return ['transport.socketio', { detail: transport.slice('socket.io'.length).replace(/^\//, '') }];
  return ['transport.other', { name: transport }];
}

/** Reasons a peer leaves, as the hub names them (docs/protocol.md). */
const REASONS: Record<string, WindowKey> = {
  left: 'reason.left',
  'timed-out': 'reason.timedOut',
  kicked: 'reason.kicked',
  'room-closed': 'reason.roomClosed',
  dropped: 'reason.dropped',
  shutdown: 'reason.shutdown',
  replaced: 'reason.replaced',
};

/** reasonMsg translates a leave reason. */
export function reasonMsg(reason: string | undefined): Msg {
  const key = reason ? REASONS[reason] : undefined;
  return key ?? ['reason.other', { reason: reason ?? '' }];
}

/** Error codes of the protocol (docs/protocol.md) and of the app's bound methods (app/codes.go). */
const CODES: Record<string, WindowKey> = {
  'bad-json': 'code.badJson',
  'bad-field': 'code.badField',
  'unknown-type': 'code.unknownType',
  'too-large': 'code.tooLarge',
  'bad-room-name': 'code.badRoomName',
  'bad-class-mode': 'code.badClassMode',
  'room-full': 'code.roomFull',
  'room-locked': 'code.roomLocked',
  'too-many-rooms': 'code.tooManyRooms',
  'server-full': 'code.serverFull',
  'address-full': 'code.addressFull',
  'address-rooms': 'code.addressRooms',
  'already-in-room': 'code.alreadyInRoom',
  'not-in-room': 'code.notInRoom',
  'unknown-peer': 'code.unknownPeer',
  'rate-limited': 'code.rateLimited',
  'bad-token': 'code.badToken',
  'slow-consumer': 'code.slowConsumer',
  'shutting-down': 'code.shuttingDown',
  internal: 'code.internal',
  'no-such-peer': 'code.noSuchPeer',
  'no-such-room': 'code.noSuchRoom',
  'not-running': 'code.notRunning',
  'invalid-settings': 'code.invalidSettings',
  'save-failed': 'code.saveFailed',
  'port-busy': 'code.portBusy',
  'loopback-only': 'mdns.loopbackOnly',
  'no-lan': 'mdns.noLan',
  failed: 'code.failed',
};

/** codeMsg translates a stable error code; unknown codes are shown as they are. */
export function codeMsg(code: string | undefined): Msg {
  const key = code ? CODES[code] : undefined;
  return key ?? ['code.other', { code: code ?? '' }];
}

/** JOIN_CODES are the errors of a refused join: the log says who could not join which room. */
const JOIN_CODES = new Set(['room-full', 'room-locked', 'bad-room-name', 'too-many-rooms', 'already-in-room']);

/** peerLabel is how a log line names a peer: its name, else the start of its id. */
export function peerLabel(e: Pick<LogEntry, 'peer' | 'peerName'>): string {
  if (e.peerName) return e.peerName;
  return e.peer ? `#${e.peer.slice(0, 6)}` : '?';
}

/** LogCategory groups log lines for the filter. */
export type LogCategory = 'presence' | 'rooms' | 'errors' | 'server';
export const LOG_CATEGORIES: readonly LogCategory[] = ['presence', 'rooms', 'errors', 'server'];

/** logCategory files a log line under one filter. Kicks are admin actions, shown with rooms. */
export function logCategory(e: LogEntry): LogCategory {
  switch (e.kind) {
    case 'peer-joined':
    case 'peer-away':
    case 'peer-back':
    case 'peer-renamed':
      return 'presence';
    case 'class-changed':
      return 'rooms';
    case 'peer-left':
    case 'peer-disconnected':
      return e.reason === 'kicked' || e.reason === 'room-closed' ? 'rooms' : e.reason === 'dropped' ? 'errors' : 'presence';
    case 'room-opened':
    case 'room-closed':
    case 'room-locked':
    case 'room-unlocked':
      return 'rooms';
    case 'error':
    case 'server-error':
    case 'mdns-error':
    case 'tls-error':
    case 'relay-error':
    case 'events-skipped':
      return 'errors';
    default:
      return 'server';
  }
}

/** logMsg is the sentence for one log line. */
export function logMsg(e: LogEntry): Msg {
  const p: Params = { peer: peerLabel(e), room: e.room ?? '' };
  switch (e.kind) {
    case 'peer-joined':
      return ['log.peerJoined', p];
    case 'peer-left':
      if (e.reason === 'kicked') return ['log.peerKicked', p];
      return ['log.peerLeft', p];
    case 'peer-disconnected':
      if (e.reason === 'kicked') return ['log.peerKickedLobby', p];
      return ['log.peerDisconnected', p];
    case 'peer-away':
      return ['log.peerAway', p];
    case 'peer-back':
      return ['log.peerBack', p];
    case 'room-opened':
      return ['log.roomOpened', p];
    case 'room-closed':
      return ['log.roomClosed', p];
    case 'room-locked':
      return ['log.roomLocked', p];
    case 'room-unlocked':
      return ['log.roomUnlocked', p];
    case 'error':
      if (e.code === 'room-full' && e.room && e.capacity) return ['log.joinFull', { ...p, count: e.count ?? 0, capacity: e.capacity }];
      if (e.room && JOIN_CODES.has(e.code ?? '')) return ['log.joinRefused', p];
      return e.room ? ['log.errorInRoom', p] : ['log.error', p];
    case 'peer-renamed':
      return e.room ? ['log.peerRenamedInRoom', { ...p, was: e.detail ?? '' }] : ['log.peerRenamed', { ...p, was: e.detail ?? '' }];
    case 'class-changed':
      return e.detail === 'group' ? ['log.classGroup', { room: e.room ?? '', count: e.count ?? 0 }] : ['log.classPairs', { room: e.room ?? '' }];
    case 'server-started':
      return ['log.serverStarted', { port: String(e.port ?? '') }];
    case 'server-stopped':
      return 'log.serverStopped';
    case 'server-error':
      return ['log.serverError', { port: String(e.port ?? '') }];
    case 'mdns-advertising':
      return ['log.mdnsAdvertising', { host: (e.detail ?? '').replace(/\.$/, '') }];
    case 'mdns-error':
      return 'log.mdnsError';
    case 'tls-error':
      return 'log.tlsError';
    case 'relay-error':
      return ['log.relayError', { port: String(e.port ?? '') }];
    case 'settings-saved':
      return e.reason === 'restarted' ? 'log.settingsSavedRestarted' : 'log.settingsSaved';
    case 'events-skipped':
      return ['log.eventsSkipped', { count: e.count ?? 0 }];
    default:
      return ['log.other', { kind: e.kind }];
  }
}

/** logExtra is the second part of a log line: the reason or error, when there is one. */
export function logExtra(e: LogEntry): Msg | null {
  if ((e.kind === 'peer-left' || e.kind === 'peer-disconnected') && e.reason && e.reason !== 'kicked') return reasonMsg(e.reason);
  if (e.kind === 'error' && e.code === 'room-full' && e.room && e.capacity) return null; // the sentence says it all
  if (['error', 'server-error', 'mdns-error', 'tls-error', 'relay-error'].includes(e.kind)) return codeMsg(e.code);
  return null;
}

/** connectedFor is how long ago a peer connected, in seconds. */
export function connectedFor(p: Pick<PeerView, 'connectedAt'>, now: number): number {
  const t = parseTime(p.connectedAt);
  return Number.isNaN(t) ? 0 : (now - t) / 1000;
}

/** hasWebRTC reports whether this webview can make calls (WebKitGTK on Debian cannot). */
export function hasWebRTC(g: object = globalThis): boolean {
  return typeof (g as { RTCPeerConnection?: unknown }).RTCPeerConnection === 'function';
}
