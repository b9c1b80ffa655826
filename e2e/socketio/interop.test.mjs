// Interop tests: the stock socket.io-client v4 from npm against the real
// server (e2e/cmd/testserver), with default options and websocket-only.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { connectSocket, NativePeer, need, startServer, within, WAIT } from './harness.mjs';

const PREFIX = '>>> Message from server: ';

let server;
const sockets = [];

before(async () => {
  server = await startServer({ roomSize: 2 });
});

after(async () => {
  if (!server) return;
  // Some clients are still connected, one of them polling only: the
  // shutdown answers their pending polls and closes their WebSockets.
  const started = Date.now();
  const code = await server.stop();
  assert.equal(code, 0, 'the server shut down cleanly');
  assert.ok(Date.now() - started < 3000, `shutdown took ${Date.now() - started} ms`);
  for (const s of sockets) s.socket.disconnect();
});

async function open(options) {
  const s = await connectSocket(server.url, options);
  sockets.push(s);
  return s;
}

/** roomsSnapshot reads /api/rooms (allowed from loopback). */
async function roomsSnapshot() {
  const res = await fetch(server.url + '/api/rooms');
  return res.json();
}

function peerIn(snapshot, id) {
  for (const r of snapshot.rooms) for (const p of r.peers) if (p.id === id) return p;
  return snapshot.lobby.find((p) => p.id === id);
}

describe('transports', () => {
  test('default options: polling first, then the upgrade to websocket', async () => {
    const { io } = need('socket.io-client');
    const socket = io(server.url, { forceNew: true, reconnection: false, autoConnect: false });
    sockets.push({ socket });
    let first;
    const upgraded = new Promise((resolve) => {
      socket.io.once('open', () => {
        first = socket.io.engine.transport.name;
        socket.io.engine.once('upgrade', (t) => resolve(t.name));
      });
    });
    socket.connect();
    await within(new Promise((resolve) => socket.once('connect', resolve)), WAIT, 'connect');
    assert.equal(first, 'polling');
    assert.equal(await within(upgraded, WAIT, 'upgrade'), 'websocket');
    const answer = await socket.timeout(WAIT).emitWithAck('ipaddr');
    assert.equal(answer.ok, true);
    // The server's view (the window, /api/rooms) follows the upgrade.
    assert.equal(peerIn(await roomsSnapshot(), socket.id).transport, 'socket.io/websocket');
  });

  test("transports: ['websocket']", async () => {
    const { socket } = await open({ transports: ['websocket'] });
    assert.equal(socket.io.engine.transport.name, 'websocket');
    assert.equal(peerIn(await roomsSnapshot(), socket.id).transport, 'socket.io/websocket');
  });

  test("transports: ['polling'] only", async () => {
    const { socket, events } = await open({ transports: ['polling'] });
    socket.emit('create or join', 'polling-only');
    assert.deepEqual(await events.until('created'), ['polling-only', socket.id]);
  });

  test('the bundle is served at /socket.io/', async () => {
    for (const file of ['socket.io.js', 'socket.io.min.js', 'socket.io.esm.min.js', 'socket.io.js.map']) {
      const res = await fetch(`${server.url}/socket.io/${file}`);
      assert.equal(res.status, 200, file);
      await res.arrayBuffer();
    }
    const res = await fetch(`${server.url}/socket.io/socket.io.js`);
    assert.match(await res.text(), /Socket\.IO v4\./);
  });
});

describe('the tutorial flow', () => {
  for (const transports of [undefined, ['websocket']]) {
    test(`created, join/joined, ready, full, message, log, ipaddr, bye (transports ${transports ?? 'default'})`, async () => {
      const room = `tutorial-${transports ? 'ws' : 'default'}`;
      const a = await open({ transports });
      const b = await open({ transports });
      const c = await open({ transports });

      a.socket.emit('create or join', room);
      assert.deepEqual(await a.events.until('log'), [[PREFIX, `Request to create or join room ${room}`]]);
      assert.deepEqual(await a.events.until('log'), [[PREFIX, `Room ${room} has 0 client(s)`]]);
      assert.deepEqual(await a.events.until('created'), [room, a.socket.id]);

      b.socket.emit('create or join', room);
      assert.deepEqual(await b.events.until('joined'), [room, b.socket.id]);
      assert.equal((await b.events.until('ready'))[0], room);
      assert.deepEqual(await a.events.until('join'), [room, b.socket.id]);
      assert.equal((await a.events.until('ready'))[0], room);

      c.socket.emit('create or join', room);
      assert.deepEqual(await c.events.until('full'), [room]);
      const err = (await c.events.until('error'))[0];
      assert.equal(err.code, 'room-full');

      const offer = { type: 'offer', sdp: 'v=0\r\n' };
      a.socket.emit('message', offer);
      assert.deepEqual(await b.events.until('message'), [offer, a.socket.id]);
      assert.deepEqual(await a.events.until('log'), [[PREFIX, 'Got message:', offer]]);
      b.socket.emit('message', 'got user media');
      assert.deepEqual(await a.events.until('message'), ['got user media', b.socket.id]);

      const ips = await a.socket.timeout(WAIT).emitWithAck('ipaddr');
      assert.equal(ips.ok, true);
      for (const ip of ips.addresses ?? []) {
        assert.deepEqual(await a.events.until('ipaddr'), [ip]);
        assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
      }

      b.socket.emit('bye', room);
      assert.deepEqual(await a.events.until('bye'), [room, b.socket.id, 'left']);
      c.socket.emit('create or join', room);
      assert.deepEqual(await c.events.until('joined'), [room, c.socket.id]);
      assert.deepEqual(await a.events.until('join'), [room, c.socket.id]);
      assert.ok(!c.events.names().includes('message'), 'C never saw the room before it joined');
    });
  }
});

