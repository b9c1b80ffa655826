// Helpers for the HTTPS and relay end-to-end tests: the real signalbox
// binary run headless on loopback with a fresh config folder (so a fresh
// local CA), an NSS database that trusts that CA (Chromium on Linux reads
// $HOME/.pki/nssdb), and headless Chromium started with that HOME. No
// --ignore-certificate-errors anywhere: the browser verifies the chain.

import { execFileSync, spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { artifacts, chromium, CHROMIUM, CHROMIUM_ARGS, repo, screenshot as shot, STEP_TIMEOUT } from '../browser.mjs';

export { artifacts, CHROMIUM, CHROMIUM_ARGS, repo, STEP_TIMEOUT };

/** tempDir makes a folder removed when the process exits. */
export function tempDir(prefix) {
  const d = mkdtempSync(join(tmpdir(), prefix));
  process.on('exit', () => rmSync(d, { recursive: true, force: true }));
  return d;
}

let built = null;

/** binary returns the signalbox binary: $SIGNALBOX_BIN, or one built now (a plain go build: headless only). */
export function binary() {
  if (process.env.SIGNALBOX_BIN) return process.env.SIGNALBOX_BIN;
  if (!built) {
    built = join(tempDir('sbx-https-bin-'), 'signalbox');
    execFileSync('go', ['build', '-o', built, '.'], { cwd: repo, stdio: 'inherit' });
  }
  return built;
}

/**
 * startSignalbox runs `signalbox --headless` on a free loopback port with
 * the relay on a free loopback port, its config (and so its CA) in a new
 * folder, and resolves once it printed how to join: the loopback URL, the
 * CA fingerprint, the /trust URL and the relay port.
 */
export async function startSignalbox() {
  const config = tempDir('sbx-https-config-');
  const args = ['--headless', '--addr', '127.0.0.1:0', '--mdns=false', '--turn-port', '0', '--log-level', 'info'];
  const child = spawn(binary(), args, {
    cwd: repo,
    env: { ...process.env, XDG_CONFIG_HOME: config, HOME: config },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  process.on('exit', () => child.kill('SIGKILL'));
  let log = '';
  child.stderr.on('data', (chunk) => {
    log += chunk;
  });
  const exited = new Promise((ok) => child.on('exit', ok));
  const info = await new Promise((ok, fail) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const join = /Join from any device on this network: (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(out);
      const fp = /fingerprint \(SHA-256\):\n {2}([0-9A-F:]{95})\n/.exec(out);
      const trust = /Trust it once on each device[^:]*: (\S+)/.exec(out);
      const relay = /Relay \(TURN\)[^:]*: 127\.0\.0\.1, UDP and TCP port (\d+)/.exec(out);
      if (join && fp && trust && relay) {
        ok({ url: join[1], port: Number(join[2]), fingerprint: fp[1], trustURL: trust[1], turnPort: Number(relay[1]), stdout: out });
      }
    });
    child.on('exit', (code) => fail(new Error(`signalbox exited with ${code} before it was ready:\n${log}`)));
  });
  return {
    ...info,
    config,
    log: () => log,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** sha256Fingerprint formats the SHA-256 of der as "AB:CD:…". */
export function sha256Fingerprint(der) {
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g).join(':');
}

/** fetchCA downloads the CA over plain HTTP on loopback, checks it is a CA, and returns PEM and DER. */
export async function fetchCA(base) {
  const res = await fetch(`${base}trust/ca.pem`);
  if (!res.ok) throw new Error(`GET /trust/ca.pem: ${res.status}`);
  const pem = await res.text();
  const cert = new X509Certificate(pem);
  if (!cert.ca) throw new Error('the downloaded certificate is not a CA');
  return { pem, der: cert.raw, subject: cert.subject, contentType: res.headers.get('content-type') };
}

/**
 * browserHome makes a HOME whose NSS database (what Chromium on Linux
 * trusts besides its built-in roots) holds caPem as a trusted CA for web
 * sites, or no extra CA when caPem is null.
 */
export function browserHome(caPem) {
  const home = tempDir('sbx-https-home-');
  const db = join(home, '.pki', 'nssdb');
  mkdirSync(db, { recursive: true });
  execFileSync('certutil', ['-d', `sql:${db}`, '-N', '--empty-password']);
  if (caPem) {
    const file = join(home, 'signalbox-ca.pem');
    writeFileSync(file, caPem);
    execFileSync('certutil', ['-d', `sql:${db}`, '-A', '-t', 'C,,', '-n', 'signalbox', '-i', file]);
  }
  return home;
}

/** launch starts headless Chromium with home as its HOME (and so its NSS database). */
export function launch(home) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...process.env, HOME: home },
  });
}

/**
 * forceRelay makes every RTCPeerConnection of the context gather relay
 * candidates only (iceTransportPolicy 'relay'), as if the network blocked
 * every direct path, and records the configurations the client asked for
 * and the connections it made, for the test to inspect.
 */
export async function forceRelay(context) {
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const configs = [];
    const pcs = [];
    class RelayOnly extends Native {
      constructor(config = {}, ...rest) {
        super({ ...config, iceTransportPolicy: 'relay' }, ...rest);
        configs.push(JSON.parse(JSON.stringify(config)));
        pcs.push(this);
      }
    }
    window.RTCPeerConnection = RelayOnly;
    window.__relayTest = {
      configs: () => configs,
      async routes() {
        const out = [];
        for (const pc of pcs) {
          const stats = await pc.getStats();
          let pairId = null;
          stats.forEach((s) => {
            if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
          });
          const pair = pairId ? stats.get(pairId) : null;
          if (!pair) continue;
          const local = stats.get(pair.localCandidateId);
          const remote = stats.get(pair.remoteCandidateId);
          out.push({
            state: pc.connectionState,
            policy: pc.getConfiguration().iceTransportPolicy,
            local: local?.candidateType,
            remote: remote?.candidateType,
            localAddress: local?.address,
            relayProtocol: local?.relayProtocol,
            bytesReceived: pair.bytesReceived,
          });
        }
        return out;
      },
    };
  });
}

/** screenshot saves a PNG of the whole page under test-artifacts/. */
export function screenshot(page, name) {
  return shot(page, name, { fullPage: true });
}
