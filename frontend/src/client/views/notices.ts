// Notices: short explanations of what does not work here and what still does.

import type { ClientKey } from '../../i18n/client';
import { h, type Localizer } from '../dom';
import type { LocalMedia } from '../media';

/** mediaNotice returns the title and text explaining the page's media situation, or null when all is well. */
export function mediaNotice(media: LocalMedia, webrtc: boolean): [ClientKey, ClientKey] | null {
  if (!webrtc) return ['notice.noWebrtc.title', 'notice.noWebrtc.text'];
  switch (media.reason) {
    case 'insecure':
      return ['notice.insecure.title', 'notice.insecure.text'];
    case 'unsupported':
      return ['notice.unsupported.title', 'notice.unsupported.text'];
    case 'denied':
      return ['notice.denied.title', 'notice.denied.text'];
    case 'no-devices':
      return ['notice.noDevices.title', 'notice.noDevices.text'];
    case 'in-use':
      return ['notice.inUse.title', 'notice.inUse.text'];
    case 'failed':
      return ['notice.failed.title', 'notice.failed.text'];
    case null:
      break;
  }
  if (media.missing.includes('video')) return ['notice.noCamera.title', 'notice.noCamera.text'];
  if (media.missing.includes('audio')) return ['notice.noMic.title', 'notice.noMic.text'];
  return null;
}

/** MediaNotice shows mediaNotice in a box, updated as the media changes. */
export class MediaNotice {
  readonly el: HTMLElement;
  #title: HTMLElement;
  #text: HTMLElement;
  /** dispose stops following the media. */
  readonly dispose: () => void;

  constructor(private readonly l: Localizer, private readonly media: LocalMedia, private readonly webrtc: boolean) {
    this.#title = h(l, 'strong');
    this.#text = h(l, 'p');
    this.el = h(l, 'div', { class: 'notice', attrs: { role: 'status', 'data-notice': 'media' } }, [this.#title, this.#text]);
    this.dispose = media.onChange(() => this.update());
    this.update();
  }

  /** update shows the current situation. */
  update(): void {
    const n = mediaNotice(this.media, this.webrtc);
    this.el.hidden = n === null;
    if (!n) return;
    this.el.dataset.reason = this.media.reason ?? 'partial';
    this.l.set(this.#title, { text: n[0] });
    this.l.set(this.#text, { text: n[1] });
  }
}
