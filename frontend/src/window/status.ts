// The join panel: the server's state (with the fix when the port is
// busy), the join URLs, the QR code of the primary one, and the mDNS
// advertisement.

import QRCode from 'qrcode';

import type { Bridge, ClusterStatus, JoinView, MDNSStatus, RelayStatus, Status } from './api';
import { errorCode } from './api';
import { data, h, type Localizer, type Msg, setData, setMsg } from './dom';
import { codeMsg } from './format';
import type { Toaster } from './toast';

/** QR_SIZE is the QR code's width in CSS pixels: big enough to scan across a classroom desk. */
const QR_SIZE = 280;
/** TRUST_QR_SIZE is the /trust page's QR code: smaller, so the join code stays the one people scan first. */
const TRUST_QR_SIZE = 140;

/** JoinPanel shows how to join, and what is wrong when the server is not running. */
export class JoinPanel {
  readonly el: HTMLElement;
  #problem: HTMLElement;
  #problemText: HTMLElement;
  #problemFix: HTMLElement;
  #join: HTMLElement;
  #qr: HTMLCanvasElement;
  #qrUrl = '';
  #url: HTMLElement;
  #others: HTMLElement;
  #noLan: HTMLElement;
  #mdns: HTMLElement;
  #trust: HTMLElement;
  #trustUrl: HTMLElement;
  #trustFp: HTMLElement;
  #trustQr: HTMLCanvasElement;
  #trustQrUrl = '';
  #tlsProblem: HTMLElement;
  #trustFpValue: HTMLElement;
  #certProblem: HTMLElement;
  #certProblemText: HTMLElement;
  #certProblemFix: HTMLElement;
  #relay: HTMLElement;
  #cluster: HTMLElement;
  #status: Status | null = null;

