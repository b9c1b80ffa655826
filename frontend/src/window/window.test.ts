// Tests of the desktop window's text: the catalogue is complete in English
// and Chinese and every key is used; no word a person reads is written in
// the window's sources or page outside the catalogue (the check is tested
// on its own cases first, so it is known to catch what it should); and the
// pure formatting of log lines, devices, durations and addresses.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { catalogueProblems, Translator } from '../i18n/core';
import { type Token, tokenize } from '../i18n/tokenize';
import { type WindowKey, windowCatalogue } from '../i18n/window';
import { errorCode, type LogEntry } from './api';
import { ChatConnection, type ChatEvent, wsURL } from './chat';
import { codeMsg, connectedFor, deviceMsg, duration, hasWebRTC, logCategory, logExtra, logMsg, parseTime, transportMsg } from './format';
import { needsRestart } from './settings';
import { latinWords } from './latin';
import { clusterMsg, fingerprintBytes, mdnsMsg, relayMsg } from './status';

/** HAN matches Chinese characters: they belong in the catalogue only. */
const HAN = /[\u3400-\u9fff\uf900-\ufaff]/;
/** PROSE matches text that reads like words for people: a capitalised word, or sentence punctuation, with a space. */
const PROSE = /(?=.*\s)(?:\b[A-Z][a-z]{2,}\b|[.!?…:](\s|$))/;

/** literalProblems lists the user-facing literals in one source file. keys are the catalogue's keys. */
function literalProblems(file: string, src: string, keys: ReadonlySet<string>, isDom: boolean): string[] {
  const problems: string[] = [];
  const tokens = tokenize(src);
  const where = (t: Token) => `${file}:${t.kind === 'string' ? t.line : '?'}`;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'code') {
      if (!isDom && /\.(textContent|innerText|innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write|createTextNode/.test(t.text)) {
        problems.push(`${file}: sets text outside dom.ts (use Localizer or data())`);
      }
      if (/(^|[^.\w])(alert|confirm|prompt)\s*\(/.test(t.text) || /window\.(alert|confirm|prompt)\b/.test(t.text)) {
        problems.push(`${file}: uses a browser dialog (its buttons are not translated)`);
      }
      continue;
    }
    const before = (tokens[k - 1]?.kind === 'code' ? tokens[k - 1]!.text : '').slice(-80);
    const text = t.text;
    if (HAN.test(text)) problems.push(`${where(t)}: Chinese text outside the catalogue: ${JSON.stringify(text)}`);
    else if (/(?:\btext|\btitle|'aria-label'|\bplaceholder|\balt)\s*:\s*$/.test(before) && text !== '' && !keys.has(text)) {
      problems.push(`${where(t)}: label is not a catalogue key: ${JSON.stringify(text)}`);
    } else if (/(?:\bdata\(|\bsetData\([^()]*,)\s*$/.test(before) && /\p{L}/u.test(text)) {
      problems.push(`${where(t)}: words given as data: ${JSON.stringify(text)}`);
    } else if (/(?:textContent|innerText|innerHTML|\.title|placeholder|document\.title)\s*=\s*$/.test(before) && /\p{L}/u.test(text)) {
      problems.push(`${where(t)}: words assigned as text: ${JSON.stringify(text)}`);
    } else if (PROSE.test(text) && !keys.has(text)) {
      problems.push(`${where(t)}: looks like words for people: ${JSON.stringify(text)}`);
    }
  }
  return problems;
}

/** htmlProblems lists text in an HTML page's body, and a title other than the product's name. */
function htmlProblems(file: string, html: string, productName: string): string[] {
  const problems: string[] = [];
  const title = /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '';
  if (title !== productName) problems.push(`${file}: <title> is ${JSON.stringify(title)}, want the product name (the window sets the rest)`);
  const body = /<body[^>]*>([\s\S]*)<\/body>/.exec(html)?.[1] ?? '';
  const text = body
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .trim();
  if (text) problems.push(`${file}: text in the page: ${JSON.stringify(text)}`);
  if (/\b(title|aria-label|placeholder|alt)\s*=\s*"[^"]*\p{L}/u.test(body)) problems.push(`${file}: a label written in the page`);
  return problems;
}

/** usedKeys returns the catalogue keys that appear as string literals in the sources. */
function usedKeys(sources: readonly string[], keys: ReadonlySet<string>): Set<string> {
  const used = new Set<string>();
  for (const src of sources) for (const t of tokenize(src)) if (t.kind === 'string' && keys.has(t.text)) used.add(t.text);
  return used;
}

const dir = import.meta.dirname;
const KEYS = new Set(Object.keys(windowCatalogue.en));
const SOURCES = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => ({ file: f, src: readFileSync(join(dir, f), 'utf8') }));

