import { describe, expect, it } from 'vitest';
import { isPolite, keepDtlsRole, newConnId, routeSignal, settledDtlsRole, type ConnIds, type DtlsRole, type SignalRoute } from './negotiation';

describe('isPolite', () => {
  const pairs: [string, string][] = [
    ['A', 'B'],
    ['h3M1abc', 'h3M1abd'],
    ['Zz', 'aa'], // code-unit order: upper case sorts first
    ['-x_', '_x-'],
    ['short', 'shorter'],
  ];
  for (const [a, b] of pairs) {
    it(`exactly one of ${a} and ${b} is polite`, () => {
      expect(isPolite(a, b)).not.toBe(isPolite(b, a));
    });
  }
  it('the smaller id is the polite one', () => {
    expect(isPolite('A', 'B')).toBe(true);
    expect(isPolite('b', 'B')).toBe(false);
  });
});

describe('routeSignal', () => {
  const cases: { name: string; cur: ConnIds | null; data: { pc: string; toPc?: string }; want: SignalRoute }[] = [
    { name: 'first offer from a new peer', cur: null, data: { pc: 'r1' }, want: 'create' },
    { name: 'meant for a connection we no longer have (we reloaded)', cur: null, data: { pc: 'r1', toPc: 'old' }, want: 'stale' },
    { name: 'answer to our offer', cur: { localPc: 'l1', remotePc: null }, data: { pc: 'r1', toPc: 'l1' }, want: 'accept' },
    { name: 'next candidate', cur: { localPc: 'l1', remotePc: 'r1' }, data: { pc: 'r1', toPc: 'l1' }, want: 'accept' },
    { name: 'candidate sent before they knew our id', cur: { localPc: 'l1', remotePc: 'r1' }, data: { pc: 'r1' }, want: 'accept' },
    { name: 'the peer reloaded and offers afresh', cur: { localPc: 'l1', remotePc: 'r1' }, data: { pc: 'r2' }, want: 'replace' },
    { name: 'meant for our previous connection', cur: { localPc: 'l2', remotePc: 'r1' }, data: { pc: 'r1', toPc: 'l1' }, want: 'stale' },
  ];
  for (const c of cases) {
    it(c.name, () => expect(routeSignal(c.cur, c.data)).toBe(c.want));
  }
});

describe('newConnId', () => {
  it('makes distinct 12-character hex ids', () => {
    const ids = new Set(Array.from({ length: 100 }, newConnId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{12}$/);
  });
});

/** sdp makes a two-section SDP whose sections carry setup (one value per section). */
function sdp(...setup: string[]): string {
  const head = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n';
  return head + setup.map((v, i) => `m=${i ? 'video' : 'audio'} 9 UDP/TLS/RTP/SAVPF 109\r\na=mid:${i}\r\na=setup:${v}\r\n`).join('');
}

describe('settledDtlsRole', () => {
  const offer = (v: string): RTCSessionDescriptionInit => ({ type: 'offer', sdp: sdp(v, v) });
  const answer = (v: string): RTCSessionDescriptionInit => ({ type: 'answer', sdp: sdp(v, v) });
  const cases: { name: string; local: RTCSessionDescriptionInit | null; remote: RTCSessionDescriptionInit | null; want: string | null }[] = [
    { name: 'nothing negotiated yet', local: null, remote: null, want: null },
    { name: 'our offer, no answer yet', local: offer('actpass'), remote: null, want: null },
    { name: 'we answered active: client', local: answer('active'), remote: offer('actpass'), want: 'client' },
    { name: 'we answered passive: server', local: answer('passive'), remote: offer('actpass'), want: 'server' },
    { name: 'we offered, they answered active: server', local: offer('actpass'), remote: answer('active'), want: 'server' },
    { name: 'we offered, they answered passive: client', local: offer('actpass'), remote: answer('passive'), want: 'client' },
    { name: 'an answer with no setup line', local: offer('actpass'), remote: { type: 'answer', sdp: 'v=0\r\n' }, want: null },
  ];
  for (const c of cases) {
    it(c.name, () => expect(settledDtlsRole(c.local, c.remote)).toBe(c.want));
  }
});

describe('keepDtlsRole', () => {
  const cases: { name: string; answer: RTCSessionDescriptionInit; role: DtlsRole | null; want: string }[] = [
    // Ana (Chromium) answered Cleo's (Firefox) first offer with active; she
    // roams and offers the ICE restart; Firefox answers active again.
    { name: 'Firefox answers a restart with active where it is the server', answer: { type: 'answer', sdp: sdp('active', 'active') }, role: 'client', want: sdp('passive', 'passive') },
    { name: 'the mirror case', answer: { type: 'answer', sdp: sdp('passive', 'passive') }, role: 'server', want: sdp('active', 'active') },
    { name: 'an answer that keeps the roles', answer: { type: 'answer', sdp: sdp('passive', 'passive') }, role: 'client', want: sdp('passive', 'passive') },
    { name: 'the first answer (no settled role)', answer: { type: 'answer', sdp: sdp('active', 'active') }, role: null, want: sdp('active', 'active') },
    { name: 'one section swapped', answer: { type: 'answer', sdp: sdp('active', 'passive') }, role: 'server', want: sdp('active', 'active') },
    { name: 'LF line ends', answer: { type: 'answer', sdp: sdp('active', 'active').replaceAll('\r\n', '\n') }, role: 'client', want: sdp('passive', 'passive').replaceAll('\r\n', '\n') },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = keepDtlsRole(c.answer, c.role);
      expect(got).toEqual({ type: 'answer', sdp: c.want });
      if (c.want === c.answer.sdp) expect(got).toBe(c.answer); // unchanged: the very same object
    });
  }
  it('leaves offers alone', () => {
    const o: RTCSessionDescriptionInit = { type: 'offer', sdp: sdp('actpass', 'actpass') };
    expect(keepDtlsRole(o, 'client')).toBe(o);
  });
});