  constructor(
    private readonly l: Localizer,
    private readonly b: Bridge,
    private readonly toast: Toaster,
    private readonly openSettings: () => void,
  ) {
    this.#problemText = h(l, 'p', { class: 'problem-text' });
    this.#problemFix = h(l, 'p', { class: 'problem-fix' });
    this.#problem = h(l, 'section', { class: 'problem', attrs: { role: 'alert', hidden: '' } }, [
      this.#problemText,
      this.#problemFix,
      h(l, 'div', { class: 'actions' }, [
        h(l, 'button', { class: 'btn primary', attrs: { type: 'button' }, l10n: { text: 'status.retry' }, on: { click: () => void this.#retry() } }),
        h(l, 'button', { class: 'btn', attrs: { type: 'button' }, l10n: { text: 'status.changePort' }, on: { click: () => this.openSettings() } }),
      ]),
    ]);
    this.#qr = h(l, 'canvas', { class: 'qr', attrs: { width: String(QR_SIZE), height: String(QR_SIZE), role: 'img' }, l10n: { 'aria-label': 'join.qrLabel' } });
    this.#url = h(l, 'div', { class: 'url', attrs: { 'data-testid': 'primary-url' } });
    this.#others = h(l, 'ul', { class: 'others' });
    this.#noLan = h(l, 'p', { class: 'note warn', attrs: { hidden: '' }, l10n: { text: 'join.noLan' } });
    this.#join = h(l, 'section', { class: 'join' }, [
      h(l, 'h2', { l10n: { text: 'join.title' } }),
      h(l, 'p', { class: 'hint', l10n: { text: 'join.scan' } }),
      h(l, 'div', { class: 'qr-frame' }, [this.#qr]),
      this.#url,
      h(l, 'div', { class: 'actions' }, [
        h(l, 'button', { class: 'btn primary', attrs: { type: 'button' }, l10n: { text: 'join.copy' }, on: { click: () => void this.#copy(this.#qrUrl) } }),
        h(l, 'button', { class: 'btn', attrs: { type: 'button' }, l10n: { text: 'join.openLobby' }, on: { click: () => void this.#openLobby() } }),
      ]),
      this.#noLan,
      h(l, 'h3', { class: 'others-title', l10n: { text: 'join.also' } }),
      this.#others,
    ]);
    this.#trustUrl = h(l, 'span', { class: 'url-small' });
    this.#trustFpValue = h(l, 'span', { class: 'fp', attrs: { 'data-testid': 'fingerprint' } });
    this.#trustFp = h(l, 'small', { class: 'mono fingerprint' }, [h(l, 'span', { l10n: { text: 'tls.fingerprintLabel' } }), data(' '), this.#trustFpValue]);
    this.#trustQr = h(l, 'canvas', { class: 'qr-small', attrs: { width: String(TRUST_QR_SIZE), height: String(TRUST_QR_SIZE), role: 'img', 'data-testid': 'trust-qr' }, l10n: { 'aria-label': 'tls.qrLabel' } });
    this.#trust = h(l, 'section', { class: 'trust', attrs: { hidden: '' } }, [
      h(l, 'h3', { l10n: { text: 'tls.title' } }),
      h(l, 'p', { class: 'hint', l10n: { text: 'tls.howto' } }),
      this.#trustQr,
      h(l, 'div', { class: 'trust-row' }, [
        this.#trustUrl,
        h(l, 'button', { class: 'btn small', attrs: { type: 'button' }, l10n: { text: 'join.copyShort' }, on: { click: () => void this.#copy(this.#status?.tls.trustUrl ?? '') } }),
      ]),
      this.#trustFp,
    ]);
    this.#tlsProblem = h(l, 'p', { class: 'note warn', attrs: { hidden: '' }, l10n: { text: 'tls.failed' } });
    this.#certProblemText = h(l, 'strong');
    this.#certProblemFix = h(l, 'span');
    this.#certProblem = h(l, 'p', { class: 'note warn', attrs: { hidden: '', 'data-testid': 'cert-uncovered' } }, [this.#certProblemText, data(' '), this.#certProblemFix]);
    this.#mdns = h(l, 'p', { class: 'mdns' });
    this.#relay = h(l, 'p', { class: 'mdns relay' });
    this.#cluster = h(l, 'p', { class: 'mdns cluster', attrs: { hidden: '' } });
    this.el = h(l, 'aside', { class: 'panel join-panel' }, [this.#problem, this.#certProblem, this.#join, this.#trust, this.#tlsProblem, this.#mdns, this.#relay, this.#cluster]);
  }

  /** update shows a new status. */
  update(st: Status): void {
    this.#status = st;
    const running = st.state === 'running';
    this.#problem.hidden = running;
    this.#join.hidden = !running;
    if (!running) {
      if (st.state === 'error' && st.errorCode === 'port-busy') {
        setMsg(this.l, this.#problemText, ['status.portBusy', { port: String(st.port) }]);
        setMsg(this.l, this.#problemFix, ['status.portBusyFix', { port: String(st.port) }]);
      } else if (st.state === 'error') {
        setMsg(this.l, this.#problemText, 'status.failed');
        this.#problemFix.removeAttribute('data-l10n');
        setData(this.#problemFix, st.error ?? '');
      } else {
        setMsg(this.l, this.#problemText, 'status.stoppedHint');
        setMsg(this.l, this.#problemFix, null);
      }
    }
    const primary = st.joins.find((j) => j.primary) ?? st.joins[0];
    if (primary) {
      setData(this.#url, primary.url);
      void this.#drawQR(primary.url);
    }
    this.#noLan.hidden = !primary || !isLoopback(primary.url);
    this.#others.replaceChildren(...st.joins.filter((j) => j !== primary).map((j) => this.#other(j)));
    this.#others.previousElementSibling?.toggleAttribute('hidden', st.joins.length < 2);
    const tls = st.tls;
    // Only other devices need the certificate: nothing to trust without a LAN.
    this.#trust.hidden = !running || !tls.active || !tls.trustUrl || !!tls.userCert || !primary || isLoopback(primary.url);
    if (tls.trustUrl) setData(this.#trustUrl, tls.trustUrl);
    if (tls.trustUrl && !this.#trust.hidden) void this.#drawTrustQR(tls.trustUrl);
    // One unbreakable span per byte: the fingerprint wraps between bytes, never inside one.
    if (tls.fingerprint) this.#trustFpValue.replaceChildren(...fingerprintBytes(tls.fingerprint).map((b) => h(this.l, 'span', {}, [data(b)])));
    const uncovered = running && tls.active ? (tls.uncovered ?? []) : [];
    this.#certProblem.hidden = uncovered.length === 0;
    if (uncovered.length > 0) {
      setMsg(this.l, this.#certProblemText, ['tls.uncovered', { hosts: uncovered.join(', ') }]);
      setMsg(this.l, this.#certProblemFix, tls.userCert ? 'tls.uncoveredFixUser' : 'tls.uncoveredFixCA');
    }
    this.#tlsProblem.hidden = !running || !tls.enabled || tls.active || !tls.code;
    setMsg(this.l, this.#relay, relayMsg(st.relay));
    this.#relay.className = `mdns relay ${st.relay.active ? 'ok' : st.relay.code ? 'warn' : ''}`;
    this.#relay.hidden = !running;
    const cluster = clusterMsg(st.cluster);
    this.#cluster.hidden = !running || cluster === null;
    if (cluster !== null) setMsg(this.l, this.#cluster, cluster);
    this.#cluster.className = `mdns cluster ${st.cluster?.ready ? 'ok' : 'warn'}`;
    setMsg(this.l, this.#mdns, mdnsMsg(st.mdns));
    this.#mdns.className = `mdns ${st.mdns.advertising ? 'ok' : st.mdns.code === 'failed' ? 'warn' : ''}`;
  }

  #other(j: JoinView): HTMLElement {
    return h(this.l, 'li', {}, [
      h(this.l, 'span', { class: 'url-small' }, [data(j.url)]),
      j.interface ? h(this.l, 'span', { class: 'iface' }, [data(j.interface)]) : null,
      h(this.l, 'button', { class: 'btn small', attrs: { type: 'button' }, l10n: { text: 'join.copyShort' }, on: { click: () => void this.#copy(j.url) } }),
    ]);
  }

  async #drawQR(url: string): Promise<void> {
    if (url === this.#qrUrl) return;
    this.#qrUrl = url;
    try {
      await QRCode.toCanvas(this.#qr, url, { width: QR_SIZE, margin: 2, errorCorrectionLevel: 'M', color: { dark: '#0f172a', light: '#ffffff' } });
    } catch (err) {
      this.toast.show('join.qrFailed', 'error', String(err));
    }
  }

  /** drawTrustQR draws the second, smaller QR code: the /trust page, for a phone that does not trust the certificate yet. */
  async #drawTrustQR(url: string): Promise<void> {
    if (url === this.#trustQrUrl) return;
    this.#trustQrUrl = url;
    try {
      await QRCode.toCanvas(this.#trustQr, url, { width: TRUST_QR_SIZE, margin: 1, errorCorrectionLevel: 'M', color: { dark: '#0f172a', light: '#ffffff' } });
    } catch (err) {
      this.toast.show('join.qrFailed', 'error', String(err));
    }
  }

  async #copy(text: string): Promise<void> {
    if (!text) return;
    let ok = false;
    try {
      ok = await this.b.runtime.ClipboardSetText(text);
    } catch {
      ok = false;
    }
    if (!ok) {
      try {
        await navigator.clipboard.writeText(text);
        ok = true;
      } catch {
        ok = false;
      }
    }
    this.toast.show(ok ? 'copy.done' : 'copy.failed', ok ? 'ok' : 'error');
  }

  async #openLobby(): Promise<void> {
    try {
      await this.b.app.OpenRoom('');
    } catch (err) {
      const { code, detail } = errorCode(err);
      this.toast.show(codeMsg(code), 'error', detail);
    }
  }

  async #retry(): Promise<void> {
    try {
      await this.b.app.Retry();
    } catch (err) {
      const { code, detail } = errorCode(err);
      this.toast.show(code === 'port-busy' ? ['status.portBusy', { port: String(this.#status?.port ?? '') }] : codeMsg(code), 'error', detail);
    }
  }
}

/** mdnsMsg describes the LAN advertisement. */
export function mdnsMsg(m: MDNSStatus): Msg {
  if (!m.enabled) return 'mdns.off';
  if (m.advertising) return ['mdns.advertising', { host: (m.host ?? '').replace(/\.$/, '') }];
  switch (m.code) {
    case 'loopback-only':
      return 'mdns.loopbackOnly';
    case 'no-lan':
      return 'mdns.noLan';
    case 'failed':
      return 'mdns.failed';
    default:
      return 'mdns.starting';
  }
}

/** clusterMsg describes the link to the other servers sharing rooms, or null when standalone. */
export function clusterMsg(c: ClusterStatus | undefined): Msg | null {
  if (!c || !c.mode) return null;
  if (c.ready) return ['cluster.ready', { id: c.clusterId, count: c.servers }];
  return ['cluster.unreachable', { id: c.clusterId }];
}

/** relayMsg describes the built-in TURN relay. */
export function relayMsg(r: RelayStatus): Msg {
  if (!r.enabled) return 'relay.off';
  if (r.active) return [r.inUse ? 'relay.inUse' : 'relay.ready', { port: String(r.port ?? ''), count: r.activeAllocations }];
  return r.code ? ['relay.failed', { port: String(r.port ?? '') }] : 'relay.starting';
}

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === '127.0.0.1' || host === '[::1]' || host === 'localhost';
  } catch {
    return false;
  }
}

/** fingerprintBytes splits "AB:CD:EF" into "AB:", "CD:", "EF": the pieces a line may break between. */
export function fingerprintBytes(fp: string): string[] {
  const parts = fp.split(':');
  return parts.map((p, i) => (i < parts.length - 1 ? `${p}:` : p));
}
