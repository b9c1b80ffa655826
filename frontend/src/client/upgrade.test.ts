// readRoute and RouteWatch on reports shaped like the campus run's (the
// laptop 10.42.0.1 relays; Ana 10.42.0.11 on Chromium, Cleo 10.42.0.12 on
// Firefox): when a call stuck on the relay restarts ICE, and when not.

import { describe, expect, it } from 'vitest';
import type { StatsEntry } from './stats';
import { MAX_UPGRADES, MAX_UPGRADES_TOTAL, readRoute, RESTART_SETTLE_MS, RouteWatch, UPGRADE_AFTER_MS, type RouteReading, type RouteSample, type Signalled, type Upgrade } from './upgrade';

const local = (id: string, candidateType: string, address: string, port: number): StatsEntry => ({ id, type: 'local-candidate', candidateType, address, port, protocol: 'udp' });
const remote = (id: string, candidateType: string, address: string, port: number): StatsEntry => ({ id, type: 'remote-candidate', candidateType, address, port, protocol: 'udp' });
const pair = (id: string, l: string, r: string, state: string, extra: Record<string, unknown> = {}): StatsEntry => ({ id, type: 'candidate-pair', localCandidateId: l, remoteCandidateId: r, state, ...extra });

/** ana is Chromium's report (controlled): the pair in use starts at her relay allocation; her host-to-host pair succeeded (or, isolated, failed). */
function ana(hostPair: 'succeeded' | 'failed'): StatsEntry[] {
  return [
    { id: 'T', type: 'transport', selectedCandidatePairId: 'CP-relay' },
    local('Lh', 'host', '10.42.0.11', 50001),
    local('Lr', 'relay', '10.42.0.1', 49160),
    remote('Rh', 'host', '10.42.0.12', 60001),
    remote('Rr', 'relay', '10.42.0.1', 49170),
    pair('CP-host', 'Lh', 'Rh', hostPair),
    pair('CP-relay', 'Lr', 'Rh', 'succeeded', { nominated: true }),
    pair('CP-h2r', 'Lh', 'Rr', 'succeeded'),
  ];
}

/** cleo is Firefox's report of the same call (controlling): Ana's checks were learnt as peer-reflexive, her relay's too; no transport entry. */
function cleo(hostPair: 'succeeded' | 'failed'): StatsEntry[] {
  return [
    local('l1', 'host', '10.42.0.12', 60001),
    remote('r1', 'prflx', '10.42.0.11', 50001),
    remote('r2', 'prflx', '10.42.0.1', 49160),
    remote('r3', 'relay', '10.42.0.1', 49160),
    pair('p1', 'l1', 'r1', hostPair),
    pair('p2', 'l1', 'r2', 'succeeded', { nominated: true, selected: true }),
  ];
}

