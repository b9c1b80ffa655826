// The call page: tiles, the control bar, and side panels for chat, the
// teaching view and the device pickers.

import type { ClientKey } from '../../i18n/client';
import type { Call } from '../call';
import { h, type Localizer } from '../dom';
import { ChatPanel } from './chat';
import { DevicePickers } from './devices';
import { MediaNotice } from './notices';
import { PresenceStrip, RenameForm } from './presence';
import { bannerMsg } from './status';
import { TeachingPanel } from './teaching-panel';
import { ChatOnlyList, SelfPreview, TileGrid } from './tiles';

type PanelName = 'chat' | 'teach' | 'devices' | 'name';

/** BANNER_TICK_MS is how often the reconnect banner re-checks how long the server has been gone. */
const BANNER_TICK_MS = 1000;

/** CallView is the page during a call. */
export class CallView {
  readonly el: HTMLElement;
  readonly teaching: TeachingPanel;
  #grid: TileGrid;
  #self: SelfPreview;
  #panel: PanelName | null = null;
  #panels: Record<PanelName, HTMLElement>;
  #aside: HTMLElement;
  #buttons: Record<'mic' | 'cam' | 'screen' | 'chat' | 'teach' | 'devices' | 'leave', HTMLButtonElement>;
  #banner: HTMLElement;
  #soundButton: HTMLButtonElement;
  #chat: ChatPanel;
  #rename: RenameForm;
  #unread = 0;
  #tick: ReturnType<typeof setInterval>;
  #disposers: (() => void)[] = [];

