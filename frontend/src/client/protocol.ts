// The native protocol's frames as the client sees them (docs/protocol.md),
// and the shapes of the data this client puts inside `signal` and
// `broadcast` (docs/protocol.md, "Client conventions").

/**
 * PeerInfo names a peer: its server-assigned id and display name, and
 * `chatOnly` when it joined to chat and makes no call (the desktop window,
 * a browser without WebRTC): nobody opens a connection with such a peer.
 */
export interface PeerInfo {
  id: string;
  name: string;
  chatOnly?: boolean;
}

/** Limits are the server's limits, from `welcome`. */
export interface Limits {
  maxMessageSize: number;
  rate: number;
  burst: number;
  roomCapacity: number;
  resumeGrace: number;
}

export interface WelcomeFrame {
  type: 'welcome';
  seq: number;
  protocol: number;
  server: { name: string; version: string };
  peer: PeerInfo;
  pingInterval: number;
  limits: Limits;
  iceServers: RTCIceServer[];
}

export interface JoinedFrame {
  type: 'joined' | 'resumed';
  seq: number;
  room: string;
  /** class is the class address that seated this page (a `join` with overflow); room may then be the class's second, third… room. */
  class?: string;
  self: PeerInfo;
  peers: PeerInfo[];
  capacity: number;
  token: string;
  lost?: number;
}

export interface PresenceFrame {
  type: 'peer-joined' | 'peer-left' | 'peer-away' | 'peer-back' | 'peer-renamed';
  seq: number;
  room: string;
  peer: PeerInfo;
  reason?: string;
}

export interface RelayFrame {
  type: 'signal' | 'broadcast';
  seq: number;
  from: string;
  name: string;
  data: unknown;
}

export interface LeftFrame {
  type: 'left';
  seq: number;
  room: string;
  reason: string;
}

export interface ErrorFrame {
  type: 'error';
  seq: number;
  code: string;
  message: string;
  request?: string;
}

export interface PongFrame {
  type: 'pong';
  seq: number;
}

/** ServerFrame is any frame the server sends. */
export type ServerFrame =
  | WelcomeFrame
  | JoinedFrame
  | PresenceFrame
  | RelayFrame
  | LeftFrame
  | ErrorFrame
  | PongFrame;

/** ClientRequest is any frame the client sends. */
export type ClientRequest =
  | { type: 'join'; room: string; name?: string; chatOnly?: boolean; overflow?: boolean }
  | { type: 'rename'; name: string }
  | { type: 'leave' }
  | { type: 'signal'; to: string; data: SignalData }
  | { type: 'broadcast'; data: BroadcastData }
  | { type: 'resume'; token: string; lastSeq: number }
  | { type: 'ping' };

const SERVER_TYPES = new Set([
  'welcome', 'joined', 'resumed', 'peer-joined', 'peer-left', 'peer-away', 'peer-back', 'peer-renamed', 'signal', 'broadcast', 'left', 'error', 'pong',
]);

/** parseFrame decodes one server frame, or returns null for anything that is not one. */
export function parseFrame(text: string): ServerFrame | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as { type?: unknown; seq?: unknown };
  if (typeof o.type !== 'string' || !SERVER_TYPES.has(o.type)) return null;
  if (typeof o.seq !== 'number') return null;
  return v as ServerFrame;
}

/**
 * SignalData is what this client sends in `signal.data`: one description or
 * one candidate, tagged with the sender's connection id (`pc`) and, once
 * known, the receiver's (`toPc`), so a message meant for a connection that
 * no longer exists (the page was reloaded) is recognised and dropped.
 */
export interface SignalData {
  pc: string;
  toPc?: string;
  description?: RTCSessionDescriptionInit;
  candidate?: RTCIceCandidateInit;
  /** restart `route` asks the receiver to restart ICE and make the offer: the sender's side of the call goes through the relay while a direct pair works (upgrade.ts). */
  restart?: 'route';
}

/** MediaState is what a peer tells the room about its own media. */
export interface MediaState {
  mic: boolean;
  cam: boolean;
  screen: boolean;
}

/** BroadcastData is what this client sends in `broadcast.data`. */
export interface BroadcastData {
  chat?: string;
  media?: MediaState;
}

/** asSignalData checks relayed data is a SignalData; other programs may send anything. */
export function asSignalData(data: unknown): SignalData | null {
  if (typeof data !== 'object' || data === null) return null;
  const d = data as Record<string, unknown>;
  if (typeof d.pc !== 'string') return null;
  if (d.toPc !== undefined && typeof d.toPc !== 'string') return null;
  const desc = d.description as Record<string, unknown> | undefined;
  if (desc !== undefined) {
    if (typeof desc !== 'object' || desc === null) return null;
    if (desc.type !== 'offer' && desc.type !== 'answer' && desc.type !== 'pranswer' && desc.type !== 'rollback') return null;
    if (desc.sdp !== undefined && typeof desc.sdp !== 'string') return null;
  }
  const cand = d.candidate as Record<string, unknown> | undefined;
  if (cand !== undefined && (typeof cand !== 'object' || cand === null || typeof cand.candidate !== 'string')) return null;
  if (d.restart !== undefined && d.restart !== 'route') return null;
  if ([desc, cand, d.restart].filter((x) => x !== undefined).length !== 1) return null;
  return d as unknown as SignalData;
}

/** asBroadcastData checks relayed broadcast data; unknown fields are ignored. */
export function asBroadcastData(data: unknown): BroadcastData {
  const out: BroadcastData = {};
  if (typeof data !== 'object' || data === null) return out;
  const d = data as Record<string, unknown>;
  if (typeof d.chat === 'string') out.chat = d.chat;
  const m = d.media as Record<string, unknown> | undefined;
  if (typeof m === 'object' && m !== null) {
    out.media = { mic: m.mic === true, cam: m.cam === true, screen: m.screen === true };
  }
  return out;
}

/** Close codes of docs/protocol.md. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  /** abnormal is the browser's code for a connection that ended with no close frame (or never opened). */
  abnormal: 1006,
  tooLarge: 1009,
  serverFull: 1013,
  kicked: 4001,
  replaced: 4002,
  slow: 4003,
  misbehaving: 4004,
  /** simulatedDrop is this client's own code when it cuts its socket on purpose: the server keeps the seat. */
  simulatedDrop: 4000,
} as const;