describe('readRoute', () => {
  it.each<[string, StatsEntry[], Partial<RouteReading>]>([
    ['Chromium on its own relay, host pair succeeded: stuck', ana('succeeded'), {
      pair: 'CP-relay', viaOurRelay: true, relayed: true,
      direct: 'host 10.42.0.11:50001 → host 10.42.0.12:60001', selected: 'relay 10.42.0.1:49160 → host 10.42.0.12:60001',
    }],
    ['Chromium isolated: only pairs through a relay work', ana('failed'), { viaOurRelay: true, relayed: true, direct: null }],
    ['Firefox on the partner’s relay learnt as peer-reflexive: relayed, not ours', cleo('succeeded'), {
      pair: 'p2', viaOurRelay: false, relayed: true, direct: 'host 10.42.0.12:60001 → prflx 10.42.0.11:50001',
    }],
    ['Firefox isolated', cleo('failed'), { viaOurRelay: false, relayed: true, direct: null }],
    ['a peer-reflexive remote at the relay address, its relay candidate never signalled: relayed', [
      local('l1', 'host', '10.42.0.12', 60001),
      local('l2', 'relay', '10.42.0.1', 49180),
      remote('r2', 'prflx', '10.42.0.1', 49160),
      pair('p2', 'l1', 'r2', 'succeeded', { selected: true }),
    ], { relayed: true, direct: null }],
    ['the laptop itself in the call: its host candidate is direct although the relay shares its address', [
      { id: 'T', type: 'transport', selectedCandidatePairId: 'A' },
      local('Lr', 'relay', '10.42.0.1', 49160),
      local('Lh', 'host', '10.42.0.12', 60001),
      remote('Rh', 'host', '10.42.0.1', 55000),
      remote('Rp', 'prflx', '10.42.0.1', 55000),
      pair('A', 'Lr', 'Rh', 'succeeded'),
      pair('B', 'Lh', 'Rp', 'succeeded'),
    ], { viaOurRelay: true, direct: 'host 10.42.0.12:60001 → prflx 10.42.0.1:55000' }],
    ['a direct call (older Firefox names the address ip)', [
      { id: 'l1', type: 'local-candidate', candidateType: 'host', ip: '10.42.0.12', port: 60001 },
      { id: 'r1', type: 'remote-candidate', candidateType: 'host', ip: '10.42.0.11', port: 50001 },
      pair('p1', 'l1', 'r1', 'succeeded', { selected: true }),
    ], { pair: 'p1', viaOurRelay: false, relayed: false, direct: 'host 10.42.0.12:60001 → host 10.42.0.11:50001', selected: 'host 10.42.0.12:60001 → host 10.42.0.11:50001' }],
    ['nothing chosen yet', [local('l1', 'host', '10.42.0.12', 1), pair('p1', 'l1', 'r?', 'in-progress')], {
      pair: null, viaOurRelay: false, relayed: false, direct: null, selected: null,
    }],
    ['a succeeded pair whose candidates are missing counts for nothing', [pair('p1', 'x', 'y', 'succeeded')], { direct: null }],
  ])('%s', (_, entries, want) => {
    expect(readRoute(entries)).toMatchObject(want);
  });

  // Firefox's report from a campus run (slow signalling): both of Ben's
  // checks learnt as peer-reflexive, the relayed one selected; it lists no
  // candidate outside its pairs, so only the signalled relay candidate tells.
  const firefox: StatsEntry[] = [
    local('l1', 'host', '10.42.0.12', 49702),
    remote('r1', 'prflx', '10.42.0.1', 40123),
    remote('r2', 'prflx', '10.42.0.13', 54978),
    pair('p1', 'l1', 'r1', 'succeeded', { nominated: true, selected: true }),
    pair('p2', 'l1', 'r2', 'succeeded', { nominated: true, selected: false }),
  ];
  it.each<[string, Signalled, Partial<RouteReading>]>([
    ['Firefox, the partner’s relay candidate signalled: relayed, and the direct pair works', {
      remoteRelays: new Set(['10.42.0.1:40123']), remoteDirect: new Set(['10.42.0.13:54978']), relayAddresses: new Set(['10.42.0.1']),
    }, { pair: 'p1', viaOurRelay: false, relayed: true, direct: 'host 10.42.0.12:49702 → prflx 10.42.0.13:54978' }],
    ['Firefox, only our own relay candidate signalled (its address is the relay’s)', {
      remoteRelays: new Set(), remoteDirect: new Set(), relayAddresses: new Set(['10.42.0.1']),
    }, { relayed: true, direct: 'host 10.42.0.12:49702 → prflx 10.42.0.13:54978' }],
    ['Firefox, nothing signalled about relays: it cannot tell, and sees the call direct', {
      remoteRelays: new Set(), remoteDirect: new Set(), relayAddresses: new Set(),
    }, { relayed: false }],
    ['the laptop in the call: a signalled host candidate at the relay’s address is direct', {
      remoteRelays: new Set(), remoteDirect: new Set(['10.42.0.1:40123']), relayAddresses: new Set(['10.42.0.1']),
    }, { relayed: false }],
  ])('%s', (_, signalled, want) => {
    expect(readRoute(firefox, signalled)).toMatchObject(want);
  });
});

/** step is one sample fed to the watch at time at (ms), and what it must say then. */
type Step = { at: number; want: Upgrade; ice?: RTCIceConnectionState; link?: string; pair?: string; relayed?: boolean; direct?: string | null; offered?: boolean };

function sample(s: Omit<Step, 'want'>): RouteSample {
  const relayed = s.relayed ?? true;
  const route: RouteReading = {
    pair: s.pair ?? 'P1',
    viaOurRelay: relayed,
    relayed,
    direct: s.direct === undefined ? 'host → host' : s.direct,
    selected: 'relay → host',
  };
  return { link: s.link ?? 'L1', ice: s.ice ?? 'connected', offered: s.offered ?? false, route };
}

