// The call's handling of chat-only peers (docs/protocol.md, PeerInfo
// `chatOnly`): no RTCPeerConnection is made for them and nothing is
// signalled to them, whichever way they are learnt of, and their signals
// are ignored. Node has no WebRTC, so RTCPeerConnection and MediaStream are
// stand-ins that count what the call creates; the test plays the server.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Call, reconnecting } from './call';
import { STALL_MS, WATCH_MS } from './liveness';
import type { LocalMedia } from './media';
import { SeatBook } from './seat';
import type { StatsEntry } from './stats';
import { MAX_UPGRADES, RESTART_SETTLE_MS, UPGRADE_AFTER_MS } from './upgrade';
import { FakeSocket } from './testing/fake-socket';

/** FakePC records each RTCPeerConnection the call makes; it never negotiates. */
class FakePC {
  static made: FakePC[] = [];
  closed = false;
  iceRestarts = 0;
  signalingState = 'stable';
  connectionState = 'new';
  iceConnectionState = 'new';
  /** received is what getStats() reports as received: the test moves it as media would. */
  received = 0;
  onnegotiationneeded: unknown = null;
  onicecandidate: unknown = null;
  ontrack: unknown = null;
  onconnectionstatechange: unknown = null;
  oniceconnectionstatechange: unknown = null;
  onsignalingstatechange: unknown = null;
  constructor() {
    FakePC.made.push(this);
  }
  addTransceiver() {}
  getTransceivers() {
    return [];
  }
  setRemoteDescription() {
    return Promise.resolve();
  }
  setLocalDescription() {
    return new Promise(() => {}); // never settles: no answer goes out
  }
  addIceCandidate() {
    return Promise.resolve();
  }
  close() {
    this.closed = true;
  }
  restartIce() {
    this.iceRestarts++;
  }
  /** report, when set, is the whole getStats() answer (a candidate-pair view for the route upgrade). */
  report: StatsEntry[] | null = null;
  getStats() {
    if (this.report) return Promise.resolve(new Map(this.report.map((e) => [e.id, e])));
    return Promise.resolve(new Map([['P', { id: 'P', type: 'candidate-pair', bytesReceived: this.received }]]));
  }
}

class FakeStream {
  getTracks() {
    return [];
  }
}

/** media is the part of LocalMedia a call reads: nothing to send. */
const media = {
  stream: new FakeStream(),
  audio: null,
  camera: null,
  screen: null,
  micOn: true,
  camOn: true,
  onChange: () => () => {},
  outgoing: () => null,
} as unknown as LocalMedia;

const welcome = { type: 'welcome', seq: 1, protocol: 1, server: { name: 'S', version: 'v' }, peer: { id: 'A', name: 'Ana' }, pingInterval: 20000, limits: { maxMessageSize: 65536, rate: 50, burst: 200, roomCapacity: 4, resumeGrace: 10000 }, iceServers: [] };
const ben = { id: 'B', name: 'Ben' };
const window_ = { id: 'W', name: 'Window', chatOnly: true };
const offer = (pc: string) => ({ pc, description: { type: 'offer', sdp: 'v=0\r\n' } });

function setup(webrtc = true) {
  let socket: FakeSocket | null = null;
  const call = new Call({
    room: 'math',
    name: 'Ana',
    url: 'ws://test/ws',
    seats: new SeatBook(null),
    media,
    webrtc,
    connect: () => (socket = new FakeSocket()),
  });
  call.start();
  const ws = socket as unknown as FakeSocket;
  ws.serve(welcome);
  const signalsTo = (id: string) => ws.sent.filter((r) => r.type === 'signal' && r.to === id);
  return { call, ws, signalsTo };
}

