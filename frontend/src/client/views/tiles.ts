// Video tiles: this page's own picture and one tile per remote peer in the
// call, in a grid that re-flows with the number of tiles; and a row of
// names for the peers in the room for chat only, who have no picture.

import type { ClientKey } from '../../i18n/client';
import { reconnecting, type RemotePeer } from '../call';
import { h, type Localizer, setUserText } from '../dom';
import type { LocalMedia } from '../media';

/** initials are up to two letters of a name, for a tile without video. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words[words.length - 1]!].map((w) => [...w][0]) : [...(words[0] ?? '')].slice(0, 2);
  return letters.join('').toUpperCase();
}

/** gridColumns is how many columns n tiles use on a wide or a narrow (portrait phone) screen. */
export function gridColumns(n: number, narrow: boolean): number {
  if (narrow) return n <= 3 ? 1 : 2;
  if (n <= 1) return 1;
  if (n <= 4) return 2;
  if (n <= 9) return 3;
  if (n <= 16) return 4;
  return 5;
}

/**
 * attach shows stream in v once it has a track. A media element given an
 * empty stream waits for data forever, and holds the page's load event
 * (the browser's spinner) with it.
 */
function attach(v: HTMLVideoElement, stream: MediaStream): boolean {
  const want = stream.getTracks().length > 0 ? stream : null;
  if (v.srcObject === want) return false;
  v.srcObject = want;
  return want !== null;
}

function video(muted: boolean): HTMLVideoElement {
  const v = document.createElement('video');
  v.autoplay = true;
  v.playsInline = true;
  v.muted = muted;
  v.setAttribute('playsinline', '');
  return v;
}

/** SelfPreview is this page's own picture (mirrored when it is the camera). */
export class SelfPreview {
  readonly el: HTMLElement;
  readonly video = video(true);
  #avatar: HTMLElement;
  #label: HTMLElement;
  #name = '';
  /** dispose stops following the media. */
  readonly dispose: () => void;