  constructor(private readonly l: Localizer, private readonly call: Call) {
    const media = call.media;
    this.#self = new SelfPreview(l, media);
    this.#soundButton = h(l, 'button', { class: 'button primary sound', attrs: { type: 'button' }, l10n: { text: 'call.enableSound' } });
    this.#soundButton.hidden = true;
    this.#grid = new TileGrid(l, this.#self, () => (this.#soundButton.hidden = false));
    const chatOnly = new ChatOnlyList(l);
    this.#soundButton.addEventListener('click', () => {
      this.#grid.unmuteAll();
      this.#soundButton.hidden = true;
    });
    this.#chat = new ChatPanel(l, call);
    this.teaching = new TeachingPanel(l, call);
    const pickers = new DevicePickers(l, media);
    void pickers.refresh();
    const notice = new MediaNotice(l, media, call.webrtc);
    const presence = new PresenceStrip(l, call);
    this.#rename = new RenameForm(l, call, (name) => {
      this.#self.setName(name); // shown at once; peer-renamed confirms it
      this.#open(null);
    });
    const renameButton = h(l, 'button', {
      class: 'button rename-self',
      attrs: { type: 'button', 'data-action': 'rename', 'aria-controls': 'side' },
      l10n: { text: 'rename.button', 'aria-label': 'rename.title' },
    });
    renameButton.addEventListener('click', () => this.#toggle('name'));
    this.#self.el.append(renameButton);
    this.#disposers.push(() => pickers.dispose(), this.#self.dispose, notice.dispose, () => presence.dispose());
    this.#panels = {
      chat: this.#chat.el,
      teach: this.teaching.el,
      name: this.#rename.el,
      devices: h(l, 'section', { class: 'panel-body devices', attrs: { 'aria-labelledby': 'devices-title' } }, [
        h(l, 'h2', { id: 'devices-title', l10n: { text: 'devices.title' } }),
        pickers.el,
      ]),
    };
    const close = h(l, 'button', { class: 'button close', attrs: { type: 'button' }, l10n: { text: 'call.closePanel' } });
    close.addEventListener('click', () => this.#open(null));
    this.#aside = h(l, 'aside', { class: 'side', attrs: { id: 'side' } }, [h(l, 'div', { class: 'side-head' }, [close]), ...Object.values(this.#panels)]);
    this.#aside.hidden = true;

    const button = (action: string, key: ClientKey, extra = '') =>
      h(l, 'button', { class: `button control ${extra}`, attrs: { type: 'button', 'data-action': action }, l10n: { text: key } });
    this.#buttons = {
      mic: button('mic', 'call.mute'),
      cam: button('cam', 'call.cameraOff'),
      screen: button('screen', 'call.share'),
      chat: button('chat', 'call.chat'),
      teach: button('teach', 'call.teach'),
      devices: button('devices', 'call.devices'),
      leave: button('leave', 'call.leave', 'danger'),
    };
    const b = this.#buttons;
    b.mic.addEventListener('click', () => media.setMic(!media.micOn));
    b.cam.addEventListener('click', () => media.setCam(!media.camOn));
    b.screen.addEventListener('click', () => (media.screen ? media.stopScreen() : void media.startScreen()));
    b.chat.addEventListener('click', () => this.#toggle('chat'));
    b.teach.addEventListener('click', () => this.#toggle('teach'));
    b.devices.addEventListener('click', () => this.#toggle('devices'));
    b.leave.addEventListener('click', () => call.leave());
    for (const name of ['chat', 'teach', 'devices'] as const) b[name].setAttribute('aria-controls', 'side');

    // Alone in the room: say who will come, so an empty stage is not a fault.
    const waiting = h(l, 'p', { class: 'waiting', attrs: { role: 'status', 'data-testid': 'waiting' } });
    waiting.hidden = true;
    this.#banner = h(l, 'div', { class: 'banner', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.#banner.hidden = true;
    const toolbar = h(l, 'div', { class: 'controls', attrs: { role: 'toolbar' }, l10n: { 'aria-label': 'call.controls' } }, Object.values(b));

    this.el = h(l, 'div', { class: 'call' }, [
      h(l, 'div', { class: 'stage' }, [this.#banner, presence.el, notice.el, waiting, this.#soundButton, this.#grid.el, chatOnly.el]),
      this.#aside,
      toolbar,
    ]);

    this.#disposers.push(media.onChange(() => this.#updateControls()));
    const updateWaiting = () => {
      waiting.hidden = call.peers.size > 0 || call.self === null;
      if (!waiting.hidden) this.l.set(waiting, { text: call.capacity === 2 ? 'call.waitingPartner' : 'call.waitingOthers' });
    };
    call.on('self', updateWaiting);
    call.on('peers', () => {
      updateWaiting();
      this.#grid.update(call.peers);
      chatOnly.update(call.chatOnlyPeers());
    });
    call.on('self', () => this.#self.setName(call.self?.name ?? ''));
    call.on('status', () => this.#updateBanner());
    call.on('chat', (line) => {
      if (this.#panel !== 'chat' && !line.self) this.#unread++;
      this.#updateControls();
    });
    this.#tick = setInterval(() => this.#updateBanner(), BANNER_TICK_MS);
    this.#updateControls();
    this.#updateBanner();
  }

  /** dispose stops timers and listeners. */
  dispose(): void {
    clearInterval(this.#tick);
    this.call.setStatsPolling(false);
    for (const d of this.#disposers) d();
    this.#disposers = [];
  }

  #toggle(p: PanelName): void {
    this.#open(this.#panel === p ? null : p);
  }

  #open(p: PanelName | null): void {
    this.#panel = p;
    this.#aside.hidden = p === null;
    for (const [name, el] of Object.entries(this.#panels)) el.hidden = name !== p;
    for (const name of ['chat', 'teach', 'devices'] as const) this.#buttons[name].setAttribute('aria-expanded', String(name === p));
    this.el.classList.toggle('with-side', p !== null);
    this.call.setStatsPolling(p === 'teach');
    if (p === 'chat') {
      this.#unread = 0;
      this.#chat.focus();
    }
    if (p === 'name') this.#rename.focus();
    this.#updateControls();
  }

  #updateControls(): void {
    const m = this.call.media;
    const b = this.#buttons;
    const set = (btn: HTMLButtonElement, key: ClientKey, pressed: boolean | null, disabled: boolean) => {
      this.l.set(btn, { text: key });
      if (pressed === null) btn.removeAttribute('aria-pressed');
      else btn.setAttribute('aria-pressed', String(pressed));
      btn.disabled = disabled;
    };
    set(b.mic, m.micOn ? 'call.mute' : 'call.unmute', !m.micOn, m.audio === null);
    set(b.cam, m.camOn ? 'call.cameraOff' : 'call.cameraOn', !m.camOn, m.camera === null);
    set(b.screen, m.screen ? 'call.stopShare' : 'call.share', m.screen !== null, !m.canShareScreen || !this.call.webrtc);
    b.screen.hidden = !m.canShareScreen;
    if (this.#unread > 0) this.l.set(b.chat, { text: ['call.chatUnread', { count: this.#unread }] });
    else this.l.set(b.chat, { text: 'call.chat' });
    b.devices.hidden = m.audio === null && m.camera === null;
  }

  #updateBanner(): void {
    const grace = this.call.client.welcome?.limits.resumeGrace ?? 10_000;
    const key = bannerMsg(this.call.client.status, Date.now(), grace);
    this.#banner.hidden = key === null;
    if (key) this.l.set(this.#banner, { text: key });
  }
}
