// Binary through Signalbox with the stock socket.io-client from npm:
// Buffer, ArrayBuffer and typed arrays from Node.js over every transport,
// a Blob from a browser page (headless Chromium loading the bundle the
// server serves), and the documented mapping to and from native peers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { connectSocket, NativePeer, need, startServer, WAIT, within } from './harness.mjs';

const CHROMIUM = process.env.SIGNALBOX_CHROMIUM || '/usr/bin/chromium';

let server;
const sockets = [];

before(async () => {
  server = await startServer({ roomSize: 2 });
});

after(async () => {
  for (const s of sockets) s.socket.disconnect();
  if (server) assert.equal(await server.stop(), 0, 'the server shut down cleanly');
});

async function open(options) {
  const s = await connectSocket(server.url, options);
  sockets.push(s);
  return s;
}

/** pair puts two fresh sockets with the given transports in room. */
async function pair(room, ta, tb) {
  const a = await open({ transports: ta });
  const b = await open({ transports: tb });
  a.socket.emit('create or join', room);
  await a.events.until('created');
  b.socket.emit('create or join', room);
  await b.events.until('ready');
  await a.events.until('ready');
  return [a, b];
}

/** bytes returns the bytes of a received binary value (a Buffer in Node.js). */
function bytes(v) {
  assert.ok(Buffer.isBuffer(v) || v instanceof ArrayBuffer, `got ${Object.prototype.toString.call(v)}, want binary`);
  return [...new Uint8Array(Buffer.isBuffer(v) ? v : new Uint8Array(v))];
}

// Every byte value, the record separator and invalid UTF-8 included.
const ALL = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('socket.io to socket.io: binary stays binary', () => {
  const combos = [
    ['default', undefined, ['polling']],
    ['polling', ['polling'], ['websocket']],
    ['websocket', ['websocket'], undefined],
  ];
  for (const [name, ta, tb] of combos) {
    test(`from ${name} (${ta ?? 'default'} to ${tb ?? 'default'})`, async () => {
      const [a, b] = await pair(`binary-${name}`, ta, tb);

      // A Buffer alone, acknowledged.
      assert.deepEqual(await a.socket.timeout(WAIT).emitWithAck('message', Buffer.from(ALL)), { ok: true });
      const [data, from] = await b.events.until('message');
      assert.equal(from, a.socket.id);
      assert.deepEqual(bytes(data), [...ALL]);

      // An ArrayBuffer and a typed array deep inside an object, back the other way.
      const payload = { type: 'file', name: 'x.bin', parts: [ALL.buffer.slice(0, 3), new Uint8Array([9, 8, 7])], size: 6 };
      b.socket.emit('message', payload);
      const [got] = await a.events.until('message');
      assert.equal(got.type, 'file');
      assert.equal(got.size, 6);
      assert.deepEqual(bytes(got.parts[0]), [0, 1, 2]);
      assert.deepEqual(bytes(got.parts[1]), [9, 8, 7]);
    });
  }

  test('attachments over maxHttpBufferSize fail with too-large; the socket carries on', async () => {
    const [a, b] = await pair('binary-limit', ['websocket'], ['websocket']);
    const answer = await a.socket.timeout(WAIT).emitWithAck('message', [Buffer.alloc(40_000), Buffer.alloc(40_000)]);
    assert.equal(answer.ok, false);
    assert.equal(answer.code, 'too-large');
    assert.equal((await a.events.until('error'))[0].code, 'too-large');
    a.socket.emit('message', Buffer.from([1, 2, 3]));
    assert.deepEqual(bytes((await b.events.until('message'))[0]), [1, 2, 3]);
    assert.ok(a.socket.connected);
  });
});

describe('socket.io and native peers', () => {
  test('a native peer gets {_binary: base64}; its markers arrive as binary', async () => {
    const native = await NativePeer.open(server.url);
    native.send({ type: 'join', room: 'binary-native' });
    await native.expect('joined');
    const { socket, events } = await open();
    socket.emit('create or join', 'binary-native');
    await events.until('ready');
    await native.expect('peer-joined');

    socket.emit('message', { type: 'snapshot', image: Buffer.from([0, 0x1e, 255]) });
    const relay = await native.expect('broadcast');
    assert.equal(relay.from, socket.id);
    assert.deepEqual(relay.data, { type: 'snapshot', image: { _binary: Buffer.from([0, 0x1e, 255]).toString('base64') } });

    native.send({ type: 'broadcast', data: { file: { _binary: 'AAEC' }, note: { _binary: 'AAEC', extra: true } } });
    const [data, from] = await events.until('message');
    assert.equal(from, native.id);
    assert.deepEqual(bytes(data.file), [0, 1, 2]);
    assert.deepEqual(data.note, { _binary: 'AAEC', extra: true }, 'not exactly a marker: stays JSON');
    native.close();
  });
});

describe('a browser page', () => {
  let browser;
  before(async () => {
    const { chromium } = need('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  after(async () => {
    await browser?.close();
  });

  for (const transports of [['polling'], ['websocket']]) {
    test(`sends a Blob and an ArrayBuffer, receives an ArrayBuffer (${transports})`, async () => {
      const room = `binary-browser-${transports}`;
      const page = await browser.newPage();
      const errors = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(`${server.url}/healthz`); // any page of the server's origin
      await page.addScriptTag({ url: '/socket.io/socket.io.js' });
      await page.evaluate(
        ({ room, transports, wait }) =>
          new Promise((resolve, reject) => {
            const socket = io({ transports, reconnection: false });
            window.received = [];
            socket.on('message', (data) => {
              const v = data instanceof ArrayBuffer ? data : data?.bytes;
              window.received.push({
                kind: Object.prototype.toString.call(v),
                bytes: v instanceof ArrayBuffer ? [...new Uint8Array(v)] : null,
              });
            });
            socket.on('created', () => resolve());
            socket.on('connect_error', reject);
            setTimeout(() => reject(new Error('no created')), wait);
            socket.emit('create or join', room);
            window.socket = socket;
          }),
        { room, transports, wait: WAIT },
      );
      const node = await open();
      node.socket.emit('create or join', room);
      await node.events.until('ready');

      await page.evaluate(() => {
        window.socket.emit('message', new Blob([new Uint8Array([1, 0x1e, 255])]));
        window.socket.emit('message', { bytes: new Uint8Array([7, 7]).buffer });
      });
      assert.deepEqual(bytes((await node.events.until('message'))[0]), [1, 0x1e, 255]);
      assert.deepEqual(bytes((await node.events.until('message'))[0].bytes), [7, 7]);

      node.socket.emit('message', Buffer.from([4, 5, 6]));
      const got = await within(
        page.waitForFunction(() => window.received.length > 0 && window.received[0], null, { timeout: WAIT }),
        WAIT,
        'the page to receive binary',
      );
      assert.deepEqual(await got.jsonValue(), { kind: '[object ArrayBuffer]', bytes: [4, 5, 6] });
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
});
