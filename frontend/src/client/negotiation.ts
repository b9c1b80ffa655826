// Pure decisions of the perfect-negotiation pattern and of this client's
// connection ids (see docs/protocol.md, "Client conventions").

import type { SignalData } from './protocol';

/**
 * isPolite says whether this side yields when both peers send an offer at
 * once. Exactly one of two peers is polite: the one whose id sorts first
 * (plain code-unit order, the same in every browser).
 */
export function isPolite(selfId: string, remoteId: string): boolean {
  return selfId < remoteId;
}

/** ConnIds are the ids of the two ends of one connection, as this side knows them. */
export interface ConnIds {
  localPc: string;
  remotePc: string | null;
}

/**
 * SignalRoute is what to do with a signal from a peer:
 * - `accept`: it belongs to the current connection;
 * - `create`: no connection yet: make one and hand it the signal;
 * - `replace`: the peer started a new connection (it reloaded): drop ours, make a new one;
 * - `stale`: it was meant for a connection of ours that no longer exists: ignore it.
 */
export type SignalRoute = 'accept' | 'create' | 'replace' | 'stale';

/** routeSignal decides where a signal goes, given the current connection (or null). */
export function routeSignal(current: ConnIds | null, data: Pick<SignalData, 'pc' | 'toPc'>): SignalRoute {
  if (data.toPc !== undefined && (current === null || data.toPc !== current.localPc)) return 'stale';
  if (current === null) return 'create';
  if (current.remotePc !== null && current.remotePc !== data.pc) return 'replace';
  return 'accept';
}

/** newConnId returns a short random id for one RTCPeerConnection. */
export function newConnId(): string {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
