// HTTPS with the local CA and the built-in TURN relay, end to end: the real
// signalbox binary, headless on loopback, and headless Chromium that
// trusts the CA through an NSS database (never --ignore-certificate-errors).
// A browser without the CA is refused; one with it loads the client over
// HTTPS at 127.0.0.1 and localhost with no warning and gets the fake
// camera; /trust shows the CA's fingerprint in English and Chinese; and two
// pages allowed relay candidates only call each other through the relay.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  browserHome,
  fetchCA,
  forceRelay,
  launch,
  screenshot,
  sha256Fingerprint,
  startSignalbox,
  STEP_TIMEOUT,
} from './helpers.mjs';

let server;
let ca;
let trusted;
let https;

before(async () => {
  server = await startSignalbox();
  ca = await fetchCA(server.url);
  trusted = await launch(browserHome(ca.pem));
  https = (host) => `https://${host}:${server.port}`;
});

after(async () => {
  await trusted?.close();
  const code = await server?.stop();
  assert.equal(code, 0, `signalbox exit code ${code}; log:\n${server?.log()}`);
});

test('the printed fingerprint is the downloaded CA’s, and the server signs with it', async () => {
  assert.equal(sha256Fingerprint(ca.der), server.fingerprint);
  assert.equal(ca.contentType, 'application/x-pem-file');
  assert.match(ca.subject, /CN=Signalbox Local CA/);
  assert.equal(server.trustURL, `http://127.0.0.1:${server.port}/trust`);
  const crt = await fetch(`${server.url}trust/ca.crt`);
  assert.equal(crt.headers.get('content-type'), 'application/x-x509-ca-cert');
  assert.deepEqual(Buffer.from(await crt.arrayBuffer()), ca.der);
});

test('a browser that does not trust the CA is refused over HTTPS', async () => {
  const untrusted = await launch(browserHome(null));
  try {
    const page = await untrusted.newPage();
    await assert.rejects(page.goto(`${https('127.0.0.1')}/`), /ERR_CERT_AUTHORITY_INVALID/);
  } finally {
    await untrusted.close();
  }
});

for (const host of ['127.0.0.1', 'localhost']) {
  test(`the client loads over HTTPS at ${host} with no certificate error and gets the camera`, async () => {
    const context = await trusted.newContext();
    try {
      const page = await context.newPage();
      const res = await page.goto(`${https(host)}/`);
      assert.equal(res.status(), 200);
      const details = await res.securityDetails();
      assert.equal(details.protocol, 'TLS 1.3');
      assert.match(details.issuer, /Signalbox Local CA/);
      const got = await page.evaluate(async () => {
        const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
        const tracks = stream.getTracks().map((t) => `${t.kind}:${t.readyState}`).sort();
        stream.getTracks().forEach((t) => t.stop());
        return { protocol: location.protocol, secure: window.isSecureContext, tracks };
      });
      assert.deepEqual(got, { protocol: 'https:', secure: true, tracks: ['audio:live', 'video:live'] });
    } finally {
      await context.close();
    }
  });
}

test('/trust shows the fingerprint and the steps, in English and Chinese', async () => {
  for (const [locale, heading, url] of [
    ['en-US', 'Trust this Signalbox once', server.trustURL],
    ['zh-CN', '只需一次：信任这台 Signalbox', `${https('127.0.0.1')}/trust`],
  ]) {
    const context = await trusted.newContext({ locale, viewport: { width: 420, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(url);
      await page.locator('h1', { hasText: heading }).waitFor({ timeout: STEP_TIMEOUT });
      const fp = page.locator('[data-testid=fingerprint]');
      await fp.locator('span').first().waitFor({ timeout: STEP_TIMEOUT });
      assert.equal((await fp.locator('span').allInnerTexts()).join(':'), server.fingerprint);
      assert.equal(await page.getAttribute('[data-testid=download-crt]', 'href'), '/trust/ca.crt');
      assert.equal(await page.getAttribute('[data-testid=back]', 'href'), '/');
      assert.equal(await page.locator('details[data-platform=linux]').getAttribute('open'), '');
      console.log('screenshot:', await screenshot(page, `trust-${locale}.png`));
    } finally {
      await context.close();
    }
  }
});

/** waitFor polls fn until it returns a truthy value, or fails after STEP_TIMEOUT. */
async function waitFor(what, fn) {
  const deadline = Date.now() + STEP_TIMEOUT;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last && last.ok) return last;
    await sleep(250);
  }
  throw new Error(`${what}: last seen ${JSON.stringify(last)}`);
}

test('two pages allowed only relay candidates call through the built-in TURN server and decode video', async () => {
  const pages = [];
  const contexts = [];
  try {
    const start = Date.now();
    for (const name of ['Ana', 'Ben']) {
      const context = await trusted.newContext();
      contexts.push(context);
      await forceRelay(context);
      await context.addInitScript((n) => localStorage.setItem('signalbox.name', n), name);
      const page = await context.newPage();
      page.on('pageerror', (err) => console.error(`[${name}] page error:`, err));
      await page.goto(`${https('127.0.0.1')}/r/relay-only`);
      await page.click('[data-action=confirm-name]'); // the name gate, prefilled
      pages.push(page);
    }
    const decoding = await Promise.all(
      pages.map((page) =>
        waitFor('decoding video', async () => {
          const v = await page.evaluate(() => window.__signalbox?.inboundVideo() ?? []);
          return { ok: v.length === 1 && v[0].framesDecoded > 10, v };
        }),
      ),
    );
    const firstFrames = Date.now() - start;
    for (const page of pages) {
      const configs = await page.evaluate(() => window.__relayTest.configs());
      assert.ok(configs.length >= 1, 'the client made a peer connection');
      const ice = configs[0].iceServers;
      assert.equal(ice.length, 1, JSON.stringify(ice));
      assert.deepEqual(ice[0].urls, [`turn:127.0.0.1:${server.turnPort}?transport=udp`, `turn:127.0.0.1:${server.turnPort}?transport=tcp`]);
      assert.match(ice[0].username, /^\d+:.+/);
      assert.ok(ice[0].credential.length > 10);
      const routes = await waitFor('a connected relay route', async () => {
        const r = await page.evaluate(() => window.__relayTest.routes());
        return { ok: r.some((x) => x.state === 'connected'), r };
      });
      const route = routes.r.find((x) => x.state === 'connected');
      assert.equal(route.policy, 'relay');
      assert.equal(route.local, 'relay');
      assert.equal(route.remote, 'relay');
      assert.equal(route.localAddress, '127.0.0.1');
      assert.ok(route.bytesReceived > 0);
    }
    // The count keeps rising: media flows, not one frame.
    const again = await Promise.all(
      pages.map((page, i) =>
        waitFor('frames still rising', async () => {
          const v = await page.evaluate(() => window.__signalbox.inboundVideo());
          return { ok: v[0].framesDecoded > decoding[i].v[0].framesDecoded, v };
        }),
      ),
    ).then((all) => all.map((x) => x.v));
    console.log(`relay call: both pages decoding through TURN ${firstFrames} ms after opening; frames ${again.map((v) => v[0].framesDecoded).join(', ')}`);
    console.log('screenshot:', await screenshot(pages[0], 'https-relay-call.png'));
  } finally {
    for (const c of contexts) await c.close();
  }
});
