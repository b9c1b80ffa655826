// A stand-in WebSocket for unit tests (vitest): the test plays the server.
// Only tests import this file.

import type { ClientRequest } from '../protocol';
import type { SocketLike } from '../signaling';

/** FakeSocket records what the client sends and delivers what the test serves. */
export class FakeSocket implements SocketLike {
  readyState = 1;
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  sent: ClientRequest[] = [];
  closedWith: number | undefined | null = null;
  send(data: string) {
    this.sent.push(JSON.parse(data) as ClientRequest);
  }
  close(code?: number) {
    this.closedWith = code;
    this.readyState = 3;
  }
  /** serve delivers a server frame. */
  serve(frame: { type: string; seq: number; [field: string]: unknown }) {
    this.onmessage?.({ data: JSON.stringify(frame) } as MessageEvent);
  }
  /** drop closes from the server's side (or the network's). */
  drop(code: number) {
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
}
