import { describe, expect, it } from 'vitest';
import type { ErrorFrame, JoinedFrame, RelayFrame, WelcomeFrame } from './protocol';
import { SEAT_KEY, SeatBook, type KeyValueStore } from './seat';

class MemoryStore implements KeyValueStore {
  readonly map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

const welcome = (seq = 1) => ({ type: 'welcome', seq }) as WelcomeFrame;
const joined = (seq: number, type: 'joined' | 'resumed' = 'joined'): JoinedFrame => ({
  type, seq, room: 'math', self: { id: 'A', name: 'Ana' }, peers: [], capacity: 2, token: 'tok',
});
const signal = (seq: number) => ({ type: 'signal', seq, from: 'B', name: 'Ben', data: {} }) as RelayFrame;
const error = (seq: number, code = 'bad-token', request = 'resume') => ({ type: 'error', seq, code, message: '', request }) as ErrorFrame;

describe('SeatBook', () => {
  it('keeps the token and the last frame number of the seat', () => {
    const store = new MemoryStore();
    const book = new SeatBook(store);
    expect(book.resumeRequest('math')).toBeNull();
    expect(book.accept(welcome())).toBe(true);
    expect(book.accept(joined(2))).toBe(true);
    expect(book.accept(signal(3))).toBe(true);
    expect(book.accept(signal(4))).toBe(true);
    expect(book.seat).toEqual({ room: 'math', token: 'tok', selfId: 'A', lastSeq: 4 });
    expect(JSON.parse(store.getItem(SEAT_KEY)!)).toEqual(book.seat);
  });

  it('asks to resume after the last frame, for the same room only', () => {
    const book = new SeatBook(new MemoryStore());
    book.accept(joined(2));
    book.accept(signal(7));
    expect(book.resumeRequest('physics')).toBeNull();
    expect(book.resumeRequest('math')).toEqual({ type: 'resume', token: 'tok', lastSeq: 7 });
  });

  it('does not count the new connection’s welcome or a refused resume', () => {
    const book = new SeatBook(new MemoryStore());
    book.accept(joined(2));
    book.accept(signal(9));
    book.resumeRequest('math');
    expect(book.accept(welcome(1))).toBe(true);
    expect(book.accept(error(2))).toBe(true);
    expect(book.seat?.lastSeq).toBe(9);
  });

  it('takes replayed frames, then the resumed frame, and drops duplicates', () => {
    const book = new SeatBook(new MemoryStore());
    book.accept(joined(2));
    book.accept(signal(3));
    book.resumeRequest('math');
    book.accept(welcome(1));
    expect(book.accept(signal(3))).toBe(false); // already processed
    expect(book.accept(signal(4))).toBe(true); // missed while away
    expect(book.accept(joined(5, 'resumed'))).toBe(true);
    expect(book.seat?.lastSeq).toBe(5);
    expect(book.accept(signal(6))).toBe(true);
  });

  it('survives a reload through the store', () => {
    const store = new MemoryStore();
    const first = new SeatBook(store);
    first.accept(joined(2));
    first.accept(signal(5));
    const second = new SeatBook(store);
    expect(second.resumeRequest('math')).toEqual({ type: 'resume', token: 'tok', lastSeq: 5 });
  });

  it('forgets the seat when the resume fails or after leaving', () => {
    const store = new MemoryStore();
    const book = new SeatBook(store);
    book.accept(joined(2));
    book.resumeFailed();
    expect(book.seat).toBeNull();
    expect(store.getItem(SEAT_KEY)).toBeNull();
    book.accept(joined(3));
    book.clear();
    expect(new SeatBook(store).seat).toBeNull();
  });

  it('ignores a damaged entry and works without storage', () => {
    const store = new MemoryStore();
    store.setItem(SEAT_KEY, '{"room":1');
    expect(new SeatBook(store).seat).toBeNull();
    store.setItem(SEAT_KEY, '{"room":"math"}');
    expect(new SeatBook(store).seat).toBeNull();
    const none = new SeatBook(null);
    none.accept(joined(2));
    expect(none.resumeRequest('math')).toEqual({ type: 'resume', token: 'tok', lastSeq: 2 });
    const broken: KeyValueStore = {
      getItem: () => { throw new Error('denied'); },
      setItem: () => { throw new Error('denied'); },
      removeItem: () => { throw new Error('denied'); },
    };
    const b = new SeatBook(broken);
    b.accept(joined(2));
    b.clear();
    expect(b.seat).toBeNull();
  });
});
