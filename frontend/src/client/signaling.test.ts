import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerFrame } from './protocol';
import { SeatBook, type KeyValueStore } from './seat';
import { HEARTBEAT_MS, PONG_WAIT_MS, SignalingClient, type EndReason, type Status } from './signaling';
import { FakeSocket } from './testing/fake-socket';

class MemoryStore implements KeyValueStore {
  map = new Map<string, string>();
  getItem = (k: string) => this.map.get(k) ?? null;
  setItem = (k: string, v: string) => void this.map.set(k, v);
  removeItem = (k: string) => void this.map.delete(k);
}

const welcome = { type: 'welcome', seq: 1, protocol: 1, server: { name: 'S', version: 'v' }, peer: { id: 'P', name: 'Amber Fox' }, pingInterval: 20000, limits: { maxMessageSize: 65536, rate: 50, burst: 200, roomCapacity: 2, resumeGrace: 10000 }, iceServers: [] };
const joined = (seq: number, type = 'joined') => ({ type, seq, room: 'math', self: { id: 'A', name: 'Ana' }, peers: [], capacity: 2, token: 'tok' });

function setup(store = new MemoryStore()) {
  const sockets: FakeSocket[] = [];
  const frames: ServerFrame[] = [];
  const statuses: Status[] = [];
  const ends: EndReason[] = [];
  const client = new SignalingClient({
    url: 'ws://test/ws',
    room: 'math',
    name: 'Ana',
    seats: new SeatBook(store),
    connect: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    onFrame: (f) => frames.push(f),
    onSent: () => {},
    onStatus: (s) => statuses.push(s),
    onWelcome: () => {},
    onEnd: (r) => ends.push(r),
  });
  const last = () => sockets[sockets.length - 1]!;
  return { client, sockets, frames, statuses, ends, last, store };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(Math, 'random').mockReturnValue(0); // no jitter: delays are exact
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('SignalingClient', () => {
  it('joins after the welcome and is in the room after joined', () => {
    const { client, last } = setup();
    client.start();
    last().serve(welcome);
    expect(last().sent).toEqual([{ type: 'join', room: 'math', name: 'Ana' }]);
    expect(client.status.phase).toBe('joining');
    last().serve(joined(2));
    expect(client.status.phase).toBe('in-room');
  });

  it('reconnects with backoff and resumes with the token and last frame number', () => {
    const { client, sockets, last } = setup();
    client.start();
    last().serve(welcome);
    last().serve(joined(2));
    last().serve({ type: 'signal', seq: 3, from: 'B', name: 'Ben', data: {} });
    last().drop(1006);
    expect(client.status).toMatchObject({ phase: 'reconnecting', attempt: 0 });
    vi.advanceTimersByTime(249);
    expect(sockets.length).toBe(1);
    vi.advanceTimersByTime(1);
    expect(sockets.length).toBe(2);
    // The server is not back yet: the next try waits twice as long.
    last().drop(1006);
    expect(client.status.attempt).toBe(1);
    vi.advanceTimersByTime(499);
    expect(sockets.length).toBe(2);
    vi.advanceTimersByTime(1);
    expect(sockets.length).toBe(3);
    last().serve({ ...welcome, peer: { id: 'Q', name: 'x' } });
    expect(last().sent).toEqual([{ type: 'resume', token: 'tok', lastSeq: 3 }]);
    expect(client.status.phase).toBe('resuming');
    last().serve(joined(5, 'resumed'));
    expect(client.status).toMatchObject({ phase: 'in-room', attempt: 0, lostAt: null });
  });

  it('takes the seat back at once when the network comes back (roaming)', () => {
    const { client, sockets, last } = setup();
    client.start();
    last().serve(welcome);
    last().serve(joined(2));
    // In a room, its socket silently dead with the old address.
    client.networkBack();
    expect(client.status).toMatchObject({ phase: 'reconnecting', attempt: 0 });
    vi.advanceTimersByTime(250);
    expect(sockets.length).toBe(2);
    last().serve({ ...welcome, peer: { id: 'Q', name: 'x' } });
    expect(last().sent).toEqual([{ type: 'resume', token: 'tok', lastSeq: 2 }]);
    // Already reconnecting, far into the backoff: it tries now.
    last().drop(1006);
    vi.advanceTimersByTime(250);
    last().drop(1006);
    expect(client.status.attempt).toBe(1);
    client.networkBack();
    expect(sockets.length).toBe(4);
  });

  it('joins afresh when the seat is gone (bad-token)', () => {
    const { client, last } = setup();
    client.start();
    last().serve(welcome);
    last().serve(joined(2));
    last().drop(1006);
    vi.advanceTimersByTime(250);
    last().serve(welcome);
    last().serve({ type: 'error', seq: 2, code: 'bad-token', message: '', request: 'resume' });
    expect(last().sent.map((r) => r.type)).toEqual(['resume', 'join']);
    expect(client.status.phase).toBe('joining');
  });

  it('queues relayed messages while disconnected and sends them once the seat is back', () => {
    const { client, last } = setup();
    client.start();
    last().serve(welcome);
    last().serve(joined(2));
    last().drop(1006);
    client.send({ type: 'broadcast', data: { chat: 'hello' } });
    vi.advanceTimersByTime(250);
    last().serve(welcome);
    expect(last().sent.map((r) => r.type)).toEqual(['resume']);
    last().serve(joined(3, 'resumed'));
    expect(last().sent).toEqual([{ type: 'resume', token: 'tok', lastSeq: 2 }, { type: 'broadcast', data: { chat: 'hello' } }]);
  });

  it('sends a rename made while disconnected once the seat is back', () => {
    const { client, last } = setup();
    client.start();
    last().serve(welcome);
    last().serve(joined(2));
    last().drop(1006);
    client.rename('Ana María');
    vi.advanceTimersByTime(250);
    last().serve(welcome);
    expect(last().sent.map((r) => r.type)).toEqual(['resume']);
    last().serve(joined(3, 'resumed'));
    expect(last().sent.at(-1)).toEqual({ type: 'rename', name: 'Ana María' });
  });

  it('resumes after a reload from the stored seat', () => {
    const store = new MemoryStore();
    const first = setup(store);
    first.client.start();
    first.last().serve(welcome);
    first.last().serve(joined(2));
    first.last().serve({ type: 'peer-joined', seq: 3, room: 'math', peer: { id: 'B', name: 'Ben' } });
    const second = setup(store);
    second.client.start();
    second.last().serve(welcome);
    expect(second.last().sent).toEqual([{ type: 'resume', token: 'tok', lastSeq: 3 }]);
  });

  const finals: [number, EndReason['kind']][] = [
    [4001, 'kicked'],
    [4002, 'replaced'],
    [4004, 'misbehaving'],
  ];
  for (const [code, kind] of finals) {
    it(`does not reconnect after close ${code} (${kind})`, () => {
      const { client, sockets, ends, last } = setup();
      client.start();
      last().serve(welcome);
      last().serve(joined(2));
      last().drop(code);
      vi.advanceTimersByTime(60_000);
      expect(sockets.length).toBe(1);
      expect(ends).toEqual([{ kind }]);
      expect(client.status.phase).toBe('ended');
    });
  }

  it('joins afresh after being dropped as too slow (4003)', () => {
    const { client, last } = setup();
    client.start();
    last().serve(welcome);
    last().serve(joined(2));
    last().drop(4003);
    vi.advanceTimersByTime(250);
    last().serve(welcome);
    expect(last().sent.map((r) => r.type)).toEqual(['join']);
  });

  it('ends with the reason when the room is full, and closes normally', () => {
    const { client, ends, last, sockets } = setup();
    client.start();
    last().serve(welcome);
    last().serve({ type: 'error', seq: 2, code: 'room-full', message: 'full', request: 'join' });
    expect(ends).toEqual([{ kind: 'refused', code: 'room-full' }]);
    expect(last().closedWith).toBe(1000);
    vi.advanceTimersByTime(60_000);
    expect(sockets.length).toBe(1);
  });

  it('keeps trying when the server is gone, remembering since when', () => {
    const { client, last, sockets } = setup();
    client.start();
    last().serve(welcome);
    last().serve(joined(2));
    const lostAt = Date.now();
    last().drop(1001);
    for (let i = 0; i < 8; i++) {
      vi.advanceTimersByTime(8000);
      last().drop(1006);
    }
    expect(sockets.length).toBe(9);
    // The failed attempts say nothing new: the server's last word stands.
    expect(client.status).toMatchObject({ phase: 'reconnecting', lostAt, closeCode: 1001 });
  });

  it('remembers a lost connection as abnormal until the server says more', () => {
    const { client, last } = setup();
    client.start();
    last().serve(welcome);
    last().serve(joined(2));
    last().drop(1006);
    expect(client.status).toMatchObject({ phase: 'reconnecting', closeCode: 1006 });
    vi.advanceTimersByTime(8000);
    last().drop(1013); // the next attempt was refused: the server is full
    expect(client.status).toMatchObject({ phase: 'reconnecting', closeCode: 1013 });
  });

  it('drops a connection that stops answering pings', () => {
    const { client, sockets, last } = setup();
    client.start();
    last().serve(welcome);
    last().serve(joined(2));
    vi.advanceTimersByTime(HEARTBEAT_MS);
    expect(last().sent.at(-1)).toEqual({ type: 'ping' });
    last().serve({ type: 'pong', seq: 3 });
    vi.advanceTimersByTime(PONG_WAIT_MS);
    expect(client.status.phase).toBe('in-room'); // it answered
    vi.advanceTimersByTime(HEARTBEAT_MS - PONG_WAIT_MS + PONG_WAIT_MS);
    expect(client.status.phase).toBe('reconnecting'); // this time it did not
    expect(sockets[0]!.closedWith).toBe(4000);
  });

  it('leave sends leave, closes normally and forgets the seat', () => {
    const { client, last, store, ends } = setup();
    client.start();
    last().serve(welcome);
    last().serve(joined(2));
    client.leave();
    expect(last().sent.at(-1)).toEqual({ type: 'leave' });
    expect(last().closedWith).toBe(1000);
    expect(store.map.size).toBe(0);
    expect(ends).toEqual([{ kind: 'left' }]);
  });
});
