// Words for the connection status and for why a call ended.

import type { ClientKey } from '../../i18n/client';
import type { Params } from '../dom';
import type { EndReason, Status } from '../signaling';

/** statusMsg is the short status for the header. */
export function statusMsg(s: Status): [ClientKey, Params] {
  switch (s.phase) {
    case 'connecting':
      return ['status.connecting', {}];
    case 'joining':
      return ['status.joining', {}];
    case 'resuming':
      return ['status.resuming', {}];
    case 'in-room':
      return ['status.connected', {}];
    case 'reconnecting':
      return ['status.reconnecting', { count: s.attempt + 1 }];
    case 'ended':
      return ['status.ended', {}];
  }
}

/** bannerMsg explains a lost connection, or returns null while connected. graceMs is the server's resume grace. */
export function bannerMsg(s: Status, now: number, graceMs: number): ClientKey | null {
  if (s.phase !== 'reconnecting' || s.lostAt === null) return null;
  if (now - s.lostAt > graceMs) return 'banner.serverGone';
  if (s.closeCode === 1001) return 'banner.serverStopping';
  if (s.closeCode === 1013) return 'banner.serverFull';
  return 'banner.reconnecting';
}

/** endMsg is the title and explanation for why the call ended. */
export function endMsg(r: EndReason): [ClientKey, ClientKey] {
  switch (r.kind) {
    case 'left':
      return ['end.left.title', 'end.left.text'];
    case 'kicked':
      return ['end.kicked.title', 'end.kicked.text'];
    case 'replaced':
      return ['end.replaced.title', 'end.replaced.text'];
    case 'misbehaving':
      return ['end.misbehaving.title', 'end.misbehaving.text'];
    case 'room-closed':
      return ['end.roomClosed.title', 'end.roomClosed.text'];
    case 'refused':
      switch (r.code) {
        case 'room-full':
          return ['end.roomFull.title', 'end.roomFull.text'];
        case 'bad-room-name':
          return ['end.badRoomName.title', 'end.badRoomName.text'];
        case 'room-locked':
          return ['end.roomLocked.title', 'end.roomLocked.text'];
        case 'too-many-rooms':
          return ['end.tooManyRooms.title', 'end.tooManyRooms.text'];
        case 'address-rooms':
          return ['end.addressRooms.title', 'end.addressRooms.text'];
        default:
          return ['end.refused.title', 'end.refused.text'];
      }
  }
}

/** mayRejoin says whether offering "join again" makes sense. */
export function mayRejoin(r: EndReason): boolean {
  return r.kind !== 'kicked' && r.kind !== 'misbehaving' && !(r.kind === 'refused' && r.code === 'bad-room-name');
}
