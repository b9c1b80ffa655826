// The classroom's people and machines, as the test drives them: Student (a
// browser in its own network namespace, through agent.mjs), the teacher's
// laptop (Signalbox with its window under Xvfb, in the laptop namespace),
// and the access point's switches (port isolation, a port going down).

import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const here = dirname(fileURLToPath(import.meta.url));
/** repo is the repository root. */
export const repo = resolve(here, '../..');
/** artifacts is where screenshots go (gitignored). */
export const artifacts = join(repo, 'test-artifacts');

/** PREFIX names this run's namespaces (scripts/test-campus.sh made them). */
export const PREFIX = process.env.CAMPUS_PREFIX;
/** BIN is the signalbox desktop binary. */
export const BIN = process.env.CAMPUS_BIN;
/** WORK is a scratch folder removed after the run. */
export const WORK = process.env.CAMPUS_WORK;
/** AP is the access point's namespace; LAPTOP the teacher's. */
export const AP = `${PREFIX}-ap`;
export const LAPTOP = `${PREFIX}-lap`;
/** STEP_TIMEOUT bounds one wait for something that should happen. */
export const STEP_TIMEOUT = 30_000;

/** inNS runs a command in namespace ns and returns its output. */
export function inNS(ns, cmd, args, opts = {}) {
  return execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8', ...opts });
}

/** ap runs an iproute2 command in the access point's namespace. */
export function ap(cmd, ...args) {
  return execFileSync(cmd, ['-n', AP, ...args], { encoding: 'utf8' });
}

/** waitFor polls fn until it returns {ok: true, …}, or fails after timeout ms with the last value. */
export async function waitFor(what, fn, timeout = STEP_TIMEOUT, every = 250) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last?.ok) return last;
    await sleep(every);
  }
  throw new Error(`${what}: not within ${timeout} ms; last seen ${JSON.stringify(last)}`);
}

/**
 * HOOK runs first in every page a student opens: it keeps the page's
 * RTCPeerConnections and reports each one's selected candidate pair and
 * decoded video, in Chromium and Firefox alike. It changes nothing, except
 * when the test sets SLOW_HOST_KEY in the page's localStorage to a number
 * of milliseconds: then the partner's host candidates reach the browser
 * that late (and whatever the page applies after them, in order), as over
 * a slow signalling path, so the partner's ICE checks arrive first and the
 * browser learns its addresses as peer-reflexive.
 */
export const SLOW_HOST_KEY = 'campus.slowHostCandidates';
export const HOOK = `(() => {
  const Native = window.RTCPeerConnection;
  if (!Native || window.__campus) return;
  const pcs = [];
  const slow = () => { try { return Number(localStorage.getItem(${JSON.stringify(SLOW_HOST_KEY)})) || 0; } catch { return 0; } };
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); pcs.push(this); }
    addIceCandidate(c, ...rest) {
      const ms = slow();
      if (ms > 0 && / typ host/.test((c && c.candidate) || '')) return new Promise((ok) => setTimeout(ok, ms)).then(() => super.addIceCandidate(c, ...rest));
      return super.addIceCandidate(c, ...rest);
    }
  };
  async function one(pc) {
    const stats = await pc.getStats();
    let pairId = null, frames = 0, bytes = 0;
    const pairs = [];
    stats.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
      if (s.type === 'candidate-pair') pairs.push(s);
      if (s.type === 'inbound-rtp' && s.kind === 'video') { frames += s.framesDecoded || 0; bytes += s.bytesReceived || 0; }
    });
    // Firefox has no transport stats: it marks the pair in use as selected.
    const pair = pairId ? stats.get(pairId) : pairs.find((p) => p.selected) || pairs.find((p) => p.nominated && p.state === 'succeeded');
    const local = pair && stats.get(pair.localCandidateId);
    const remote = pair && stats.get(pair.remoteCandidateId);
    return {
      state: pc.connectionState, ice: pc.iceConnectionState, signaling: pc.signalingState, frames, bytes,
      local: local ? { type: local.candidateType, address: local.address ?? local.ip, relayProtocol: local.relayProtocol, related: local.relatedAddress } : null,
      remote: remote ? { type: remote.candidateType, address: remote.address ?? remote.ip } : null,
    };
  }
  window.__campus = {
    async calls() { return Promise.all(pcs.filter((pc) => pc.connectionState !== 'closed').map(one)); },
    // Every candidate pair of every open connection, for a failure's message.
    async pairs() {
      const out = [];
      for (const pc of pcs.filter((pc) => pc.connectionState !== 'closed')) {
        const stats = await pc.getStats();
        const cand = (id) => { const c = stats.get(id); return c ? c.candidateType + ' ' + (c.address ?? c.ip) + ':' + c.port + (c.relayProtocol ? '/' + c.relayProtocol : '') : id; };
        stats.forEach((s) => {
          if (s.type === 'candidate-pair') out.push({ local: cand(s.localCandidateId), remote: cand(s.remoteCandidateId), state: s.state, nominated: s.nominated, selected: s.selected, priority: s.priority, bytesSent: s.bytesSent, bytesReceived: s.bytesReceived });
        });
      }
      return out;
    },
  };
})();`;

