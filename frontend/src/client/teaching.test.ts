import { describe, expect, it } from 'vitest';
import { clientCatalogue } from '../i18n/client';
import { Translator, type Locale } from '../i18n/core';
import type { ClientRequest, ServerFrame } from './protocol';
import { describe as describeEntry, parseCandidate, sdpMedia, type LogEntry } from './teaching';

const OFFER_SDP = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63',
  'c=IN IP4 0.0.0.0',
  'a=mid:0',
  'a=sendrecv',
  'a=rtpmap:111 opus/48000/2',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
  'c=IN IP4 0.0.0.0',
  'a=mid:1',
  'a=recvonly',
  'a=rtpmap:96 VP8/90000',
  '',
].join('\r\n');

const HOST = 'candidate:842163049 1 udp 2122260223 192.168.1.12 54321 typ host generation 0 ufrag EsAw network-id 1';
const SRFLX = 'candidate:1 1 UDP 1686052607 203.0.113.9 61000 typ srflx raddr 192.168.1.12 rport 54321';
const MDNS = 'candidate:2 1 udp 2122260223 4f1c2e0a-5b8f-4d7e-9c1e-0e5d6c7b8a9f.local 50000 typ host';

function t(locale: Locale) {
  const tr = new Translator(clientCatalogue, locale);
  return (e: LogEntry) => describeEntry((k, p) => tr.t(k, p), e);
}
const out = (req: ClientRequest, peer = 'Ben'): LogEntry => ({ dir: 'out', at: 0, req, peer });
const inn = (frame: ServerFrame, peer = ''): LogEntry => ({ dir: 'in', at: 0, frame, peer });

describe('parseCandidate', () => {
  it('reads type, protocol, address and port', () => {
    expect(parseCandidate(HOST)).toEqual({ type: 'host', protocol: 'udp', address: '192.168.1.12', port: '54321' });
    expect(parseCandidate('a=' + SRFLX)).toEqual({ type: 'srflx', protocol: 'udp', address: '203.0.113.9', port: '61000' });
  });
  it('returns null for end-of-candidates and junk', () => {
    expect(parseCandidate('')).toBeNull();
    expect(parseCandidate('candidate:1 1 udp')).toBeNull();
  });
});

describe('sdpMedia', () => {
  it('lists sections with their direction', () => {
    expect(sdpMedia(OFFER_SDP)).toEqual([
      { kind: 'audio', direction: 'sendrecv' },
      { kind: 'video', direction: 'recvonly' },
    ]);
  });
  it('treats a rejected section (port 0) as off', () => {
    expect(sdpMedia('m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=sendrecv\r\n')).toEqual([{ kind: 'video', direction: 'inactive' }]);
  });
});