  constructor(private readonly l: Localizer, private readonly media: LocalMedia) {
    this.#avatar = h(l, 'div', { class: 'avatar', attrs: { 'aria-hidden': 'true' } });
    this.#label = h(l, 'figcaption', { class: 'caption' });
    this.el = h(l, 'figure', { class: 'tile self', attrs: { 'data-peer': 'self' } }, [this.video, this.#avatar, this.#label]);
    this.dispose = media.onChange(() => this.update());
    this.update();
  }

  /** setName shows this page's display name once the server has confirmed it. */
  setName(name: string): void {
    this.#name = name;
    this.update();
  }

  /** update shows the current tracks and switches. */
  update(): void {
    const m = this.media;
    const name = this.#name;
    const showing = m.screen !== null || (m.camera !== null && m.camOn);
    this.el.classList.toggle('mirrored', m.screen === null);
    this.el.classList.toggle('no-video', !showing);
    setUserText(this.#avatar, initials(name) || '·');
    const key: ClientKey = name ? (m.screen ? 'tile.youSharing' : 'tile.you') : 'tile.youNoName';
    this.l.set(this.#label, { text: [key, { name }] });
    this.l.set(this.video, { 'aria-label': [key, { name }] });
    if (attach(this.video, m.stream)) void this.video.play().catch(() => {});
  }
}

/** RemoteTile is one remote peer's tile. */
export class RemoteTile {
  readonly el: HTMLElement;
  readonly video = video(false);
  #name: HTMLElement;
  #badges: HTMLElement;
  #avatar: HTMLElement;

  constructor(private readonly l: Localizer, readonly id: string, private readonly onBlocked: () => void) {
    this.#name = h(l, 'span', { class: 'name' });
    this.#badges = h(l, 'span', { class: 'badges' });
    this.#avatar = h(l, 'div', { class: 'avatar', attrs: { 'aria-hidden': 'true' } });
    this.el = h(l, 'figure', { class: 'tile remote no-video', attrs: { 'data-peer': id } }, [
      this.video,
      this.#avatar,
      h(l, 'figcaption', { class: 'caption' }, [this.#name, this.#badges]),
    ]);
  }

  /** update shows the peer's name, media and connection state. */
  update(p: RemotePeer): void {
    setUserText(this.#name, p.info.name);
    setUserText(this.#avatar, initials(p.info.name) || '·');
    this.l.set(this.video, { 'aria-label': ['tile.videoOf', { name: p.info.name }] });
    const link = p.link;
    if (!link) this.video.srcObject = null;
    else if (attach(this.video, link.remoteStream)) this.play();
    const hasVideo = link !== null && link.remoteStream.getVideoTracks().some((t) => t.readyState === 'live' && !t.muted);
    const camOff = p.media !== null && !p.media.cam;
    this.el.classList.toggle('no-video', !hasVideo || camOff);
    const badges: ClientKey[] = [];
    if (p.media && !p.media.mic) badges.push('tile.muted');
    if (camOff) badges.push('tile.cameraOff');
    if (p.media?.screen) badges.push('tile.sharing');
    const state = link?.pc.connectionState;
    const away = reconnecting(p);
    if (away) badges.push('tile.reconnecting');
    else if (!link) badges.push('tile.waiting');
    else if (state === 'new' || state === 'connecting') badges.push('tile.connecting');
    else if (state === 'disconnected' || state === 'failed') badges.push('tile.reconnecting');
    this.el.dataset.state = away ? 'away' : (state ?? 'none');
    this.#badges.replaceChildren(...badges.map((k) => h(this.l, 'span', { class: 'pill', l10n: { text: k } })));
  }

  /** play starts playback; when the browser blocks sound until a tap, it plays muted and asks. */
  play(): void {
    this.video.play().catch(() => {
      this.video.muted = true;
      void this.video.play().catch(() => {});
      this.onBlocked();
    });
  }

  /** unmute lets the sound through after a tap. */
  unmute(): void {
    this.video.muted = false;
    this.play();
  }
}

/** TileGrid lays out the tiles. */
export class TileGrid {
  readonly el: HTMLElement;
  #tiles = new Map<string, RemoteTile>();

  constructor(private readonly l: Localizer, readonly self: SelfPreview, private readonly onBlocked: () => void) {
    this.el = h(l, 'div', { class: 'grid', attrs: { 'data-count': '1' } }, [self.el]);
  }

  /** update adds, updates and removes remote tiles to match the peers in the call (chat-only peers have none). */
  update(peers: Map<string, RemotePeer>): void {
    for (const [id, tile] of this.#tiles) {
      if (!peers.has(id) || peers.get(id)!.info.chatOnly) {
        tile.el.remove();
        this.#tiles.delete(id);
      }
    }
    for (const [id, p] of peers) {
      if (p.info.chatOnly) continue;
      let tile = this.#tiles.get(id);
      if (!tile) {
        tile = new RemoteTile(this.l, id, this.onBlocked);
        this.#tiles.set(id, tile);
        this.el.append(tile.el);
      }
      tile.update(p);
    }
    const n = this.#tiles.size + 1;
    this.el.dataset.count = String(n);
    this.el.style.setProperty('--cols', String(gridColumns(n, false)));
    this.el.style.setProperty('--cols-narrow', String(gridColumns(n, true)));
  }

  /** unmuteAll lets every tile's sound through. */
  unmuteAll(): void {
    for (const t of this.#tiles.values()) t.unmute();
  }
}

/** ChatOnlyList names the peers in the room for chat only: a compact chip each, no video. */
export class ChatOnlyList {
  readonly el: HTMLUListElement;

  constructor(private readonly l: Localizer) {
    this.el = h(l, 'ul', { class: 'chat-only-peers', l10n: { 'aria-label': 'tile.chatOnlyLabel' } });
    this.el.hidden = true;
  }

  /** update lists the chat-only peers, in the order given. */
  update(peers: RemotePeer[]): void {
    const l = this.l;
    this.el.hidden = peers.length === 0;
    this.el.replaceChildren(
      ...peers.map((p) => {
        const name = h(l, 'span', { class: 'name' });
        setUserText(name, p.info.name);
        const avatar = h(l, 'span', { class: 'avatar', attrs: { 'aria-hidden': 'true' } });
        setUserText(avatar, initials(p.info.name) || '·');
        return h(l, 'li', { class: 'chat-only-peer', attrs: { 'data-peer': p.info.id }, l10n: { title: ['tile.chatOnlyPeer', { name: p.info.name }] } }, [
          avatar,
          name,
          h(l, 'span', { class: 'pill', l10n: { text: 'tile.chatOnly' } }),
        ]);
      }),
    );
  }
}