/** Student is one student's computer: a namespace, a browser, an agent driving it. */
export class Student {
  #next = 1;
  #pending = new Map();

  constructor({ name, node, address, browser, port }) {
    Object.assign(this, { name, node, address, browser, port });
    this.ns = `${PREFIX}-${node}`;
    this.profile = join(WORK, `profile-${node}`);
    mkdirSync(this.profile, { recursive: true });
    this.child = spawn(
      'ip',
      ['netns', 'exec', this.ns, process.execPath, join(here, 'agent.mjs'), '--browser', browser, '--profile', this.profile, '--name', name],
      { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, HOME: this.profile } },
    );
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        return; // a driver's stray output
      }
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      if (msg.ok) p.ok(msg.value);
      else p.fail(new Error(`[${this.name}] ${msg.error}`));
    });
    this.exited = new Promise((ok) => this.child.on('exit', ok));
  }

  /** do asks the agent for op and resolves with its answer. */
  do(op, args = {}) {
    const id = this.#next++;
    return new Promise((ok, fail) => {
      this.#pending.set(id, { ok, fail });
      this.child.stdin.write(JSON.stringify({ id, op, ...args }) + '\n');
    });
  }

  eval(expr) {
    return this.do('eval', { expr });
  }

  /** calls reports the page's live peer connections (see HOOK). */
  calls() {
    return this.eval('window.__campus ? window.__campus.calls() : []');
  }

  /** pairs lists every candidate pair of this student's open connections (for a failure's message). */
  pairs() {
    return this.eval('window.__campus ? window.__campus.pairs() : []');
  }

  async quit() {
    this.child.stdin.end();
    await this.exited;
  }
}

/** Teacher is the laptop: Xvfb and Signalbox with its defaults and its window, in the laptop namespace. */
export class Teacher {
  async start() {
    this.config = join(WORK, 'teacher');
    mkdirSync(this.config, { recursive: true });
    this.xvfb = spawn('ip', ['netns', 'exec', LAPTOP, 'Xvfb', '-displayfd', '1', '-nolisten', 'tcp', '-screen', '0', '1280x800x24'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    this.display = await new Promise((ok, fail) => {
      this.xvfb.stdout.once('data', (d) => ok(`:${String(d).trim()}`));
      this.xvfb.once('exit', (c) => fail(new Error(`Xvfb exited with ${c}`)));
    });
    this.logFile = join(WORK, 'teacher.log');
    this.log = '';
    // Defaults: HTTPS, mDNS, TURN on their usual ports, a window. Debug
    // logs only so the test can read what the window drew.
    this.app = spawn('ip', ['netns', 'exec', LAPTOP, BIN, '--log-level', 'debug'], {
      env: { ...process.env, DISPLAY: this.display, HOME: this.config, XDG_CONFIG_HOME: this.config, XDG_CACHE_HOME: join(this.config, 'cache'), XDG_DATA_HOME: join(this.config, 'data'), WEBKIT_DISABLE_DMABUF_RENDERER: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const add = (d) => {
      this.log += d;
    };
    this.app.stdout.on('data', add);
    this.app.stderr.on('data', add);
    this.exited = new Promise((ok) => this.app.on('exit', ok));
    await waitFor('the teacher’s Signalbox serving', async () => ({ ok: /msg=serving addrs=/.test(this.log) && /mdns: advertising/.test(this.log) }));
  }

  /** rendered returns the last "window rendered" line's rooms, peers, and peers shown direct and relayed. */
  rendered() {
    const all = [...this.log.matchAll(/msg="window rendered" rooms=(\d+) peers=(\d+) .*direct=(\d+) relayed=(\d+)/g)];
    const last = all.at(-1);
    return last ? { rooms: Number(last[1]), peers: Number(last[2]), direct: Number(last[3]), relayed: Number(last[4]) } : null;
  }

  /** api reads /api/rooms as the laptop itself does (it is this machine only). */
  api() {
    return JSON.parse(inNS(LAPTOP, 'curl', ['-fsS', 'http://127.0.0.1:7480/api/rooms']));
  }

  screenshot(name) {
    mkdirSync(artifacts, { recursive: true });
    const path = join(artifacts, name);
    inNS(LAPTOP, 'import', ['-display', this.display, '-window', 'root', path]);
    return path;
  }

  async stop() {
    this.app?.kill('SIGTERM');
    const code = await this.exited;
    this.xvfb?.kill('SIGTERM');
    return code;
  }
}

/** readJSON reads a JSON file. */
export const readJSON = (p) => JSON.parse(readFileSync(p, 'utf8'));