describe('RouteWatch', () => {
  const A = UPGRADE_AFTER_MS;
  const S = RESTART_SETTLE_MS;
  it.each<[string, Step[]]>([
    ['stuck on the relay for UPGRADE_AFTER_MS, having answered: restart once', [
      { at: 0, want: null },
      { at: A - 1, want: null },
      { at: A, want: 'restart' },
      { at: 2 * A, want: null }, // the same pair: the restart is not done yet
      { at: 10 * A, want: null },
    ]],
    ['stuck, having offered: ask the partner (a restart of ours would run the same race)', [
      { at: 0, offered: true, want: null },
      { at: A, offered: true, want: 'ask' },
      { at: 10 * A, offered: true, want: null },
    ]],
    ['isolated (no direct pair works): never', [
      { at: 0, direct: null, want: null },
      { at: A, direct: null, want: null },
      { at: 100 * A, direct: null, offered: true, want: null },
    ]],
    ['a direct call: never', [
      { at: 0, relayed: false, want: null },
      { at: 10 * A, relayed: false, want: null },
    ]],
    ['the browser moves to the direct pair by itself in time: nothing', [
      { at: 0, want: null },
      { at: A - 500, pair: 'P2', relayed: false, want: null },
      { at: 3 * A, pair: 'P2', relayed: false, want: null },
    ]],
    ['the clock starts when the call connects, and again after a blip', [
      { at: 0, ice: 'checking', want: null },
      { at: A, want: null },
      { at: 2 * A - 1, want: null },
      { at: 2 * A - 1, ice: 'checking', want: null },
      { at: 2 * A, want: null },
      { at: 3 * A, want: 'restart' },
    ]],
    ['still on the relay after the restart: one more, then no more', [
      { at: 0, want: null },
      { at: A, want: 'restart' },
      { at: A + 800, pair: 'P2', offered: true, want: null }, // the restart chose the relay again
      { at: 2 * A + 800, pair: 'P2', offered: true, want: 'ask' },
      { at: 2 * A + 1600, pair: 'P3', want: null },
      { at: 20 * A, pair: 'P3', want: null },
    ]],
    ['a restart that does not take (no other pair in use for RESTART_SETTLE_MS): judged again, once more', [
      { at: 0, want: null },
      { at: A, want: 'restart' },
      { at: A + 500, want: null }, // the restart's clock starts
      { at: A + 500 + S - 1, want: null },
      { at: A + 500 + S, want: null }, // it did not take: stuck again from now
      { at: 2 * A + 500 + S - 1, want: null },
      { at: 2 * A + 500 + S, want: 'restart' },
      { at: 3 * A + 1000 + 2 * S, want: null }, // MAX_UPGRADES spent
      { at: 30 * A + 30 * S, want: null },
    ]],
    ['roaming (ICE disconnected) gives a new budget', [
      { at: 0, want: null },
      { at: A, want: 'restart' },
      { at: A + 500, pair: 'P2', want: null },
      { at: 2 * A + 500, pair: 'P2', want: 'restart' },
      { at: 10 * A, pair: 'P2', ice: 'disconnected', want: null },
      { at: 11 * A, pair: 'P4', want: null },
      { at: 12 * A, pair: 'P4', want: 'restart' },
    ]],
    ['a new connection starts afresh', [
      { at: 0, want: null },
      { at: A, want: 'restart' },
      { at: A + 10, link: 'L2', pair: 'Q1', want: null },
      { at: 2 * A + 10, link: 'L2', pair: 'Q1', want: 'restart' },
    ]],
  ])('%s', (_, steps) => {
    const w = new RouteWatch();
    for (const { want, ...s } of steps) expect({ at: s.at, todo: w.observe(sample(s), s.at) }).toEqual({ at: s.at, todo: want });
  });

  it('restarts when the partner asks, within the budget, and not while an upgrade is under way', () => {
    const w = new RouteWatch();
    expect(w.observe(sample({ at: 0, relayed: false }), 0)).toBeNull(); // our side looks direct
    expect(w.asked()).toBe(true);
    expect(w.asked()).toBe(false); // the restart is not done yet
    expect(w.observe(sample({ at: 1000, pair: 'P2', relayed: false }), 1000)).toBeNull();
    expect(w.asked()).toBe(true);
    expect(w.observe(sample({ at: 2000, pair: 'P3', relayed: false }), 2000)).toBeNull();
    expect(w.asked()).toBe(false); // MAX_UPGRADES spent
    expect(w.upgrades).toBe(MAX_UPGRADES);
    // Both sides saw it: the partner asked, and our own watch would have restarted too.
    const both = new RouteWatch();
    both.observe(sample({ at: 0 }), 0);
    expect(both.asked()).toBe(true);
    expect(both.observe(sample({ at: A }), A)).toBeNull();
    expect(both.observe(sample({ at: 5 * A }), 5 * A)).toBeNull();
  });

  it(`makes at most ${MAX_UPGRADES} upgrades between losses and ${MAX_UPGRADES_TOTAL} in all, however often the path is lost`, () => {
    const w = new RouteWatch();
    let t = 0;
    let upgrades = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 5; i++) {
        if (w.observe(sample({ at: t, pair: `P${round}-${i}` }), t)) upgrades++;
        t += A;
        if (w.observe(sample({ at: t, pair: `P${round}-${i}` }), t)) upgrades++;
        if (w.asked()) upgrades++;
        t += A;
      }
      w.observe(sample({ at: t, ice: 'disconnected' }), t);
    }
    expect(upgrades).toBe(MAX_UPGRADES_TOTAL);
  });
});
