// The settings tab: port, room capacity, server name, interfaces and mDNS,
// saved by the Go side in the user's config folder. It shows the values the
// server runs with; those the command line fixed are read-only. A change
// that restarts the server (and so disconnects everyone: the Go side names
// those settings) is confirmed first.

import type { Bridge, InterfaceView, Settings, SettingsView } from './api';
import { errorCode } from './api';
import type { Confirmer } from './confirm';
import { data, h, type Localizer, setData, setMsg } from './dom';
import { codeMsg } from './format';
import type { Toaster } from './toast';

/** MAX_ROOM_CAPACITY mirrors signaling.MaxRoomCapacity. */
const MAX_ROOM_CAPACITY = 32;

/** needsRestart reports whether going from a to b changes one of the settings (JSON keys) that restart the server, as SettingsView.restart lists them. */
export function needsRestart(a: Settings, b: Settings, restart: readonly string[]): boolean {
  // An absent list is the empty one (Go may send null).
  const value = (s: Settings, key: string) => {
    const v = (s as unknown as Record<string, unknown>)[key];
    return JSON.stringify(v === null || v === undefined || (Array.isArray(v) && v.length === 0) ? [] : v);
  };
  return restart.some((key) => value(a, key) !== value(b, key));
}

/** SettingsTab edits the stored settings. */
export class SettingsTab {
  readonly el: HTMLElement;
  #port: HTMLInputElement;
  #capacity: HTMLInputElement;
  #name: HTMLInputElement;
  #mdns: HTMLInputElement;
  #https: HTMLInputElement;
  #turn: HTMLInputElement;
  #turnPort: HTMLInputElement;
  #cluster: HTMLInputElement;
  #clusterId: HTMLInputElement;
  #clusterListen: HTMLInputElement;
  #clusterRoutes: HTMLInputElement;
  #allIfaces: HTMLInputElement;
  #ifaces: HTMLElement;
  #path: HTMLElement;
  #fixedNote: HTMLElement;
  #view: SettingsView | null = null;