beforeEach(() => {
  FakePC.made = [];
  vi.stubGlobal('RTCPeerConnection', FakePC);
  vi.stubGlobal('MediaStream', FakeStream);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Call with chat-only peers', () => {
  it('joins as chat-only only when this browser cannot call', () => {
    const join = (webrtc: boolean) => setup(webrtc).ws.sent.find((r) => r.type === 'join');
    expect(join(true)).toEqual({ type: 'join', room: 'math', name: 'Ana' });
    expect(join(false)).toEqual({ type: 'join', room: 'math', name: 'Ana', chatOnly: true });
  });

  it('offers to the peers already there but not to a chat-only one', () => {
    const { call, ws, signalsTo } = setup();
    ws.serve({ type: 'joined', seq: 2, room: 'math', self: { id: 'A', name: 'Ana' }, peers: [ben, window_], capacity: 4, token: 't' });
    expect(FakePC.made).toHaveLength(1);
    expect(call.peers.get('B')?.link).not.toBeNull();
    expect(call.peers.get('W')?.link).toBeNull();
    expect(call.chatOnlyPeers().map((p) => p.info.id)).toEqual(['W']);
    expect(signalsTo('W')).toEqual([]);
  });

  it('answers an ordinary peer’s offer but ignores a chat-only peer’s', () => {
    const { call, ws, signalsTo } = setup();
    ws.serve({ type: 'joined', seq: 2, room: 'math', self: { id: 'A', name: 'Ana' }, peers: [], capacity: 4, token: 't' });
    ws.serve({ type: 'peer-joined', seq: 3, room: 'math', peer: window_ });
    ws.serve({ type: 'peer-joined', seq: 4, room: 'math', peer: ben });
    expect(FakePC.made).toHaveLength(0); // the arriving peers offer
    ws.serve({ type: 'signal', seq: 5, from: 'W', name: 'Window', data: offer('aaaaaaaaaaaa') });
    expect(FakePC.made).toHaveLength(0);
    expect(call.peers.get('W')?.link).toBeNull();
    expect(call.log.some((e) => e.dir === 'local' && e.local.event === 'chat-only')).toBe(true);
    ws.serve({ type: 'signal', seq: 6, from: 'B', name: 'Ben', data: offer('bbbbbbbbbbbb') });
    expect(FakePC.made).toHaveLength(1);
    expect(call.peers.get('B')?.link).not.toBeNull();
    expect(signalsTo('W')).toEqual([]);
  });

  it('tells only peers in the call about its media', () => {
    const { ws } = setup();
    ws.serve({ type: 'joined', seq: 2, room: 'math', self: { id: 'A', name: 'Ana' }, peers: [window_], capacity: 4, token: 't' });
    const media = () => ws.sent.filter((r) => r.type === 'broadcast' && r.data.media !== undefined).length;
    expect(media()).toBe(0);
    ws.serve({ type: 'peer-joined', seq: 3, room: 'math', peer: ben });
    expect(media()).toBe(1);
  });

  it('closes a connection it made before it learnt the peer is chat-only', () => {
    const { call, ws } = setup();
    ws.serve({ type: 'joined', seq: 2, room: 'math', self: { id: 'A', name: 'Ana' }, peers: [], capacity: 4, token: 't' });
    // A replayed signal can come before the peer is described.
    ws.serve({ type: 'signal', seq: 3, from: 'W', name: 'Window', data: offer('cccccccccccc') });
    expect(FakePC.made).toHaveLength(1);
    ws.serve({ type: 'resumed', seq: 4, room: 'math', self: { id: 'A', name: 'Ana' }, peers: [window_], capacity: 4, token: 't', lost: 0 });
    expect(FakePC.made[0]!.closed).toBe(true);
    expect(call.peers.get('W')?.link).toBeNull();
    expect(FakePC.made).toHaveLength(1);
  });
});

describe('Call presence and names', () => {
  it('says who is reconnecting, who is back, who left, and who renamed', () => {
    const { call, ws } = setup();
    const news: string[] = [];
    call.on('presence', (p) => news.push(`${p.kind} ${p.name}${p.was ? ` was ${p.was}` : ''}`));
    ws.serve({ type: 'joined', seq: 2, room: 'math · 2', class: 'math', self: { id: 'A', name: 'Ana' }, peers: [ben], capacity: 2, token: 't' });
    expect(call.room).toBe('math · 2');
    ws.serve({ type: 'peer-away', seq: 3, room: 'math · 2', peer: ben });
    expect(call.peers.get('B')?.away).toBe(true);
    ws.serve({ type: 'peer-back', seq: 4, room: 'math · 2', peer: ben });
    expect(call.peers.get('B')?.away).toBe(false);
    ws.serve({ type: 'peer-renamed', seq: 5, room: 'math · 2', peer: { id: 'B', name: 'Benjamin' } });
    expect(call.peers.get('B')?.info.name).toBe('Benjamin');
    ws.serve({ type: 'peer-left', seq: 6, room: 'math · 2', peer: { id: 'B', name: 'Benjamin' }, reason: 'timed-out' });
    expect(call.peers.has('B')).toBe(false);
    expect(news).toEqual(['away Ben', 'back Ben', 'renamed Benjamin was Ben', 'left Benjamin']);
    expect(call.chat.map((l) => `${l.notice} ${l.name}`)).toEqual(['renamed Benjamin', 'left Benjamin']);
  });

  it('joins a class address with overflow and renames itself through the server', () => {
    let socket: FakeSocket | null = null;
    const call = new Call({ room: 'math', name: 'Ana', url: 'ws://test/ws', seats: new SeatBook(null), media, webrtc: true, overflow: true, connect: () => (socket = new FakeSocket()) });
    call.start();
    const ws = socket as unknown as FakeSocket;
    ws.serve(welcome);
    expect(ws.sent.find((r) => r.type === 'join')).toEqual({ type: 'join', room: 'math', name: 'Ana', overflow: true });
    ws.serve({ type: 'joined', seq: 2, room: 'math', class: 'math', self: { id: 'A', name: 'Ana' }, peers: [], capacity: 2, token: 't' });
    call.rename('  Ana María ');
    expect(ws.sent.at(-1)).toEqual({ type: 'rename', name: 'Ana María' });
    ws.serve({ type: 'peer-renamed', seq: 3, room: 'math', peer: { id: 'A', name: 'Ana María' } });
    expect(call.self?.name).toBe('Ana María');
  });
});

