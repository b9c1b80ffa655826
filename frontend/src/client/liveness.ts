// Media liveness: noticing, from this side alone, that a partner's media
// stopped arriving. When a student's Wi-Fi drops (roaming between access
// points), the signalling server hears nothing for up to its pong timeout:
// the old TCP path goes silent, no FIN. The call notices within a second or
// two: nothing more arrives on the connection. The page then says "Ana is
// reconnecting…", as it does when the server sends peer-away, and clears it
// when media flows again; it never says she left.
//
// The figure watched is every byte the connection received (getStats():
// each candidate pair's bytesReceived and each inbound-rtp stream's). It
// moves while the partner sends media (RTP, and RTCP sender reports about
// once a second) and while we send to it (its receiver reports and
// congestion feedback), so a partner who mutes its camera still shows as
// live. MediaWatch is pure: the call feeds it samples and a clock.

import type { StatsEntry } from './stats';

/** STALL_MS is how long nothing may arrive on a live connection before the partner shows as reconnecting. */
export const STALL_MS = 1500;
/** WATCH_MS is how often the call reads each connection's received bytes. */
export const WATCH_MS = 500;

/**
 * receivedBytes sums the bytes a getStats() report says arrived: over its
 * candidate pairs and inbound RTP streams (Chromium and Firefox both fill
 * these in). null when the report has none of them yet.
 */
export function receivedBytes(entries: readonly StatsEntry[]): number | null {
  let sum: number | null = null;
  for (const e of entries) {
    if (e.type !== 'candidate-pair' && e.type !== 'inbound-rtp') continue;
    const b = e.bytesReceived;
    if (typeof b === 'number' && Number.isFinite(b)) sum = (sum ?? 0) + b;
  }
  return sum;
}

/** LivenessSample is one reading of one connection. */
export interface LivenessSample {
  /** link identifies the RTCPeerConnection read: a new one (a reload, a replaced link) starts its counters anew. */
  link: string;
  /** received is receivedBytes of its report. */
  received: number | null;
  /** ice is its iceConnectionState. */
  ice: RTCIceConnectionState;
  /** expecting: the partner says it sends a camera or a microphone (or has not said yet). */
  expecting: boolean;
}

/**
 * MediaWatch decides, from samples of one partner's connection, whether its
 * media has stalled. It arms once bytes have been seen arriving on a
 * connected link (a call still connecting is not "reconnecting"); then the
 * partner is stalled when nothing new arrived for STALL_MS or ICE says the
 * path is gone (disconnected, failed), and live again as soon as anything
 * arrives. A partner that sends nothing (no camera, no microphone) is never
 * stalled by silence.
 */
export class MediaWatch {
  stalled = false;
  #armed = false;
  #link: string | null = null;
  #last: number | null = null;
  #changedAt = 0;

  constructor(private readonly stallMs = STALL_MS) {}

  /** observe takes one sample at time now (ms) and returns whether stalled changed. */
  observe(s: LivenessSample, now: number): boolean {
    const was = this.stalled;
    const moved = s.link !== this.#link ? false : s.received !== null && s.received !== this.#last;
    if (s.link !== this.#link) {
      // Another connection: its counters start anew; judge it from now on.
      this.#link = s.link;
      this.#last = s.received;
      this.#changedAt = now;
    } else if (moved) {
      this.#last = s.received;
      this.#changedAt = now;
    }
    const lost = s.ice === 'disconnected' || s.ice === 'failed';
    if (moved && (s.ice === 'connected' || s.ice === 'completed')) this.#armed = true;
    if (!this.#armed) this.stalled = false;
    else if (lost) this.stalled = true;
    else if (moved) this.stalled = false;
    else if (!s.expecting) {
      this.stalled = false;
      this.#changedAt = now; // silence while it sends nothing is no news
    } else if (now - this.#changedAt >= this.stallMs) this.stalled = true;
    return this.stalled !== was;
  }
}