describe('describe', () => {
  const en = t('en');
  const zh = t('zh-CN');
  const offer = out({ type: 'signal', to: 'B', data: { pc: 'p1', description: { type: 'offer', sdp: OFFER_SDP } } });
  const answerIn = inn({ type: 'signal', seq: 4, from: 'B', name: 'Ben', data: { pc: 'p2', toPc: 'p1', description: { type: 'answer', sdp: OFFER_SDP } } }, 'Ben');
  const cand = out({ type: 'signal', to: 'B', data: { pc: 'p1', candidate: { candidate: HOST, sdpMid: '0', sdpMLineIndex: 0 } } });
  const mdns = inn({ type: 'signal', seq: 5, from: 'B', name: 'Ben', data: { pc: 'p2', candidate: { candidate: MDNS } } }, 'Ben');
  const joinedPeer = inn({ type: 'peer-joined', seq: 3, room: 'math', peer: { id: 'B', name: 'Ben' } });
  const leftPeer = inn({ type: 'peer-left', seq: 9, room: 'math', peer: { id: 'B', name: 'Ben' }, reason: 'timed-out' });

  const cases: [string, LogEntry, string, string, string][] = [
    ['offer', offer, 'offer', 'Offer to Ben: audio (send and receive), video (receive only)', '向 Ben 发出提议：音频（收发）、视频（仅接收）'],
    ['answer', answerIn, 'answer', 'Answer from Ben: audio (send and receive), video (receive only)', '收到 Ben 的应答：音频（收发）、视频（仅接收）'],
    ['candidate', cand, 'candidate', 'ICE candidate to Ben: host · udp · 192.168.1.12:54321', '向 Ben 发出 ICE 候选：host · udp · 192.168.1.12:54321'],
    ['mDNS candidate', mdns, 'candidate', 'ICE candidate from Ben: host · udp · hidden address (.local)', '收到 Ben 的 ICE 候选：host · udp · 隐藏的地址（.local）'],
    ['peer joined', joinedPeer, 'presence', 'Ben joined the room', 'Ben 加入了房间'],
    ['chat-only peer joined', inn({ type: 'peer-joined', seq: 3, room: 'math', peer: { id: 'W', name: 'Window', chatOnly: true } }), 'presence', 'Window joined the room for chat only: no call with them', 'Window 加入了房间，仅聊天：不与其通话'],
    ['chat-only join', out({ type: 'join', room: 'math', name: 'Ana', chatOnly: true }, ''), 'session', 'Join room “math” as “Ana”, for chat only (this browser cannot call)', '以“Ana”的身份加入房间“math”，仅聊天（此浏览器无法通话）'],
    ['chat-only signal', { dir: 'local', at: 0, local: { event: 'chat-only', peer: 'Window' } }, 'local', 'Ignored a call message from Window: they are in the room for chat only', '忽略了 Window 的通话消息：该成员仅参与聊天'],
    ['peer left', leftPeer, 'presence', 'Ben left the room (connection lost)', 'Ben 离开了房间（连接丢失）'],
    ['join', out({ type: 'join', room: 'math', name: 'Ana' }, ''), 'session', 'Join room “math” as “Ana”', '以“Ana”的身份加入房间“math”'],
    ['resume', out({ type: 'resume', token: 'secret', lastSeq: 12 }, ''), 'session', 'Take my seat back (last message seen: #12)', '恢复我的座位（最后收到的消息：#12）'],
    ['chat', inn({ type: 'broadcast', seq: 6, from: 'B', name: 'Ben', data: { chat: 'hi' } }), 'chat', 'Chat from Ben: “hi”', 'Ben 说：“hi”'],
    ['media', out({ type: 'broadcast', data: { media: { mic: false, cam: true, screen: false } } }, ''), 'media', 'Told the room: microphone off, camera on, screen sharing off', '告诉房间：麦克风关，摄像头开，屏幕共享关'],
    ['error', inn({ type: 'error', seq: 2, code: 'room-full', message: 'join "math" (2 of 2): room is full', request: 'join' }), 'error', 'Signalbox refused a request: room-full', 'Signalbox 拒绝了一个请求：room-full'],
    ['joined', inn({ type: 'joined', seq: 2, room: 'math', self: { id: 'A', name: 'Ana' }, peers: [{ id: 'B', name: 'Ben' }], capacity: 2, token: 't' }), 'session', 'Joined “math”: 1 other peer is here', '已加入“math”：这里还有 1 位成员'],
    ['collision', { dir: 'local', at: 0, local: { event: 'ignored-offer', peer: 'Ben' } }, 'local', 'Both sides offered at once: this page is impolite, so it ignores Ben’s offer and keeps its own', '双方同时发出提议：此页面是非礼让方，忽略 Ben 的提议，坚持自己的'],
    ['foreign signal', inn({ type: 'signal', seq: 7, from: 'C', name: 'Bot', data: { hello: 1 } }, 'Bot'), 'other', 'Message from Bot', '收到 Bot 的消息'],
  ];
  for (const [name, entry, kind, wantEn, wantZh] of cases) {
    it(name, () => {
      expect(en(entry)).toEqual({ kind, text: wantEn });
      expect(zh(entry)).toEqual({ kind, text: wantZh });
    });
  }

  it('never shows the resume token', () => {
    expect(en(out({ type: 'resume', token: 'secret-token', lastSeq: 1 }, '')).text).not.toContain('secret-token');
  });
});