describe('Call after a lost connection', () => {
  it('restarts ICE with every peer when it takes its seat back, even with nothing lost (the device may have roamed)', () => {
    const { ws } = setup();
    ws.serve({ type: 'joined', seq: 2, room: 'math', self: { id: 'A', name: 'Ana' }, peers: [ben], capacity: 4, token: 't' });
    expect(FakePC.made).toHaveLength(1);
    expect(FakePC.made[0]!.iceRestarts).toBe(0);
    ws.serve({ type: 'resumed', seq: 3, room: 'math', self: { id: 'A', name: 'Ana' }, peers: [ben], capacity: 4, token: 't', lost: 0 });
    expect(FakePC.made).toHaveLength(1);
    expect(FakePC.made[0]!.iceRestarts).toBe(1);
  });
});

describe('Call when a partner’s media stops arriving', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** flowing moves Ben's bytes on every watch tick for ms. */
  async function flowing(pc: FakePC, ms: number) {
    for (let t = 0; t < ms; t += WATCH_MS) {
      pc.received += 1200;
      await vi.advanceTimersByTimeAsync(WATCH_MS);
    }
  }

  it('shows Ben as reconnecting within STALL_MS plus a tick, back when his media flows, and never as left', async () => {
    const { call, ws } = setup();
    const news: string[] = [];
    call.on('presence', (p) => news.push(`${p.kind} ${p.name}`));
    ws.serve({ type: 'joined', seq: 2, room: 'math', self: { id: 'A', name: 'Ana' }, peers: [ben], capacity: 4, token: 't' });
    const pc = FakePC.made[0]!;
    const ben_ = () => call.peers.get('B')!;
    // Connecting: nothing arrives yet, and that is not "reconnecting".
    await vi.advanceTimersByTimeAsync(3 * STALL_MS);
    expect(news).toEqual([]);
    pc.iceConnectionState = 'connected';
    await flowing(pc, 2000);
    expect(news).toEqual([]);
    // Ben's Wi-Fi drops: nothing more arrives, the server knows nothing yet.
    await vi.advanceTimersByTimeAsync(STALL_MS + WATCH_MS);
    expect(news).toEqual(['away Ben']);
    expect(reconnecting(ben_())).toBe(true);
    expect(ben_().away).toBe(false);
    // Later the server notices too, and then sees him back before the call
    // has found its new path: still reconnecting, said once.
    ws.serve({ type: 'peer-away', seq: 3, room: 'math', peer: ben });
    ws.serve({ type: 'peer-back', seq: 4, room: 'math', peer: ben });
    expect(news).toEqual(['away Ben']);
    expect(reconnecting(ben_())).toBe(true);
    await flowing(pc, WATCH_MS);
    expect(news).toEqual(['away Ben', 'back Ben']);
    expect(reconnecting(ben_())).toBe(false);
    expect(call.peers.has('B')).toBe(true);
    expect(call.log.filter((e) => e.dir === 'local' && e.local.event.startsWith('media-')).map((e) => e.dir === 'local' && e.local.event)).toEqual(['media-stalled', 'media-flowing']);
  });

  it('does not take the silence of a partner who sends nothing for a lost connection', async () => {
    const { call, ws } = setup();
    const news: string[] = [];
    call.on('presence', (p) => news.push(`${p.kind} ${p.name}`));
    ws.serve({ type: 'joined', seq: 2, room: 'math', self: { id: 'A', name: 'Ana' }, peers: [ben], capacity: 4, token: 't' });
    const pc = FakePC.made[0]!;
    pc.iceConnectionState = 'connected';
    await flowing(pc, 1000);
    ws.serve({ type: 'broadcast', seq: 3, from: 'B', name: 'Ben', data: { media: { mic: false, cam: false, screen: false } } });
    await vi.advanceTimersByTimeAsync(5 * STALL_MS);
    expect(news).toEqual([]);
    // ICE losing the path still counts.
    pc.iceConnectionState = 'disconnected';
    await vi.advanceTimersByTimeAsync(WATCH_MS);
    expect(news).toEqual(['away Ben']);
  });

  it('stops watching when the call ends', async () => {
    const { call, ws } = setup();
    ws.serve({ type: 'joined', seq: 2, room: 'math', self: { id: 'A', name: 'Ana' }, peers: [ben], capacity: 4, token: 't' });
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    call.leave();
    ws.serve({ type: 'left', seq: 3 });
    ws.drop(1000);
    expect(call.ended).not.toBeNull();
    const pc = FakePC.made[0]!;
    const reads = vi.spyOn(pc, 'getStats');
    await vi.advanceTimersByTimeAsync(5 * WATCH_MS);
    expect(reads).not.toHaveBeenCalled();
  });
});