describe('window catalogue', () => {
  it('has every key in English and Chinese, with the same placeholders', () => {
    expect(catalogueProblems(windowCatalogue)).toEqual([]);
  });

  it('has Chinese text that is not English copied over', () => {
    const same = [...KEYS].filter((k) => {
      const en = JSON.stringify(windowCatalogue.en[k as WindowKey]);
      return en === JSON.stringify(windowCatalogue['zh-CN'][k as WindowKey]) && /[a-z]{3}/.test(en.replace(/\{\w+\}/g, ''));
    });
    // Names that are the same in both languages.
    expect(same.sort()).toEqual(['app.name', 'lang.en', 'transport.websocket'].sort());
  });

  it('uses every key in the window sources', () => {
    const used = usedKeys(
      SOURCES.map((s) => s.src),
      KEYS,
    );
    expect([...KEYS].filter((k) => !used.has(k))).toEqual([]);
  });

  it('renders plurals and numbers per language', () => {
    const tr = new Translator(windowCatalogue, 'en');
    expect(tr.t('counts.peers', { count: 1 })).toBe('1 peer');
    expect(tr.t('counts.peers', { count: 1200 })).toBe('1,200 peers');
    tr.setLocale('zh-CN');
    expect(tr.t('counts.peers', { count: 3 })).toBe('3 位成员');
    expect(tr.t('device.browserOn', { browser: 'Chrome', os: 'Android' })).toBe('Android 上的 Chrome');
  });
});

describe('literal check', () => {
  const keys = new Set(['room.lock']);
  const cases: { name: string; src: string; want: number }[] = [
    { name: 'catalogue label', src: `h(l, 'button', { l10n: { text: 'room.lock' } });`, want: 0 },
    { name: 'label not a key', src: `h(l, 'button', { l10n: { text: 'Lock the room' } });`, want: 1 },
    { name: 'placeholder not a key', src: `h(l, 'input', { l10n: { placeholder: 'Your name' } });`, want: 1 },
    { name: 'textContent', src: `el.textContent = 'Hello';`, want: 2 },
    { name: 'innerHTML', src: 'el.innerHTML = `<b>${x}</b>`;', want: 2 },
    { name: 'words as data', src: `h(l, 'p', {}, [data('Not connected')]);`, want: 1 },
    { name: 'data from a variable', src: `h(l, 'p', {}, [data(peer.name)]);`, want: 0 },
    { name: 'setData with words', src: `setData(el, 'offline');`, want: 1 },
    { name: 'chinese', src: `const s = '房间';`, want: 1 },
    { name: 'prose in a template', src: 'const s = `Welcome to ${room}.`;', want: 1 },
    { name: 'browser dialog', src: `if (window.confirm(x)) go();`, want: 1 },
    { name: 'own dialog', src: `if (await this.confirm.ask(a, b, c)) go();`, want: 0 },
    { name: 'class names and events', src: `h(l, 'div', { class: 'btn small danger', attrs: { type: 'button' } }); on('rooms:changed');`, want: 0 },
    { name: 'comment', src: `// Lock the room, Then more.\nconst x = 1;`, want: 0 },
    { name: 'regex', src: `const m = /^([a-z]+): (.*)$/.exec(s);`, want: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => expect(literalProblems('t.ts', c.src, keys, false)).toHaveLength(c.want));
  }
  it('finds text in a page', () => {
    expect(htmlProblems('p.html', '<title>Signalbox</title><body><p>Hello</p></body>', 'Signalbox')).toHaveLength(1);
    expect(htmlProblems('p.html', '<title>Hi</title><body><div id="app"></div></body>', 'Signalbox')).toHaveLength(1);
    expect(htmlProblems('p.html', '<title>Signalbox</title><body><div id="app"></div><script src="/x.ts"></script></body>', 'Signalbox')).toEqual([]);
  });
});

