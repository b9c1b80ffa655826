// A student's computer: run inside the student's network namespace
// (`ip netns exec NS node agent.mjs --browser chromium|firefox --profile DIR`),
// it drives that student's browser with puppeteer-core (Chromium over CDP,
// Debian's firefox-esr over WebDriver BiDi) and takes requests from the
// classroom test (campus.test.mjs) as JSON lines on stdin, answering each on
// stdout: {"id", "ok", "value"} or {"id", "ok": false, "error"}. The browser
// and its driver live in the namespace, so everything the student does goes
// over the simulated Wi-Fi and nothing else.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import puppeteer from 'puppeteer-core';

const { values: opts } = parseArgs({
  options: { browser: { type: 'string' }, profile: { type: 'string' }, name: { type: 'string', default: 'student' } },
});
const kind = opts.browser;
const profile = opts.profile;
mkdirSync(profile, { recursive: true });

/** CHROMIUM_ARGS keep Chromium off the internet and give it a fake camera that needs no prompt. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-client-side-phishing-detection',
  '--disable-domain-reliability',
  '--disable-breakpad',
  '--no-pings',
  '--metrics-recording-only',
  '--safebrowsing-disable-auto-update',
  '--disable-features=Translate,OptimizationHints,OptimizationHintsFetching,OptimizationGuideModelDownloading,AutofillServerCommunication,CertificateTransparencyComponentUpdater,MediaRouter,DialMediaRouteProvider',
  // Backstop for Chromium's own services that no flag above stops (sign-in,
  // updates, connectivity checks): names of the vendor's domains fail inside
  // the browser. Every other name is still looked up over the LAN, where the
  // sniffer would see it.
  '--host-resolver-rules=MAP *.google.com ~NOTFOUND, MAP *.googleapis.com ~NOTFOUND, MAP *.gstatic.com ~NOTFOUND',
];

/** FIREFOX_PREFS: a fake camera with no prompt, host candidates shown, and nothing that calls home. */
const FIREFOX_PREFS = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.trr.mode': 5,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'browser.safebrowsing.provider.mozilla.gethashURL': '',
  'app.update.auto': false,
  'app.update.enabled': false,
  'extensions.update.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'datareporting.healthreport.uploadEnabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'app.normandy.enabled': false,
  'security.OCSP.enabled': 0,
  'security.remote_settings.crlite_filters.enabled': false,
  'security.remote_settings.intermediates.enabled': false,
  'browser.region.network.url': '',
  'browser.search.geoSpecificDefaults': false,
  'geo.provider.network.url': '',
};

/** nssDB is where this browser keeps the certificate authorities it trusts. */
const nssDB = kind === 'firefox' ? join(profile, 'firefox') : join(profile, '.pki', 'nssdb');

let browser = null;
let page = null;
/** scripts run first in every page opened from now on (re-added to fresh tabs). */
const scripts = [];

async function newPage() {
  page = await browser.newPage();
  page.on('pageerror', (err) => process.stderr.write(`[${opts.name}] page error: ${err}\n`));
  // The page's warnings (a negotiation step that failed) and its own notes
  // (a route upgrade: "signalbox: …") go to the run's log.
  page.on('console', (m) => {
    const t = m.type();
    if (t === 'warn' || t === 'error' || ((t === 'info' || t === 'log') && m.text().startsWith('signalbox:'))) {
      process.stderr.write(`[${opts.name}] console.${t}: ${m.text()}\n`);
    }
  });
  for (const src of scripts) await page.evaluateOnNewDocument(src);
}

async function launch() {
  if (kind === 'firefox') {
    mkdirSync(join(profile, 'firefox'), { recursive: true });
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: '/usr/bin/firefox-esr',
      headless: true,
      userDataDir: join(profile, 'firefox'),
      extraPrefsFirefox: FIREFOX_PREFS,
      // Release builds honour services.settings.server (puppeteer points it
      // nowhere) only with this set; otherwise Remote Settings syncs from
      // Mozilla's server at start.
      env: { ...process.env, HOME: profile, MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
    });
  } else {
    browser = await puppeteer.launch({
      browser: 'chrome',
      executablePath: process.env.SIGNALBOX_CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      userDataDir: join(profile, 'chromium'),
      env: { ...process.env, HOME: profile },
    });
  }
  await newPage();
  const version = await browser.version();
  return { version };
}

const ops = {
  launch,
  async close() {
    scripts.length = 0;
    await browser?.close();
    browser = page = null;
  },
  /** goto loads url; a navigation error (an untrusted certificate) is returned, not thrown. */
  async goto({ url, fresh }) {
    if (fresh) {
      const old = page;
      await newPage();
      await old.close();
    }
    try {
      const res = await page.goto(url, { waitUntil: 'load', timeout: 20_000 });
      return { status: res?.status() ?? 0, url: page.url(), secure: await page.evaluate('window.isSecureContext') };
    } catch (err) {
      return { error: String(err.message || err) };
    }
  },
  /** initScript runs src in every document the page loads from now on. */
  async initScript({ src }) {
    scripts.push(src);
    await page.evaluateOnNewDocument(src);
  },
  async eval({ expr }) {
    return page.evaluate(expr);
  },
  /** downloadCA fetches the certificate the page links to (as its download button does) into the profile. */
  async downloadCA({ selector }) {
    const href = await page.$eval(selector, (a) => a.href);
    const b64 = await page.evaluate(async (u) => {
      const buf = new Uint8Array(await (await fetch(u)).arrayBuffer());
      let s = '';
      for (const b of buf) s += String.fromCharCode(b);
      return btoa(s);
    }, href);
    const file = join(profile, 'signalbox-ca.crt');
    writeFileSync(file, Buffer.from(b64, 'base64'));
    return { href, file, bytes: Buffer.from(b64, 'base64').length };
  },
  /** trustCA imports the downloaded CA into this browser's NSS database, as "import … trust for web sites" does. */
  async trustCA() {
    if (browser) throw new Error('close the browser before changing its certificate database');
    mkdirSync(nssDB, { recursive: true });
    if (!existsSync(join(nssDB, 'cert9.db'))) execFileSync('certutil', ['-d', `sql:${nssDB}`, '-N', '--empty-password']);
    execFileSync('certutil', ['-d', `sql:${nssDB}`, '-A', '-t', 'C,,', '-n', 'Signalbox Local CA', '-i', join(profile, 'signalbox-ca.crt')]);
    return execFileSync('certutil', ['-d', `sql:${nssDB}`, '-L'], { encoding: 'utf8' });
  },
  async screenshot({ path }) {
    await page.screenshot({ path });
    return path;
  },
};

const rl = createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const req = JSON.parse(line);
  try {
    const value = await ops[req.op](req);
    process.stdout.write(JSON.stringify({ id: req.id, ok: true, value: value ?? null }) + '\n');
  } catch (err) {
    process.stdout.write(JSON.stringify({ id: req.id, ok: false, error: String(err?.stack || err) }) + '\n');
  }
});
rl.on('close', async () => {
  await browser?.close().catch(() => undefined);
  process.exit(0);
});