describe('Call on the relay while a direct path works', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  /** report is Ana's getStats(): the pair in use starts at her relay; the host pair did or did not succeed. */
  const report = (hostPair: string): StatsEntry[] => [
    { id: 'T', type: 'transport', selectedCandidatePairId: 'CPr' },
    { id: 'Lh', type: 'local-candidate', candidateType: 'host', address: '10.42.0.11', port: 5001 },
    { id: 'Lr', type: 'local-candidate', candidateType: 'relay', address: '10.42.0.1', port: 49160 },
    { id: 'Rh', type: 'remote-candidate', candidateType: 'host', address: '10.42.0.13', port: 6001 },
    { id: 'CPh', type: 'candidate-pair', localCandidateId: 'Lh', remoteCandidateId: 'Rh', state: hostPair },
    { id: 'CPr', type: 'candidate-pair', localCandidateId: 'Lr', remoteCandidateId: 'Rh', state: 'succeeded', nominated: true, bytesReceived: 1 },
  ];

  it.each([
    ['open network: restarts ICE, logs it and counts it; again when the restart does not take', 'succeeded', 1],
    ['AP isolation: the direct pair failed, so it never restarts', 'failed', 0],
  ])('%s', async (_, hostPair, want) => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    const { call, ws } = setup();
    ws.serve({ type: 'joined', seq: 2, room: 'math', self: { id: 'A', name: 'Ana' }, peers: [ben], capacity: 4, token: 't' });
    const pc = FakePC.made[0]!;
    pc.iceConnectionState = 'connected';
    pc.report = report(hostPair);
    await vi.advanceTimersByTimeAsync(UPGRADE_AFTER_MS - WATCH_MS);
    expect(pc.iceRestarts).toBe(0); // the browser gets its time to switch by itself
    await vi.advanceTimersByTimeAsync(2 * WATCH_MS);
    expect(pc.iceRestarts).toBe(want);
    await vi.advanceTimersByTimeAsync(RESTART_SETTLE_MS - 2 * WATCH_MS);
    expect(pc.iceRestarts).toBe(want); // the restart gets its time
    // The same pair still in use: the restart did not take, so once more, then the budget is spent.
    await vi.advanceTimersByTimeAsync(10 * UPGRADE_AFTER_MS + 10 * RESTART_SETTLE_MS);
    const all = want * MAX_UPGRADES;
    expect(pc.iceRestarts).toBe(all);
    expect(call.routeUpgrades).toBe(all);
    const logged = call.log.filter((e) => e.dir === 'local' && e.local.event === 'route-upgrade');
    const upgrade = { event: 'route-upgrade', peer: 'Ben', via: 'relay 10.42.0.1:49160 → host 10.42.0.13:6001', direct: 'host 10.42.0.11:5001 → host 10.42.0.13:6001' };
    expect(logged.map((e) => e.dir === 'local' && e.local)).toEqual(Array(all).fill(upgrade));
    expect(info).toHaveBeenCalledTimes(all);
    if (want) expect(String(info.mock.calls[0]![0])).toMatch(/^signalbox: route upgrade with Ben: /);
  });

  it('restarts ICE when the partner asks for the direct route, once per upgrade under way', async () => {
    vi.spyOn(console, 'info').mockImplementation(() => {});
    const { call, ws } = setup();
    ws.serve({ type: 'joined', seq: 2, room: 'math', self: { id: 'A', name: 'Ana' }, peers: [ben], capacity: 4, token: 't' });
    const pc = FakePC.made[0]!;
    const localPc = call.peers.get('B')!.link!.localPc;
    ws.serve({ type: 'signal', seq: 3, from: 'B', name: 'Ben', data: { pc: 'bbbbbbbbbbbb', toPc: localPc, restart: 'route' } });
    ws.serve({ type: 'signal', seq: 4, from: 'B', name: 'Ben', data: { pc: 'bbbbbbbbbbbb', toPc: localPc, restart: 'route' } });
    expect(pc.iceRestarts).toBe(1);
    expect(call.routeUpgrades).toBe(1);
    // Meant for an earlier connection of ours: ignored.
    ws.serve({ type: 'signal', seq: 5, from: 'B', name: 'Ben', data: { pc: 'bbbbbbbbbbbb', toPc: '000000000000', restart: 'route' } });
    expect(pc.iceRestarts).toBe(1);
    expect(FakePC.made).toHaveLength(1);
  });
});