describe('window sources', () => {
  for (const { file, src } of SOURCES) {
    it(`${file} writes no words outside the catalogue`, () => {
      expect(literalProblems(file, src, KEYS, file === 'dom.ts')).toEqual([]);
    });
  }
  it('window.html holds no text but the product name', () => {
    expect(htmlProblems('window.html', readFileSync(join(dir, '../../window.html'), 'utf8'), 'Signalbox')).toEqual([]);
  });
});

describe('format', () => {
  const t = new Translator(windowCatalogue, 'en');
  const say = (m: ReturnType<typeof logMsg>) => (typeof m === 'string' ? t.t(m) : t.t(m[0], m[1]));
  const entry = (e: Partial<LogEntry>): LogEntry => ({ seq: 1, time: '2026-05-01T09:00:00Z', kind: 'peer-joined', ...e });

  it('formats durations with Intl units', () => {
    expect(duration('en', 42)).toBe('42 sec');
    expect(duration('en', 185)).toBe('3 min 5 sec');
    expect(duration('en', 7800)).toBe('2 hr 10 min');
    expect(duration('zh-CN', 185)).toBe('3分钟 5秒');
    expect(duration('en', -3)).toBe('0 sec');
  });

  it('describes devices', () => {
    expect(say(deviceMsg({ browser: 'Chrome', os: 'Android', kind: 'phone' }))).toBe('Chrome on Android');
    expect(say(deviceMsg({ os: 'iOS', kind: 'phone' }))).toBe('iOS');
    expect(say(deviceMsg({}))).toBe('Unknown device');
    expect(say(transportMsg('socket.io/polling'))).toBe('socket.io (polling)');
  });

  it('says what each log line means, and files it', () => {
    const cases: { e: Partial<LogEntry>; text: string; extra: string | null; cat: string }[] = [
      { e: { kind: 'peer-joined', peerName: 'Ana', room: 'math' }, text: 'Ana joined “math”', extra: null, cat: 'presence' },
      { e: { kind: 'peer-left', peerName: 'Ana', room: 'math', reason: 'timed-out' }, text: 'Ana left “math”', extra: 'connection lost', cat: 'presence' },
      { e: { kind: 'peer-left', peerName: 'Ana', room: 'math', reason: 'kicked' }, text: 'Ana was removed from “math”', extra: null, cat: 'rooms' },
      { e: { kind: 'peer-disconnected', peer: 'abcdefghij', reason: 'dropped' }, text: '#abcdef was disconnected', extra: 'too slow, disconnected', cat: 'errors' },
      { e: { kind: 'error', peerName: 'Ana', room: 'math', code: 'room-full', count: 2, capacity: 2 }, text: 'Ana could not join “math”: the room is full (2 of 2)', extra: null, cat: 'errors' },
      { e: { kind: 'error', peerName: 'Ben', room: 'math', code: 'room-locked' }, text: 'Ben could not join “math”', extra: 'The room is locked.', cat: 'errors' },
      { e: { kind: 'error', peerName: 'Ben', room: 'math', code: 'unknown-peer' }, text: 'Error from Ben in “math”', extra: 'unknown peer', cat: 'errors' },
      { e: { kind: 'peer-renamed', peerName: 'Ana María', room: 'math', detail: 'Ana' }, text: 'Ana is now called Ana María in “math”', extra: null, cat: 'presence' },
      { e: { kind: 'class-changed', room: 'math', detail: 'group', count: 4 }, text: '“math” now seats students in groups of 4', extra: null, cat: 'rooms' },
      { e: { kind: 'class-changed', room: 'math', detail: 'pairs', count: 2 }, text: '“math” now seats students in pairs', extra: null, cat: 'rooms' },
      { e: { kind: 'error', peerName: 'Ben', code: 'brand-new' }, text: 'Error from Ben', extra: 'error “brand-new”', cat: 'errors' },
      { e: { kind: 'room-locked', room: 'math' }, text: 'Room “math” locked', extra: null, cat: 'rooms' },
      { e: { kind: 'server-started', port: 7480 }, text: 'Server started on port 7480', extra: null, cat: 'server' },
      { e: { kind: 'server-error', port: 7480, code: 'port-busy' }, text: 'Server could not start on port 7480', extra: 'The port is used by another program.', cat: 'errors' },
      { e: { kind: 'mdns-advertising', detail: 'signalbox.local.' }, text: 'Announced on the network as signalbox.local', extra: null, cat: 'server' },
      { e: { kind: 'settings-saved', reason: 'restarted' }, text: 'Settings saved; server restarted', extra: null, cat: 'server' },
      { e: { kind: 'events-skipped', count: 12 }, text: '12 events were not logged (too many at once)', extra: null, cat: 'errors' },
    ];
    for (const c of cases) {
      const e = entry(c.e);
      expect(say(logMsg(e))).toBe(c.text);
      const extra = logExtra(e);
      expect(extra === null ? null : say(extra)).toBe(c.extra);
      expect(logCategory(e)).toBe(c.cat);
    }
    expect(say(codeMsg('no-such-peer'))).toBe('That peer has already left.');
  });

  it('breaks a fingerprint only between bytes', () => {
    expect(fingerprintBytes('A9:94:7B')).toEqual(['A9:', '94:', '7B']);
    expect(fingerprintBytes('AB')).toEqual(['AB']);
  });

  it('finds the Latin-script words of a text, not addresses or ids', () => {
    expect(latinWords(['证书指纹：', '已在局域网中广播为 signalbox.local', '服务器 https://192.168.1.20:7480/ 在 fd00::2 上', 'ICE 候选', 'h3M1xQ_9aB-zzzzzzzzzzz'])).toEqual(['ICE']);
    expect(latinWords(['Server stopped', 'Ana 加入了'])).toEqual(['Ana', 'Server', 'stopped']);
  });

  it('reads Go times with nanoseconds', () => {
    expect(parseTime('2026-05-01T09:00:00.123456789Z')).toBe(Date.UTC(2026, 4, 1, 9, 0, 0, 123));
    expect(parseTime('2026-05-01T09:00:00Z')).toBe(Date.UTC(2026, 4, 1, 9, 0, 0));
    expect(connectedFor({ connectedAt: '2026-05-01T09:00:00.5+02:00' }, Date.UTC(2026, 4, 1, 7, 1, 0, 500))).toBe(60);
  });

  it('reads error codes from bound methods', () => {
    expect(errorCode(new Error('no-such-room: lock "x": no such room'))).toEqual({ code: 'no-such-room', detail: 'lock "x": no such room' });
    expect(errorCode('Something odd')).toEqual({ code: 'failed', detail: 'Something odd' });
  });

  it('finds the WebSocket endpoint and WebRTC', () => {
    expect(wsURL('http://127.0.0.1:7480/')).toBe('ws://127.0.0.1:7480/ws');
    expect(wsURL('https://[::1]:8443/')).toBe('wss://[::1]:8443/ws');
    expect(hasWebRTC({})).toBe(false);
    expect(hasWebRTC({ RTCPeerConnection: function RTCPeerConnection() {} })).toBe(true);
  });

  it('describes the relay and mDNS, ports without digit grouping', () => {
    const relay = { enabled: true, active: true, port: 33793, activeAllocations: 2, relayedBytes: 10, inUse: true };
    expect(say(relayMsg(relay))).toBe('TURN relay on port 33793 is relaying (2 allocations).');
    expect(say(relayMsg({ ...relay, active: false, code: 'failed' }))).toBe('TURN relay could not start on port 33793 (see the event log).');
    expect(say(relayMsg({ ...relay, enabled: false }))).toBe('TURN relay off.');
    const cluster = { mode: 'embedded' as const, connected: true, ready: true, servers: 3, pending: 0, clusterId: 'campus', serverId: 'a1' };
    expect(clusterMsg({ ...cluster, mode: '' })).toBeNull();
    expect(say(clusterMsg(cluster)!)).toBe('Sharing rooms with cluster “campus”: 3 servers.');
    expect(say(clusterMsg({ ...cluster, ready: false, connected: false }) ?? 'settings.title')).toContain('cannot be reached');
    expect(say(mdnsMsg({ enabled: true, advertising: true, host: 'signalbox.local.' }))).toContain('as signalbox.local:');
    expect(say(mdnsMsg({ enabled: true, advertising: false, code: 'no-lan' }))).toBe('Not announced yet: no network connection.');
  });

  it('asks before a change to a setting the Go side says restarts the server', () => {
    const restart = ['port', 'roomCapacity', 'serverName', 'interfaces', 'https']; // as settings.RestartKeys() returns them
    const s = {
      port: 7480, roomCapacity: 2, serverName: 'Lab', interfaces: [], mdns: true, language: '' as const, serverId: 'x', https: true, turn: true, turnPort: 3478,
      cluster: '', clusterId: '', clusterListen: '', clusterRoutes: [] as string[], clusterReplicas: 0,
    };
    expect(needsRestart(s, { ...s, mdns: false, language: 'en', turn: false, turnPort: 0 }, restart)).toBe(false);
    expect(needsRestart(s, { ...s, https: false }, restart)).toBe(true);
    expect(needsRestart(s, { ...s, interfaces: ['wlan0'] }, restart)).toBe(true);
    expect(needsRestart(s, { ...s, port: 8000 }, restart)).toBe(true);
    expect(needsRestart(s, { ...s, port: 8000 }, [])).toBe(false);
    expect(needsRestart(s, { ...s, turn: false }, ['turn'])).toBe(true);
    expect(needsRestart({ ...s, clusterRoutes: null as unknown as string[] }, s, ['clusterRoutes'])).toBe(false);
    expect(needsRestart(s, { ...s, clusterRoutes: ['10.0.0.1'] }, ['clusterRoutes'])).toBe(true);
  });
});

