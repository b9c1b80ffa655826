// The signalling connection: one WebSocket to /ws at a time, joined to one
// room, reconnecting with backoff and resuming its seat when the socket
// drops. Relayed requests made while the socket is down wait in a short
// queue and go out once the seat is back.

import { backoffDelay, RECONNECT_BACKOFF, type BackoffPolicy } from './backoff';
import { CLOSE, parseFrame, type ClientRequest, type ServerFrame, type WelcomeFrame } from './protocol';
import type { SeatBook } from './seat';

/** HEARTBEAT_MS is how often the client pings: browsers cannot see the server's WebSocket pings. */
export const HEARTBEAT_MS = 10_000;
/** PONG_WAIT_MS is how long after a ping a silent connection is taken for dead and dropped. */
export const PONG_WAIT_MS = 6_000;
/** QUEUE_MAX bounds the relayed requests kept while disconnected; the oldest go first. */
export const QUEUE_MAX = 200;

/** Phase is where the connection stands. */
export type Phase = 'connecting' | 'joining' | 'resuming' | 'in-room' | 'reconnecting' | 'ended';

/** Status is what the page shows about the connection. */
export interface Status {
  phase: Phase;
  /** attempt counts reconnect attempts since the connection was lost. */
  attempt: number;
  /** lostAt is when the connection was lost (ms since epoch), or null while connected. */
  lostAt: number | null;
  /** closeCode is the close code of the last lost connection (1001 server stopping, 1013 server full …). */
  closeCode: number | null;
}

/** EndReason is why the client stopped for good. */
export type EndReason =
  | { kind: 'left' }
  | { kind: 'refused'; code: string }
  | { kind: 'kicked' }
  | { kind: 'replaced' }
  | { kind: 'misbehaving' }
  | { kind: 'room-closed' };

/** JOIN_REFUSALS are the `join` errors that end the attempt: retrying cannot help. */
export const JOIN_REFUSALS = new Set(['room-full', 'bad-room-name', 'room-locked', 'too-many-rooms', 'address-rooms', 'bad-field']);

/** SocketLike is the part of WebSocket the client uses, so tests can hand it a fake. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** SignalingOptions configure a SignalingClient. */
export interface SignalingOptions {
  url: string;
  room: string;
  name: string;
  /** chatOnly joins as a peer that makes no call (docs/protocol.md, `join`). */
  chatOnly?: boolean;
  /** overflow joins room as a class address: a full room seats the page in the class's next room (docs/protocol.md, Class addresses). */
  overflow?: boolean;
  seats: SeatBook;
  /** connect opens a socket; defaults to `new WebSocket(url)`. */
  connect?: (url: string) => SocketLike;
  backoff?: BackoffPolicy;
  now?: () => number;
  onFrame(frame: ServerFrame): void;
  onSent(req: ClientRequest): void;
  onStatus(status: Status): void;
  onWelcome(frame: WelcomeFrame): void;
  onEnd(reason: EndReason): void;
}

const OPEN = 1;

/** SignalingClient keeps one seat in one room over a WebSocket that may come and go. */
export class SignalingClient {
  #ws: SocketLike | null = null;
  #status: Status = { phase: 'connecting', attempt: 0, lostAt: null, closeCode: null };
  #queue: ClientRequest[] = [];
  #retry: ReturnType<typeof setTimeout> | null = null;
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #pongWait: ReturnType<typeof setTimeout> | null = null;
  #lastHeard = 0;
  #welcome: WelcomeFrame | null = null;
  #rename: string | null = null;
  readonly #now: () => number;

  constructor(private readonly opts: SignalingOptions) {
    this.#now = opts.now ?? Date.now;
  }

  /** status is the current status. */
  get status(): Status {
    return this.#status;
  }

  /** welcome is the last `welcome` received, or null before the first. */
  get welcome(): WelcomeFrame | null {
    return this.#welcome;
  }

  /** start opens the first connection. */
  start(): void {
    this.#open();
  }

