// Microphone and camera pickers, used before joining and during a call.

import { h, type Localizer, userText } from '../dom';
import type { LocalMedia } from '../media';

/** DevicePickers renders two selects and keeps them in step with the media. */
export class DevicePickers {
  readonly el: HTMLElement;
  #audio: HTMLSelectElement;
  #video: HTMLSelectElement;
  #off: () => void;
  #onDeviceChange = () => void this.refresh();

  constructor(private readonly l: Localizer, private readonly media: LocalMedia) {
    this.#audio = h(l, 'select', { id: 'pick-audio', class: 'select' });
    this.#video = h(l, 'select', { id: 'pick-video', class: 'select' });
    this.#audio.addEventListener('change', () => void this.#use('audio', this.#audio.value));
    this.#video.addEventListener('change', () => void this.#use('video', this.#video.value));
    this.el = h(l, 'div', { class: 'pickers' }, [
      h(l, 'label', { attrs: { for: 'pick-audio' }, l10n: { text: 'devices.microphone' } }),
      this.#audio,
      h(l, 'label', { attrs: { for: 'pick-video' }, l10n: { text: 'devices.camera' } }),
      this.#video,
    ]);
    this.#off = media.onChange(() => void this.refresh());
    navigator.mediaDevices?.addEventListener?.('devicechange', this.#onDeviceChange);
  }

  /** dispose stops following the devices. */
  dispose(): void {
    this.#off();
    navigator.mediaDevices?.removeEventListener?.('devicechange', this.#onDeviceChange);
  }

  /** refresh lists the devices again. */
  async refresh(): Promise<void> {
    let list: { audio: MediaDeviceInfo[]; video: MediaDeviceInfo[] };
    try {
      list = await this.media.devices();
    } catch {
      list = { audio: [], video: [] };
    }
    this.#fill(this.#audio, list.audio, this.media.currentDevice('audio'), 'devices.unnamedMicrophone');
    this.#fill(this.#video, list.video, this.media.currentDevice('video'), 'devices.unnamedCamera');
    this.el.hidden = list.audio.length === 0 && list.video.length === 0;
  }

  #fill(sel: HTMLSelectElement, devices: MediaDeviceInfo[], current: string, unnamed: 'devices.unnamedMicrophone' | 'devices.unnamedCamera'): void {
    sel.replaceChildren();
    devices.forEach((d, i) => {
      const opt = d.label
        ? h(null, 'option', { attrs: { value: d.deviceId } }, [userText(d.label)])
        : h(this.l, 'option', { attrs: { value: d.deviceId }, l10n: { text: [unnamed, { n: i + 1 }] } });
      if (d.deviceId === current) opt.selected = true;
      sel.append(opt);
    });
    sel.disabled = devices.length < 2;
  }

  async #use(kind: 'audio' | 'video', id: string): Promise<void> {
    try {
      await this.media.useDevice(kind, id);
    } catch {
      await this.refresh();
    }
  }
}
