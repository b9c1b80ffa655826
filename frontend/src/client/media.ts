// This page's own camera, microphone and screen. When the camera or
// microphone cannot be had, the page still joins, receive-only, and says
// why (ReceiveOnlyReason).

import type { KeyValueStore } from './seat';

/** ReceiveOnlyReason is why this page sends no camera or microphone. */
export type ReceiveOnlyReason =
  | 'insecure' // plain HTTP from another device: the browser hides the devices
  | 'unsupported' // no getUserMedia at all
  | 'denied' // the person or the browser refused permission
  | 'no-devices' // nothing to capture
  | 'in-use' // another program holds the device
  | 'failed'; // anything else

/** reasonForError maps a getUserMedia error name to a reason. */
export function reasonForError(name: string): ReceiveOnlyReason {
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'no-devices';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'in-use';
    default:
      return 'failed';
  }
}

/** VIDEO_CONSTRAINTS keep a mesh of several peers light on a classroom Wi-Fi. */
export const VIDEO_CONSTRAINTS: MediaTrackConstraints = {
  width: { ideal: 640 },
  height: { ideal: 360 },
  frameRate: { ideal: 24, max: 30 },
};

const AUDIO_DEVICE_KEY = 'signalbox.audioDevice';
const VIDEO_DEVICE_KEY = 'signalbox.videoDevice';

/** MediaEnv is what LocalMedia needs from the browser. */
export interface MediaEnv {
  secure: boolean;
  devices: MediaDevices | undefined;
  store: KeyValueStore | null;
}

/** LocalMedia owns the local tracks and tells listeners when they change. */
export class LocalMedia {
  /** stream holds the current outgoing tracks (camera or screen, microphone) for the self view. */
  readonly stream = new MediaStream();
  audio: MediaStreamTrack | null = null;
  camera: MediaStreamTrack | null = null;
  screen: MediaStreamTrack | null = null;
  micOn = true;
  camOn = true;
  /** reason is why no camera or microphone is sent, or null when at least one is. */
  reason: ReceiveOnlyReason | null = null;
  /** missing lists the kinds that could not be had while the other works. */
  missing: ('audio' | 'video')[] = [];
  #listeners = new Set<() => void>();
  #starting: Promise<void> | null = null;

  constructor(private readonly env: MediaEnv) {}

  /** onChange registers a listener for any change of tracks or switches. */
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** canShareScreen says whether this browser can share a screen. */
  get canShareScreen(): boolean {
    return this.env.secure && typeof this.env.devices?.getDisplayMedia === 'function';
  }

  /** outgoing is the track to send for kind: the screen, when shared, replaces the camera. */
  outgoing(kind: 'audio' | 'video'): MediaStreamTrack | null {
    return kind === 'audio' ? this.audio : (this.screen ?? this.camera);
  }

  /** start asks for the camera and microphone once; later calls wait for that same request. */
  start(): Promise<void> {
    this.#starting ??= this.#acquire();
    return this.#starting;
  }

  async #acquire(): Promise<void> {
    const md = this.env.devices;
    if (!this.env.secure) {
      this.reason = 'insecure';
      this.#emit();
      return;
    }
    if (!md || typeof md.getUserMedia !== 'function') {
      this.reason = 'unsupported';
      this.#emit();
      return;
    }
    const audioPick = this.#constraint('audio');
    const audio = Object.keys(audioPick).length > 0 ? audioPick : true;
    const video = { ...VIDEO_CONSTRAINTS, ...this.#constraint('video') };
    try {
      this.#use(await md.getUserMedia({ audio, video }));
      this.reason = null;
      this.missing = [];
    } catch (err) {
      const reason = reasonForError((err as { name?: string }).name ?? '');
      if (reason === 'denied') {
        this.reason = reason;
      } else {
        // One of the two may still work: a laptop with no camera, a camera in use.
        const got = await this.#tryEach(md, audio, video);
        this.reason = got.length === 0 ? reason : null;
        this.missing = (['audio', 'video'] as const).filter((k) => !got.includes(k));
      }
    }
    this.#emit();
  }

