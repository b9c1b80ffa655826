// readRoute and RouteWatch on reports shaped like the campus run's (the
// laptop 10.42.0.1 relays; Ana 10.42.0.11 on Chromium, Cleo 10.42.0.12 on
// Firefox): when a call stuck on the relay restarts ICE, and when not.

import { describe, expect, it } from 'vitest';
import type { StatsEntry } from './stats';
import { MAX_UPGRADES, MAX_UPGRADES_TOTAL, readRoute, RouteWatch, UPGRADE_AFTER_MS, type RouteReading, type RouteSample } from './upgrade';

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
});

/** step is one sample fed to the watch at time at (ms), and whether it must restart then. */
type Step = { at: number; restart: boolean; ice?: RTCIceConnectionState; link?: string; pair?: string; viaOurRelay?: boolean; direct?: string | null };

function sample(s: Step): RouteSample {
  const route: RouteReading = {
    pair: s.pair ?? 'P1',
    viaOurRelay: s.viaOurRelay ?? true,
    relayed: s.viaOurRelay ?? true,
    direct: s.direct === undefined ? 'host → host' : s.direct,
    selected: 'relay → host',
  };
  return { link: s.link ?? 'L1', ice: s.ice ?? 'connected', route };
}

describe('RouteWatch', () => {
  const A = UPGRADE_AFTER_MS;
  it.each<[string, Step[]]>([
    ['stuck on our relay for UPGRADE_AFTER_MS: restart once', [
      { at: 0, restart: false },
      { at: A - 1, restart: false },
      { at: A, restart: true },
      { at: 2 * A, restart: false }, // the same pair: the restart is not done yet
      { at: 10 * A, restart: false },
    ]],
    ['isolated (no direct pair works): never', [
      { at: 0, direct: null, restart: false },
      { at: A, direct: null, restart: false },
      { at: 100 * A, direct: null, restart: false },
    ]],
    ['the partner’s relay, not ours: the partner acts, we do not', [
      { at: 0, viaOurRelay: false, restart: false },
      { at: 10 * A, viaOurRelay: false, restart: false },
    ]],
    ['a direct call: never', [
      { at: 0, viaOurRelay: false, direct: 'host → host', restart: false },
      { at: 10 * A, viaOurRelay: false, restart: false },
    ]],
    ['the browser moves to the direct pair by itself in time: no restart', [
      { at: 0, restart: false },
      { at: A - 500, pair: 'P2', viaOurRelay: false, restart: false },
      { at: 3 * A, pair: 'P2', viaOurRelay: false, restart: false },
    ]],
    ['the clock starts when the call connects, and again after a blip', [
      { at: 0, ice: 'checking', restart: false },
      { at: A, restart: false },
      { at: 2 * A - 1, restart: false },
      { at: 2 * A - 1, ice: 'checking', restart: false },
      { at: 2 * A, restart: false },
      { at: 3 * A, restart: true },
    ]],
    ['still on the relay after the restart: one more, then no more', [
      { at: 0, restart: false },
      { at: A, restart: true },
      { at: A + 800, pair: 'P2', restart: false }, // the restart chose our relay again
      { at: 2 * A + 800, pair: 'P2', restart: true },
      { at: 2 * A + 1600, pair: 'P3', restart: false },
      { at: 20 * A, pair: 'P3', restart: false },
    ]],
    ['roaming (ICE disconnected) gives a new budget', [
      { at: 0, restart: false },
      { at: A, restart: true },
      { at: A + 500, pair: 'P2', restart: false },
      { at: 2 * A + 500, pair: 'P2', restart: true },
      { at: 10 * A, pair: 'P2', ice: 'disconnected', restart: false },
      { at: 11 * A, pair: 'P4', restart: false },
      { at: 12 * A, pair: 'P4', restart: true },
    ]],
    ['a new connection starts afresh', [
      { at: 0, restart: false },
      { at: A, restart: true },
      { at: A + 10, link: 'L2', pair: 'Q1', restart: false },
      { at: 2 * A + 10, link: 'L2', pair: 'Q1', restart: true },
    ]],
  ])('%s', (_, steps) => {
    const w = new RouteWatch();
    for (const s of steps) expect({ at: s.at, restart: w.observe(sample(s), s.at) }).toEqual({ at: s.at, restart: s.restart });
  });

  it(`makes at most ${MAX_UPGRADES} upgrades between losses and ${MAX_UPGRADES_TOTAL} in all, however often the path is lost`, () => {
    const w = new RouteWatch();
    let t = 0;
    let restarts = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 5; i++) {
        if (w.observe(sample({ at: t, pair: `P${round}-${i}`, restart: false }), t)) restarts++;
        t += A;
        if (w.observe(sample({ at: t, pair: `P${round}-${i}`, restart: false }), t)) restarts++;
        t += A;
      }
      w.observe(sample({ at: t, ice: 'disconnected', restart: false }), t);
    }
    expect(restarts).toBe(MAX_UPGRADES_TOTAL);
  });
});
