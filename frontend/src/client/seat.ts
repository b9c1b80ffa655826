// Resume bookkeeping: the room, resume token and last sequence number of
// this page's seat, kept in sessionStorage so that a reload of the page
// takes the seat back too (within the server's grace period).

import type { ClientRequest, JoinedFrame, ServerFrame } from './protocol';

/** KeyValueStore is the part of the Web Storage API the book needs. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Seat is what is needed to resume. */
export interface Seat {
  room: string;
  token: string;
  selfId: string;
  lastSeq: number;
}

/** SEAT_KEY is the sessionStorage key: per tab, so two tabs are two peers. */
export const SEAT_KEY = 'signalbox.seat';

/**
 * SeatBook tracks the seat and the highest sequence number processed for
 * it. Frame numbers count per seat: the `welcome` of a new connection (and
 * any error before a resume succeeds) is numbered in that connection's own
 * space and never counts.
 */
export class SeatBook {
  #seat: Seat | null = null;
  #resuming = false;

  constructor(private readonly store: KeyValueStore | null) {
    this.#seat = load(store);
  }

  /** seat is the current seat, or null outside any room. */
  get seat(): Seat | null {
    return this.#seat;
  }

  /** seatFor returns the saved seat when it is for room, else null. */
  seatFor(room: string): Seat | null {
    return this.#seat && this.#seat.room === room ? this.#seat : null;
  }

  /** resumeRequest is the `resume` to send on a new connection, or null to join afresh. */
  resumeRequest(room: string): ClientRequest | null {
    const s = this.seatFor(room);
    if (!s) return null;
    this.#resuming = true;
    return { type: 'resume', token: s.token, lastSeq: s.lastSeq };
  }

  /**
   * accept decides whether a frame is new and records its number. It
   * returns false for a frame already processed (a duplicate replay).
   */
  accept(frame: ServerFrame): boolean {
    switch (frame.type) {
      case 'welcome':
        return true;
      case 'joined':
      case 'resumed':
        this.#resuming = false;
        this.#take(frame);
        return true;
      case 'error':
        if (this.#resuming || !this.#seat) return true; // the connection's own numbering
        break;
    }
    const s = this.#seat;
    if (!s) return true;
    if (frame.seq <= s.lastSeq) return false;
    s.lastSeq = frame.seq;
    this.#save();
    return true;
  }

  /** resumeFailed forgets the seat: the server no longer knows the token. */
  resumeFailed(): void {
    this.#resuming = false;
    this.clear();
  }

  /** clear forgets the seat (after leaving, or being removed). */
  clear(): void {
    this.#seat = null;
    try {
      this.store?.removeItem(SEAT_KEY);
    } catch {
      // storage disabled: nothing was saved
    }
  }

  #take(f: JoinedFrame): void {
    // A class address seats the page in one of its rooms: the seat is
    // kept under the address the page asked for, so a reload resumes it.
    this.#seat = { room: f.class || f.room, token: f.token, selfId: f.self.id, lastSeq: f.seq };
    this.#save();
  }

  #save(): void {
    if (!this.#seat) return;
    try {
      this.store?.setItem(SEAT_KEY, JSON.stringify(this.#seat));
    } catch {
      // storage disabled or full: a reload will join afresh
    }
  }
}

function load(store: KeyValueStore | null): Seat | null {
  let raw: string | null = null;
  try {
    raw = store?.getItem(SEAT_KEY) ?? null;
  } catch {
    return null;
  }
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<Seat>;
    if (typeof v.room === 'string' && typeof v.token === 'string' && typeof v.selfId === 'string' && typeof v.lastSeq === 'number') {
      return { room: v.room, token: v.token, selfId: v.selfId, lastSeq: v.lastSeq };
    }
  } catch {
    // a damaged entry: join afresh
  }
  return null;
}
