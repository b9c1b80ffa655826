import { describe, expect, it } from 'vitest';
import type { Status } from '../signaling';
import { bannerMsg, endMsg, mayRejoin, statusMsg } from './status';

const lost = (closeCode: number | null, lostAt = 1000): Status => ({ phase: 'reconnecting', attempt: 2, lostAt, closeCode });

describe('bannerMsg', () => {
  const cases: [string, Status, number, ReturnType<typeof bannerMsg>][] = [
    ['connected', { phase: 'in-room', attempt: 0, lostAt: null, closeCode: null }, 5000, null],
    ['just lost', lost(1006), 5000, 'banner.reconnecting'],
    ['gone past the grace period', lost(1006), 12_000, 'banner.serverGone'],
    ['server stopping', lost(1001), 2000, 'banner.serverStopping'],
    ['server stopped and not back past the grace period', lost(1001), 12_000, 'banner.serverGone'],
    ['server full', lost(1013), 2000, 'banner.serverFull'],
  ];
  for (const [name, s, now, want] of cases) it(name, () => expect(bannerMsg(s, now, 10_000)).toBe(want));
});

describe('endMsg', () => {
  it('explains each way a call ends', () => {
    expect(endMsg({ kind: 'refused', code: 'room-full' })).toEqual(['end.roomFull.title', 'end.roomFull.text']);
    expect(endMsg({ kind: 'refused', code: 'bad-room-name' })).toEqual(['end.badRoomName.title', 'end.badRoomName.text']);
    expect(endMsg({ kind: 'refused', code: 'something-new' })).toEqual(['end.refused.title', 'end.refused.text']);
    expect(endMsg({ kind: 'kicked' })).toEqual(['end.kicked.title', 'end.kicked.text']);
  });
  it('offers to join again unless that cannot work', () => {
    expect(mayRejoin({ kind: 'left' })).toBe(true);
    expect(mayRejoin({ kind: 'refused', code: 'room-full' })).toBe(true);
    expect(mayRejoin({ kind: 'kicked' })).toBe(false);
    expect(mayRejoin({ kind: 'refused', code: 'bad-room-name' })).toBe(false);
  });
});

describe('statusMsg', () => {
  it('counts reconnect attempts from one', () => {
    expect(statusMsg(lost(1006))).toEqual(['status.reconnecting', { count: 3 }]);
  });
});