  async #tryEach(md: MediaDevices, audio: MediaTrackConstraints | boolean, video: MediaTrackConstraints): Promise<('audio' | 'video')[]> {
    const got: ('audio' | 'video')[] = [];
    for (const [kind, c] of [['audio', { audio }], ['video', { video }]] as const) {
      try {
        this.#use(await md.getUserMedia(c));
        got.push(kind);
      } catch {
        // this kind is not available
      }
    }
    return got;
  }

  #constraint(kind: 'audio' | 'video'): MediaTrackConstraints {
    const id = this.#load(kind === 'audio' ? AUDIO_DEVICE_KEY : VIDEO_DEVICE_KEY);
    return id ? { deviceId: { ideal: id } } : {};
  }

  #use(s: MediaStream): void {
    for (const track of s.getTracks()) {
      if (track.kind === 'audio') {
        this.audio?.stop();
        this.audio = track;
        track.enabled = this.micOn;
      } else {
        this.camera?.stop();
        this.camera = track;
        track.enabled = this.camOn;
      }
    }
    this.#syncStream();
  }

  /** devices lists the microphones and cameras (labels appear once permission is given). */
  async devices(): Promise<{ audio: MediaDeviceInfo[]; video: MediaDeviceInfo[] }> {
    const md = this.env.devices;
    if (!md || typeof md.enumerateDevices !== 'function') return { audio: [], video: [] };
    const all = await md.enumerateDevices();
    return {
      audio: all.filter((d) => d.kind === 'audioinput' && d.deviceId),
      video: all.filter((d) => d.kind === 'videoinput' && d.deviceId),
    };
  }

  /** currentDevice is the device id a track comes from. */
  currentDevice(kind: 'audio' | 'video'): string {
    const track = kind === 'audio' ? this.audio : this.camera;
    return track?.getSettings().deviceId ?? '';
  }

  /** useDevice switches to another microphone or camera and remembers the choice. */
  async useDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    const md = this.env.devices;
    if (!md) return;
    this.#save(kind === 'audio' ? AUDIO_DEVICE_KEY : VIDEO_DEVICE_KEY, deviceId);
    const c: MediaStreamConstraints =
      kind === 'audio' ? { audio: { deviceId: { exact: deviceId } } } : { video: { ...VIDEO_CONSTRAINTS, deviceId: { exact: deviceId } } };
    // Some phones cannot open two cameras at once: let go of the old one first.
    if (kind === 'video') this.camera?.stop();
    this.#use(await md.getUserMedia(c));
    this.missing = this.missing.filter((k) => k !== kind);
    this.reason = null;
    this.#emit();
  }

  /** setMic mutes or unmutes the microphone. */
  setMic(on: boolean): void {
    this.micOn = on;
    if (this.audio) this.audio.enabled = on;
    this.#emit();
  }

  /** setCam turns the camera picture on or off (the device stays open, so turning it back is instant). */
  setCam(on: boolean): void {
    this.camOn = on;
    if (this.camera) this.camera.enabled = on;
    this.#emit();
  }

  /** startScreen asks which screen to share; false when refused or unsupported. */
  async startScreen(): Promise<boolean> {
    if (!this.canShareScreen || this.screen) return false;
    let s: MediaStream;
    try {
      s = await this.env.devices!.getDisplayMedia({ video: true, audio: false });
    } catch {
      return false;
    }
    const track = s.getVideoTracks()[0];
    if (!track) return false;
    track.addEventListener('ended', () => this.stopScreen());
    this.screen = track;
    this.#syncStream();
    this.#emit();
    return true;
  }

  /** stopScreen stops sharing and goes back to the camera. */
  stopScreen(): void {
    if (!this.screen) return;
    this.screen.stop();
    this.screen = null;
    this.#syncStream();
    this.#emit();
  }

  /** stop releases every device (the camera light goes off); start asks again. */
  stop(): void {
    for (const t of [this.audio, this.camera, this.screen]) t?.stop();
    this.audio = this.camera = this.screen = null;
    this.#starting = null;
    this.#syncStream();
    this.#emit();
  }

  #syncStream(): void {
    const want = [this.outgoing('audio'), this.outgoing('video')].filter((t): t is MediaStreamTrack => t !== null);
    for (const t of this.stream.getTracks()) if (!want.includes(t)) this.stream.removeTrack(t);
    for (const t of want) if (!this.stream.getTracks().includes(t)) this.stream.addTrack(t);
  }

  #emit(): void {
    for (const fn of this.#listeners) fn();
  }

  #load(key: string): string | null {
    try {
      return this.env.store?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }

  #save(key: string, value: string): void {
    try {
      this.env.store?.setItem(key, value);
    } catch {
      // not remembered: fine
    }
  }
}
