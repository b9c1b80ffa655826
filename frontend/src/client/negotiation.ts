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

/** DtlsRole is one side's part in the DTLS handshake: `client` (SDP `a=setup:active`) or `server` (`passive`). */
export type DtlsRole = 'client' | 'server';

/** setupValues returns every `a=setup:` value in sdp, in order. */
function setupValues(sdp: string): string[] {
  return [...sdp.matchAll(/^a=setup:(\S+)/gm)].map((m) => m[1]);
}

/**
 * settledDtlsRole is this side's DTLS role as the last completed
 * negotiation fixed it (RFC 5763 §5, RFC 8842), from the current local and
 * remote descriptions, or null before any negotiation completed. The side
 * that answered chose: its own answer's `setup` when we answered, the
 * remote answer's `setup` (the other way round) when we offered.
 */
export function settledDtlsRole(local: RTCSessionDescriptionInit | null, remote: RTCSessionDescriptionInit | null): DtlsRole | null {
  if (!local?.sdp || !remote?.sdp) return null;
  const answer = local.type === 'answer' ? local.sdp : remote.type === 'answer' ? remote.sdp : null;
  if (answer === null) return null;
  const v = setupValues(answer)[0];
  if (v !== 'active' && v !== 'passive') return null;
  const answererIsClient = v === 'active';
  const weAnswered = local.type === 'answer';
  return answererIsClient === weAnswered ? 'client' : 'server';
}

/**
 * keepDtlsRole returns the remote answer to apply in place of answer: the
 * same, except that an answer to a later offer (an ICE restart,
 * renegotiation) that would swap the DTLS roles fixed by the first
 * negotiation gets its `a=setup` lines turned back to keep them; role is
 * this side's settled role (settledDtlsRole). Firefox answers a restart
 * offer with `a=setup:active` even where it is the DTLS server (it made the
 * first offer): its transport keeps the role the SDP denies, and Chromium
 * refuses the answer ("Failed to set SSL role for the transport"), which
 * left the call with no media after its partner roamed. The DTLS
 * association is never restarted here, so the settled roles are the true
 * ones. Hand-written: a line rewrite no SDP library does for us.
 */
export function keepDtlsRole(answer: RTCSessionDescriptionInit, role: DtlsRole | null): RTCSessionDescriptionInit {
  if (answer.type !== 'answer' || !answer.sdp || role === null) return answer;
  const theirs = role === 'client' ? 'passive' : 'active';
  const values = setupValues(answer.sdp);
  if (values.every((v) => v === theirs || v === 'actpass' || v === 'holdconn')) return answer;
  return { type: answer.type, sdp: answer.sdp.replace(/^a=setup:(active|passive)(?=\r?$)/gm, `a=setup:${theirs}`) };
}