describe('acks', () => {
  test('the server answers events that ask for an ack', async () => {
    const { socket } = await open();
    assert.deepEqual(await socket.timeout(WAIT).emitWithAck('create or join', 'acks'), {
      ok: true,
      room: 'acks',
      id: socket.id,
    });
    assert.deepEqual(await socket.timeout(WAIT).emitWithAck('message', { hello: 1 }), { ok: true });
    const refused = await socket.timeout(WAIT).emitWithAck('no such event');
    assert.equal(refused.ok, false);
    assert.equal(refused.code, 'unknown-type');
    assert.deepEqual(await socket.timeout(WAIT).emitWithAck('bye'), { ok: true, room: 'acks' });
    assert.equal((await socket.timeout(WAIT).emitWithAck('bye')).code, 'not-in-room');
  });

  test('the client acks the server\'s "ready"', async () => {
    const a = await open();
    const b = await open({ transports: ['websocket'] });
    const readyB = new Promise((resolve) => b.socket.once('ready', (room, ack) => resolve({ room, ack })));
    a.socket.emit('create or join', 'ready-ack');
    await a.events.until('created');
    b.socket.emit('create or join', 'ready-ack');
    const { room, ack } = await within(readyB, WAIT, 'ready');
    assert.equal(room, 'ready-ack');
    assert.equal(typeof ack, 'function', 'ready asks for an ack');
    ack('ok');
    for (;;) {
      const [line] = await b.events.until('log');
      if (line[1] === `Client ID ${b.socket.id} is ready in room ready-ack`) break;
    }
  });
});

describe('native and socket.io peers', () => {
  test('share a room and see each other join, relay and leave', async () => {
    const native = await NativePeer.open(server.url);
    native.send({ type: 'join', room: 'mixed', name: 'Native' });
    await native.expect('joined');

    const { socket, events } = await open({ auth: { name: 'Tutorial' } });
    socket.emit('create or join', 'mixed');
    assert.deepEqual(await events.until('joined'), ['mixed', socket.id]);
    assert.equal((await events.until('ready'))[0], 'mixed');
    const joined = await native.expect('peer-joined');
    assert.deepEqual(joined.peer, { id: socket.id, name: 'Tutorial' });

    native.send({ type: 'broadcast', data: { type: 'offer', sdp: 'v=0' } });
    assert.deepEqual(await events.until('message'), [{ type: 'offer', sdp: 'v=0' }, native.id]);
    socket.emit('message', { type: 'answer', sdp: 'v=0' });
    const relay = await native.expect('broadcast');
    assert.equal(relay.from, socket.id);
    assert.deepEqual(relay.data, { type: 'answer', sdp: 'v=0' });

    native.close();
    assert.deepEqual(await events.until('bye'), ['mixed', native.id, 'left']);

    const second = await NativePeer.open(server.url);
    second.send({ type: 'join', room: 'mixed' });
    await second.expect('joined');
    assert.deepEqual(await events.until('join'), ['mixed', second.id]);
    const id = socket.id;
    socket.disconnect();
    const left = await second.expect('peer-left');
    assert.equal(left.peer.id, id);
    second.close();
  });
});

describe('isolation', () => {
  test('no message ever reaches another room', async () => {
    const a1 = await open();
    const a2 = await open({ transports: ['websocket'] });
    const b1 = await open();
    const b2 = await open({ transports: ['websocket'] });
    const nb = await NativePeer.open(server.url);
    a1.socket.emit('create or join', 'iso-a');
    await a1.events.until('created');
    a2.socket.emit('create or join', 'iso-a');
    await a2.events.until('joined');
    b1.socket.emit('create or join', 'iso-b');
    await b1.events.until('created');
    nb.send({ type: 'join', room: 'iso-b' });
    await nb.expect('joined');
    await b1.events.until('join');
    // b2 is in no room at all.

    const sent = 50;
    for (let i = 0; i < sent; i++) a1.socket.emit('message', { n: i, secret: 'room a' });
    for (let i = 0; i < sent; i++) assert.deepEqual((await a2.events.until('message'))[0], { n: i, secret: 'room a' });

    // Everything a1 sent was delivered before these answers were queued:
    // had any of it reached room b or the lobby, it would come first.
    await b1.socket.timeout(WAIT).emitWithAck('ipaddr');
    await b2.socket.timeout(WAIT).emitWithAck('ipaddr');
    nb.send({ type: 'ping' });
    assert.equal((await nb.expect('pong')).type, 'pong');
    assert.ok(!b1.events.names().includes('message'), 'room b saw room a');
    assert.ok(!b2.events.names().includes('message'), 'the lobby saw room a');
    nb.close();
  });
});

describe('refusals', () => {
  test('another namespace is refused', async () => {
    const { io } = need('socket.io-client');
    const socket = io(server.url + '/admin', { forceNew: true, reconnection: false });
    const err = await within(new Promise((resolve) => socket.once('connect_error', resolve)), WAIT, 'connect_error');
    assert.equal(err.message, 'Invalid namespace');
    socket.disconnect();
  });
});
