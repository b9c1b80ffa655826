// Shared by the socket.io end-to-end tests: starts the real server (the
// e2e/cmd/testserver binary, serving frontend/dist) on a free loopback port,
// loads the npm packages from frontend/node_modules, and records the events
// a socket.io client receives.
//
// SIGNALBOX_TESTSERVER names a prebuilt testserver binary
// (scripts/test-socketio.sh builds one); without it the binary is built
// here once per test file.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

/** repo is the repository root. */
export const repo = fileURLToPath(new URL('../..', import.meta.url));

/** need loads a package installed in frontend/node_modules. */
export const need = createRequire(path.join(repo, 'frontend', 'package.json'));

/** WAIT bounds every wait for the server; it turns a hang into a failure. */
export const WAIT = 10_000;

let builtBinary;

function testserverBinary() {
  if (process.env.SIGNALBOX_TESTSERVER) return process.env.SIGNALBOX_TESTSERVER;
  if (!builtBinary) {
    const dir = mkdtempSync(path.join(tmpdir(), 'signalbox-e2e-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    builtBinary = path.join(dir, 'testserver');
    execFileSync('go', ['build', '-o', builtBinary, './e2e/cmd/testserver'], { cwd: repo, stdio: 'inherit' });
  }
  return builtBinary;
}

/**
 * startServer runs the test server and resolves once it listens.
 * stop() closes its standard input (a graceful shutdown) and resolves with
 * its exit code.
 */
export async function startServer({ roomSize = 2, args = [] } = {}) {
  const client = path.join(repo, 'frontend', 'dist');
  if (!existsSync(path.join(client, 'socket.io', 'socket.io.js'))) {
    throw new Error('frontend/dist has no socket.io/socket.io.js: run `cd frontend && npm run build` first');
  }
  const child = spawn(testserverBinary(), ['-client', client, '-room-size', String(roomSize), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit').then(([code]) => code);
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the test server did not say LISTEN')), WAIT);
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^LISTEN (\S+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the test server exited with ${code}`));
    });
  });
  return {
    url,
    async stop() {
      child.stdin.end();
      return exited;
    },
  };
}

/** within rejects when promise takes longer than ms. */
export function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Events records every event a socket receives, in order, so a test can
 * wait for the next one of a name and check what came before it.
 */
export class Events {
  constructor(socket) {
    this.queue = [];
    this.waiter = null;
    socket.onAny((name, ...args) => {
      this.queue.push({ name, args });
      this.#wake();
    });
  }

  #wake() {
    if (this.waiter && this.waiter.check()) this.waiter = null;
  }

  /** until resolves with the args of the first event named name, dropping it and all before it. */
  until(name) {
    return this.#wait(name, () => {
      const i = this.queue.findIndex((e) => e.name === name);
      return i < 0 ? undefined : this.queue.splice(0, i + 1)[i].args;
    });
  }

  /** next resolves with the next event, whatever its name. */
  next() {
    return this.#wait('any event', () => this.queue.shift());
  }

  /** names lists the events received and not yet consumed. */
  names() {
    return this.queue.map((e) => e.name);
  }

  #wait(what, take) {
    if (this.waiter) throw new Error('one wait at a time');
    return within(
      new Promise((resolve) => {
        this.waiter = {
          check: () => {
            const got = take();
            if (got === undefined) return false;
            resolve(got);
            return true;
          },
        };
        this.#wake();
      }),
      WAIT,
      what,
    ).finally(() => {
      this.waiter = null;
    });
  }
}

/** connectSocket opens a socket.io client and resolves once connected. */
export async function connectSocket(url, options = {}) {
  const { io } = need('socket.io-client');
  const socket = io(url, { forceNew: true, reconnection: false, ...options });
  const events = new Events(socket);
  await within(
    new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    }),
    WAIT,
    'connect',
  );
  return { socket, events };
}

/**
 * NativePeer speaks Signalbox's own protocol on /ws, with the ws package,
 * and queues the frames it receives.
 */
export class NativePeer {
  static async open(url) {
    const WebSocket = need('ws');
    const ws = new WebSocket(url.replace(/^http/, 'ws') + '/ws');
    const peer = new NativePeer(ws);
    const welcome = await peer.expect('welcome');
    peer.id = welcome.peer.id;
    return peer;
  }

  constructor(ws) {
    this.ws = ws;
    this.frames = [];
    this.waiter = null;
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)));
      this.waiter?.();
    });
  }

  send(frame) {
    this.ws.send(JSON.stringify(frame));
  }

  /** expect resolves with the next frame, which must have type. */
  expect(type) {
    return within(
      new Promise((resolve, reject) => {
        const check = () => {
          if (this.frames.length === 0) return;
          this.waiter = null;
          const f = this.frames.shift();
          if (f.type === type) resolve(f);
          else reject(new Error(`native peer got ${JSON.stringify(f)}, want type ${type}`));
        };
        this.waiter = check;
        check();
      }),
      WAIT,
      `native frame ${type}`,
    );
  }

  close() {
    this.ws.close(1000); // a normal close: the seat is freed at once, no resume grace
  }
}
