import { describe, expect, it } from 'vitest';
import { checkRoomName, parseRoute, roomPath } from './route';

describe('parseRoute', () => {
  const cases: [string, ReturnType<typeof parseRoute>][] = [
    ['/', { view: 'lobby' }],
    ['/index.html', { view: 'lobby' }],
    ['/r/math', { view: 'room', room: 'math' }],
    ['/r/math/', { view: 'room', room: 'math' }],
    ['/r/%E6%95%B0%E5%AD%A6%E8%AF%BE', { view: 'room', room: '数学课' }],
    ['/r/7%20B', { view: 'room', room: '7 B' }],
    ['/r/%20%20', { view: 'lobby' }],
    ['/r/%E0%A4%A', { view: 'lobby' }],
    ['/r/a/b', { view: 'lobby' }],
    ['/r/', { view: 'lobby' }],
  ];
  for (const [path, want] of cases) {
    it(`parseRoute(${JSON.stringify(path)})`, () => expect(parseRoute(path)).toEqual(want));
  }

  it('roomPath and parseRoute agree', () => {
    for (const room of ['math', '数学课', 'a/b?c#d', '7 B', 'ça va']) {
      expect(parseRoute(roomPath(room))).toEqual({ view: 'room', room });
    }
  });
});

describe('checkRoomName', () => {
  const cases: [string, ReturnType<typeof checkRoomName>][] = [
    ['math', null],
    ['  math  ', null],
    ['数学课', null],
    ['', 'empty'],
    ['   ', 'empty'],
    ['x'.repeat(64), null],
    ['x'.repeat(65), 'too-long'],
    ['😀'.repeat(64), null], // characters, not UTF-16 units
    ['a\u0007b', 'bad-chars'],
    ['a\u200Bb', 'bad-chars'],
  ];
  for (const [name, want] of cases) {
    it(`checkRoomName(${JSON.stringify(name)})`, () => expect(checkRoomName(name)).toBe(want));
  }
});