  constructor(
    private readonly l: Localizer,
    private readonly b: Bridge,
    private readonly confirm: Confirmer,
    private readonly toast: Toaster,
  ) {
    this.#port = h(l, 'input', { attrs: { type: 'number', min: '1', max: '65535', id: 'set-port', required: '' } });
    this.#capacity = h(l, 'input', { attrs: { type: 'number', min: '1', max: String(MAX_ROOM_CAPACITY), id: 'set-capacity', required: '' } });
    this.#name = h(l, 'input', { attrs: { type: 'text', maxlength: '63', id: 'set-name', required: '' } });
    this.#mdns = h(l, 'input', { attrs: { type: 'checkbox', id: 'set-mdns' } });
    this.#https = h(l, 'input', { attrs: { type: 'checkbox', id: 'set-https' } });
    this.#turn = h(l, 'input', { attrs: { type: 'checkbox', id: 'set-turn' }, on: { change: () => this.#syncTurn() } });
    this.#turnPort = h(l, 'input', { attrs: { type: 'number', min: '0', max: '65535', id: 'set-turn-port', required: '' } });
    this.#cluster = h(l, 'input', { attrs: { type: 'text', id: 'set-cluster' } });
    this.#clusterId = h(l, 'input', { attrs: { type: 'text', id: 'set-cluster-id', maxlength: '64', pattern: '[A-Za-z0-9_-]*' } });
    this.#clusterListen = h(l, 'input', { attrs: { type: 'text', id: 'set-cluster-listen' } });
    this.#clusterRoutes = h(l, 'input', { attrs: { type: 'text', id: 'set-cluster-routes' } });
    this.#allIfaces = h(l, 'input', { attrs: { type: 'checkbox', id: 'set-all-ifaces' }, on: { change: () => this.#syncIfaces() } });
    this.#ifaces = h(l, 'div', { class: 'ifaces' });
    this.#path = h(l, 'p', { class: 'hint mono' });
    this.#fixedNote = h(l, 'p', { class: 'note', attrs: { hidden: '' }, l10n: { text: 'settings.fixedNote' } });
    const badge = () => h(l, 'span', { class: 'fixed-badge', attrs: { hidden: '' }, l10n: { text: 'settings.fixedBadge' } });
    const field = (id: string, label: Parameters<Localizer['t']>[0], input: HTMLElement, hint?: Parameters<Localizer['t']>[0]) =>
      h(l, 'div', { class: 'field' }, [
        h(l, 'div', { class: 'label-row' }, [h(l, 'label', { attrs: { for: id }, l10n: { text: label } }), badge()]),
        input,
        hint ? h(l, 'small', { l10n: { text: hint } }) : null,
      ]);
    const form = h(l, 'form', { class: 'settings', on: { submit: (ev) => void this.#save(ev) } }, [
      field('set-name', 'settings.name', this.#name, 'settings.nameHint'),
      field('set-port', 'settings.port', this.#port, 'settings.portHint'),
      field('set-capacity', 'settings.capacity', this.#capacity, ['settings.capacityHint', { max: MAX_ROOM_CAPACITY }]),
      h(l, 'fieldset', {}, [
        h(l, 'legend', { l10n: { text: 'settings.interfaces' } }),
        h(l, 'label', { class: 'check' }, [this.#allIfaces, h(l, 'span', { l10n: { text: 'settings.allInterfaces' } }), badge()]),
        this.#ifaces,
        h(l, 'small', { l10n: { text: 'settings.interfacesHint' } }),
      ]),
      h(l, 'label', { class: 'check' }, [this.#mdns, h(l, 'span', { l10n: { text: 'settings.mdns' } }), badge()]),
      h(l, 'small', { l10n: { text: 'settings.mdnsHint' } }),
      h(l, 'label', { class: 'check' }, [this.#https, h(l, 'span', { l10n: { text: 'settings.https' } }), badge()]),
      h(l, 'small', { l10n: { text: 'settings.httpsHint' } }),
      h(l, 'label', { class: 'check' }, [this.#turn, h(l, 'span', { l10n: { text: 'settings.turn' } }), badge()]),
      field('set-turn-port', 'settings.turnPort', this.#turnPort, 'settings.turnHint'),
      h(l, 'fieldset', {}, [
        h(l, 'legend', { l10n: { text: 'settings.cluster' } }),
        field('set-cluster', 'settings.clusterMode', this.#cluster, 'settings.clusterModeHint'),
        field('set-cluster-id', 'settings.clusterId', this.#clusterId, 'settings.clusterIdHint'),
        field('set-cluster-listen', 'settings.clusterListen', this.#clusterListen, 'settings.clusterListenHint'),
        field('set-cluster-routes', 'settings.clusterRoutes', this.#clusterRoutes, 'settings.clusterRoutesHint'),
      ]),
      this.#fixedNote,
      h(l, 'div', { class: 'actions' }, [
        h(l, 'button', { class: 'btn primary', attrs: { type: 'submit' }, l10n: { text: 'settings.save' } }),
        h(l, 'button', { class: 'btn', attrs: { type: 'button' }, l10n: { text: 'settings.reset' }, on: { click: () => void this.load() } }),
      ]),
      this.#path,
    ]);
    this.el = h(l, 'section', { class: 'tab settings-tab' }, [h(l, 'h2', { l10n: { text: 'settings.title' } }), form]);
  }

  /** load reads the settings and the interfaces into the form. */
  async load(): Promise<void> {
    try {
      this.#fill(await this.b.app.Settings());
    } catch (err) {
      const { code, detail } = errorCode(err);
      this.toast.show(codeMsg(code), 'error', detail);
    }
  }

  /** focusPort shows the port field (the fix for a busy port). */
  focusPort(): void {
    this.#port.focus();
    this.#port.select();
  }

  #fill(v: SettingsView): void {
    this.#view = v;
    const s = v.settings;
    this.#port.value = String(s.port);
    this.#capacity.value = String(s.roomCapacity);
    this.#name.value = s.serverName;
    this.#mdns.checked = s.mdns;
    this.#https.checked = s.https;
    this.#turn.checked = s.turn;
    this.#turnPort.value = String(s.turnPort);
    this.#cluster.value = s.cluster ?? '';
    this.#clusterId.value = s.clusterId ?? '';
    this.#clusterListen.value = s.clusterListen ?? '';
    this.#clusterRoutes.value = (s.clusterRoutes ?? []).join(' ');
    this.#allIfaces.checked = s.interfaces.length === 0;
    this.#ifaces.replaceChildren(...v.interfaces.map((i) => this.#iface(i, s.interfaces.includes(i.name))));
    const fixed: Record<string, HTMLInputElement> = {
      port: this.#port,
      roomCapacity: this.#capacity,
      serverName: this.#name,
      mdns: this.#mdns,
      interfaces: this.#allIfaces,
      https: this.#https,
      turn: this.#turn,
      turnPort: this.#turnPort,
      cluster: this.#cluster,
      clusterId: this.#clusterId,
      clusterListen: this.#clusterListen,
      clusterRoutes: this.#clusterRoutes,
    };
    for (const [key, input] of Object.entries(fixed)) {
      const on = v.fixed.includes(key);
      input.classList.toggle('fixed', on);
      input.disabled = on;
      const badge = input.parentElement?.querySelector<HTMLElement>('.fixed-badge');
      if (badge) badge.hidden = !on;
    }
    this.#syncIfaces();
    this.#syncTurn();
    this.#fixedNote.hidden = v.fixed.length === 0;
    if (v.path) setMsg(this.l, this.#path, ['settings.savedIn', { path: v.path }]);
    else setMsg(this.l, this.#path, 'settings.noFolder');
  }

  #iface(i: InterfaceView, checked: boolean): HTMLElement {
    const box = h(this.l, 'input', { attrs: { type: 'checkbox', value: i.name } });
    box.checked = checked;
    const addrs = h(this.l, 'span', { class: 'mono hint' });
    if (i.up) setData(addrs, i.addrs.join(', '));
    else setMsg(this.l, addrs, 'settings.interfaceGone');
    return h(this.l, 'label', { class: 'check' }, [box, h(this.l, 'b', {}, [data(i.name)]), addrs]);
  }

  #isFixed(key: string): boolean {
    return this.#view?.fixed.includes(key) ?? false;
  }

  #syncIfaces(): void {
    const off = this.#allIfaces.checked || this.#isFixed('interfaces');
    this.#ifaces.querySelectorAll('input').forEach((box) => {
      box.disabled = off;
    });
  }

  #syncTurn(): void {
    this.#turnPort.disabled = !this.#turn.checked || this.#isFixed('turnPort');
  }

  #read(): Settings | null {
    if (!this.#view) return null;
    const chosen = this.#allIfaces.checked
      ? []
      : [...this.#ifaces.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value);
    return {
      ...this.#view.settings,
      port: Number(this.#port.value),
      roomCapacity: Number(this.#capacity.value),
      serverName: this.#name.value.trim(),
      interfaces: chosen,
      mdns: this.#mdns.checked,
      https: this.#https.checked,
      turn: this.#turn.checked,
      turnPort: Number(this.#turnPort.value),
      cluster: this.#cluster.value.trim(),
      clusterId: this.#clusterId.value.trim(),
      clusterListen: this.#clusterListen.value.trim(),
      clusterRoutes: this.#clusterRoutes.value.split(/[\s,]+/).filter((r) => r !== ''),
    };
  }

  async #save(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const next = this.#read();
    if (!next || !this.#view) return;
    if (!this.#allIfaces.checked && next.interfaces.length === 0) {
      this.toast.show('settings.pickInterface', 'error');
      return;
    }
    if (needsRestart(this.#view.settings, next, this.#view.restart) && !(await this.confirm.ask('confirm.restartTitle', 'confirm.restartBody', 'settings.save'))) return;
    try {
      const res = await this.b.app.SaveSettings(next);
      this.toast.show(res.restarted ? 'settings.savedRestarted' : 'settings.saved');
      await this.load();
    } catch (err) {
      const { code, detail } = errorCode(err);
      this.toast.show(codeMsg(code), 'error', detail);
    }
  }
}