  /** send sends a request now, or queues a relayed one until the seat is back. */
  send(req: ClientRequest): void {
    if (this.#status.phase === 'ended') return;
    const relayed = req.type === 'signal' || req.type === 'broadcast';
    if (relayed && (this.#status.phase !== 'in-room' || this.#ws?.readyState !== OPEN)) {
      this.#queue.push(req);
      if (this.#queue.length > QUEUE_MAX) this.#queue.shift();
      return;
    }
    this.#write(req);
  }

  /** leave leaves the room and closes for good. */
  leave(): void {
    if (this.#status.phase === 'ended') return;
    if (this.#ws?.readyState === OPEN && this.#status.phase === 'in-room') this.#write({ type: 'leave' });
    this.opts.seats.clear();
    this.#end({ kind: 'left' }, CLOSE.normal);
  }

  /**
   * dropSocket cuts the connection the way a network drop would (the
   * server keeps the seat) and reconnects: the teaching view's
   * "simulate a drop" button, and the end-to-end tests' hook.
   */
  dropSocket(): void {
    const ws = this.#ws;
    if (!ws || this.#status.phase === 'ended') return;
    this.#detach(ws);
    ws.close(CLOSE.simulatedDrop, 'dropped by the client');
    this.#lost(0);
  }

  /**
   * networkBack is for the browser's `online` event: the device lost its
   * network and has it again. Reconnecting: try now rather than after the
   * backoff. In a room: the socket most likely died with the old network
   * (roaming to another access point brings a new address, and TCP would
   * notice only when a ping goes unanswered, seconds later), so drop it and
   * take the seat back at once.
   */
  networkBack(): void {
    if (this.#status.phase === 'reconnecting') this.retryNow();
    else if (this.#status.phase === 'in-room') this.dropSocket();
  }

  /** retryNow skips the backoff wait (the device came back online). */
  retryNow(): void {
    if (this.#status.phase !== 'reconnecting' || this.#retry === null) return;
    clearTimeout(this.#retry);
    this.#retry = null;
    this.#open();
  }

  #open(): void {
    const connect = this.opts.connect ?? ((url: string) => new WebSocket(url) as SocketLike);
    let ws: SocketLike;
    try {
      ws = connect(this.opts.url);
    } catch {
      this.#lost(0);
      return;
    }
    this.#ws = ws;
    ws.onmessage = (ev) => this.#message(ev.data);
    ws.onclose = (ev) => {
      this.#detach(ws);
      this.#closed(ev.code);
    };
    ws.onerror = () => {}; // a close event follows
  }

  #message(data: unknown): void {
    if (typeof data !== 'string') return;
    const frame = parseFrame(data);
    if (!frame) return;
    this.#lastHeard = this.#now();
    if (!this.opts.seats.accept(frame)) return;
    switch (frame.type) {
      case 'welcome':
        this.#welcomed(frame);
        return;
      case 'pong':
        return;
      case 'joined':
      case 'resumed':
        this.#setStatus({ phase: 'in-room', attempt: 0, lostAt: null, closeCode: null });
        this.opts.onFrame(frame);
        if (this.#rename !== null && this.#rename !== frame.self.name) this.#write({ type: 'rename', name: this.#rename });
        this.#rename = null;
        this.#flush();
        return;
      case 'error':
        this.opts.onFrame(frame);
        this.#failed(frame.code, frame.request);
        return;
      case 'left':
        this.opts.onFrame(frame);
        if (frame.reason === 'room-closed') {
          this.opts.seats.clear();
          this.#end({ kind: 'room-closed' }, CLOSE.normal);
        }
        return;
      default:
        this.opts.onFrame(frame);
    }
  }

  #welcomed(frame: WelcomeFrame): void {
    this.#welcome = frame;
    this.opts.onWelcome(frame);
    this.#startHeartbeat();
    const resume = this.opts.seats.resumeRequest(this.opts.room);
    if (resume) {
      this.#setStatus({ ...this.#status, phase: 'resuming' });
      this.#write(resume);
    } else {
      this.#join();
    }
  }

  /**
   * rename asks for a new display name; the server answers with
   * peer-renamed. While the seat is being taken back it waits, and goes out
   * once the seat is back (a resumed seat keeps its old name otherwise).
   */
  rename(name: string): void {
    this.opts.name = name;
    if (this.#status.phase === 'in-room' && this.#ws?.readyState === OPEN) this.#write({ type: 'rename', name });
    else this.#rename = name;
  }

  #join(): void {
    this.#setStatus({ ...this.#status, phase: 'joining' });
    const req: ClientRequest = { type: 'join', room: this.opts.room };
    if (this.opts.name) req.name = this.opts.name;
    if (this.opts.chatOnly) req.chatOnly = true;
    if (this.opts.overflow) req.overflow = true;
    this.#write(req);
  }

  #failed(code: string, request: string | undefined): void {
    if (request === 'resume' && code === 'bad-token') {
      this.opts.seats.resumeFailed();
      this.#join();
    } else if (request === 'join' && JOIN_REFUSALS.has(code)) {
      this.#end({ kind: 'refused', code }, CLOSE.normal);
    }
  }

  #closed(code: number): void {
    switch (code) {
      case CLOSE.kicked:
        this.opts.seats.clear();
        this.#end({ kind: 'kicked' });
        return;
      case CLOSE.replaced:
        this.#end({ kind: 'replaced' });
        return;
      case CLOSE.misbehaving:
        this.opts.seats.clear();
        this.#end({ kind: 'misbehaving' });
        return;
      case CLOSE.slow:
        this.opts.seats.clear(); // the seat is gone: join afresh
        break;
    }
    this.#lost(code);
  }

  #lost(code: number): void {
    this.#stopHeartbeat();
    this.#ws = null;
    if (this.#status.phase === 'ended') return;
    const attempt = this.#status.phase === 'reconnecting' ? this.#status.attempt + 1 : 0;
    this.#setStatus({
      phase: 'reconnecting',
      attempt,
      lostAt: this.#status.lostAt ?? this.#now(),
      // A failed attempt (abnormal: no close frame) keeps the reason the
      // server gave when the connection was lost ("stopping", "full").
      closeCode: code === CLOSE.abnormal ? (this.#status.closeCode ?? code) : code || this.#status.closeCode,
    });
    const delay = backoffDelay(attempt, this.opts.backoff ?? RECONNECT_BACKOFF);
    this.#retry = setTimeout(() => {
      this.#retry = null;
      this.#open();
    }, delay);
  }

  #end(reason: EndReason, code?: number): void {
    const ws = this.#ws;
    this.#ws = null;
    this.#stopHeartbeat();
    if (this.#retry !== null) clearTimeout(this.#retry);
    this.#retry = null;
    this.#queue = [];
    if (ws) {
      this.#detach(ws);
      if (code !== undefined) ws.close(code);
    }
    this.#setStatus({ ...this.#status, phase: 'ended' });
    this.opts.onEnd(reason);
  }

  #detach(ws: SocketLike): void {
    ws.onmessage = null;
    ws.onclose = null;
    ws.onerror = null;
    ws.onopen = null;
  }

  #write(req: ClientRequest): void {
    const ws = this.#ws;
    if (!ws || ws.readyState !== OPEN) return;
    ws.send(JSON.stringify(req));
    if (req.type !== 'ping') this.opts.onSent(req);
  }

  #flush(): void {
    const q = this.#queue;
    this.#queue = [];
    for (const req of q) this.#write(req);
  }

  #startHeartbeat(): void {
    this.#stopHeartbeat();
    this.#heartbeat = setInterval(() => {
      const sentAt = this.#now();
      this.#write({ type: 'ping' });
      if (this.#pongWait !== null) clearTimeout(this.#pongWait);
      this.#pongWait = setTimeout(() => {
        this.#pongWait = null;
        if (this.#lastHeard < sentAt) this.dropSocket();
      }, PONG_WAIT_MS);
    }, HEARTBEAT_MS);
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    if (this.#pongWait !== null) clearTimeout(this.#pongWait);
    this.#heartbeat = null;
    this.#pongWait = null;
  }

  #setStatus(s: Status): void {
    this.#status = s;
    this.opts.onStatus(s);
  }
}