/** FakeWebSocket plays the server for ChatConnection: node has no WebSocket. */
class FakeWebSocket {
  static readonly OPEN = 1;
  static last: FakeWebSocket | null = null;
  readyState = 1;
  sent: Record<string, unknown>[] = [];
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeWebSocket.last = this;
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close() {
    this.readyState = 3;
  }
  serve(frame: Record<string, unknown>) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

describe('chat seat', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('joins chat-only, so the browsers in the room do not call it, and chats', () => {
    vi.stubGlobal('WebSocket', FakeWebSocket);
    const events: ChatEvent[] = [];
    const conn = new ChatConnection('ws://127.0.0.1:7480/ws', 'math', 'Teacher', (e) => events.push(e));
    const ws = FakeWebSocket.last!;
    ws.serve({ type: 'welcome', seq: 1, peer: { id: 'W', name: 'Amber Fox' } });
    expect(ws.sent).toEqual([{ type: 'join', room: 'math', name: 'Teacher', chatOnly: true }]);
    ws.serve({ type: 'joined', seq: 2, room: 'math', self: { id: 'W', name: 'Teacher', chatOnly: true }, peers: [{ id: 'A', name: 'Ana' }], capacity: 2, token: 't' });
    ws.serve({ type: 'signal', seq: 3, from: 'A', name: 'Ana', data: { pc: 'p', description: { type: 'offer', sdp: 'v=0' } } });
    ws.serve({ type: 'broadcast', seq: 4, from: 'A', name: 'Ana', data: { chat: 'hi' } });
    conn.send('hello');
    expect(ws.sent.slice(1)).toEqual([{ type: 'broadcast', data: { chat: 'hello' } }]);
    expect(events.map((e) => e.kind)).toEqual(['joined', 'line', 'line']);
  });
});
