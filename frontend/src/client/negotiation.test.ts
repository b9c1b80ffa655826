import { describe, expect, it } from 'vitest';
import { isPolite, newConnId, routeSignal, type ConnIds, type SignalRoute } from './negotiation';

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
