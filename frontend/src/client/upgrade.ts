// Route upgrade: a call on an open LAN that settled on the teacher's relay
// although a direct path works moves to the direct path.
//
// Why it happens: ICE checks race the signalling. When a partner's checks
// arrive before its candidates do, the browser learns them as
// peer-reflexive, and the check that came through the partner's TURN
// allocation may carry the higher priority; a controlling agent that
// selects it (Firefox does, about one call in four on the campus LAN) keeps
// its side of the call on the relay for good, though the host-to-host pair
// succeeded too. Its media then crosses the laptop.
//
// The fix: a few seconds after the call settles (and again after any ICE
// restart), read getStats(); when the pair in use has a relay on either
// end while a pair with no relay on either end has succeeded, the side
// that answered the last negotiation restarts ICE. It then makes the offer
// and becomes the controlling agent (Chromium and Firefox both take the
// role from the offer on a restart), and its candidates reach the partner
// ahead of its checks, so the partner knows them as what they are and the
// direct pair wins. So the side that sees the relay restarts itself when it
// answered last, and asks its partner to (signal.data `restart: "route"`)
// when it offered: a restart made by the last offerer would run the same
// race again. Both sides may see it (the two directions of a call can use
// different pairs: Firefox nominated the relayed pair, Chromium kept the
// direct one); the budget keeps that to one restart. Under AP isolation no
// direct pair ever succeeds, so none is made.
//
// Whether a peer-reflexive remote candidate is the partner's relay is read
// from what was signalled (the partner's relay candidates, address and
// port) as well as from the report: Firefox keeps the candidate
// peer-reflexive even after the relay candidate arrives, and lists no
// candidates outside its pairs.
//
// readRoute and RouteWatch are pure: the call feeds them getStats() entries,
// the signalled candidates and a clock.

import { selectedPair, type StatsEntry } from './stats';

/** UPGRADE_AFTER_MS is how long a connected call must have gone through the relay, with a direct pair known to work, before it is moved (the browsers get their time to switch by themselves). */
export const UPGRADE_AFTER_MS = 3000;
/**
 * RESTART_SETTLE_MS is how long an upgrade's ICE restart may take to put
 * another pair in use (about a second on a LAN). One that has not by then
 * did not take: its negotiation or its nomination got stuck while the
 * old path kept the call going (seen once in the campus test: the partner's
 * checks all succeeded and nobody nominated). The call is then judged
 * again, within the budget.
 */
export const RESTART_SETTLE_MS = 6000;
/** MAX_UPGRADES bounds the route upgrades of one connection between two losses of its path (roaming starts a new budget). */
export const MAX_UPGRADES = 2;
/** MAX_UPGRADES_TOTAL bounds the route upgrades of one connection over its whole life. */
export const MAX_UPGRADES_TOTAL = 6;

/** Signalled is what the signalling said about candidates, as "address:port" endpoints and addresses. */
export interface Signalled {
  /** remoteRelays are the partner's relay candidates. */
  remoteRelays: ReadonlySet<string>;
  /** remoteDirect are the partner's host and server-reflexive candidates. */
  remoteDirect: ReadonlySet<string>;
  /** relayAddresses are the addresses of our own relay candidates (the relay's address). */
  relayAddresses: ReadonlySet<string>;
}

const NOTHING: Signalled = { remoteRelays: new Set(), remoteDirect: new Set(), relayAddresses: new Set() };

/** RouteReading is what one getStats() report says about the call's path. */
export interface RouteReading {
  /** pair is the id of the candidate pair in use, or null before one is chosen. */
  pair: string | null;
  /** viaOurRelay: the pair in use starts at this side's own relay (TURN) candidate. */
  viaOurRelay: boolean;
  /** relayed: the pair in use has a relay on either end (ours, or the partner's as far as we can tell). */
  relayed: boolean;
  /** direct is a succeeded candidate pair with no relay on either end, described ("host 10.0.0.2:5000 → host 10.0.0.3:6000"), or null. */
  direct: string | null;
  /** selected describes the pair in use, for the log. */
  selected: string | null;
}

type Candidate = StatsEntry | undefined;

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** address is a candidate's IP address: `address` (Chromium, the spec) or `ip` (older Firefox). */
function address(c: Candidate): string | null {
  return str(c?.address) ?? str(c?.ip);
}

/** endpoint is a candidate's "address:port", or null when it has no address. */
function endpoint(c: Candidate): string | null {
  const a = address(c);
  return a === null ? null : `${a}:${typeof c?.port === 'number' ? c.port : '?'}`;
}

function describe(c: Candidate): string {
  return `${str(c?.candidateType) ?? '?'} ${endpoint(c) ?? '?'}`;
}

/**
 * readRoute reads which path a getStats() report's connection uses, and
 * whether a direct one works. A remote candidate counts as the partner's
 * relay when its type is 'relay', or when it is peer-reflexive (learnt
 * from a check before its candidate was signalled: Firefox keeps it so even
 * after) and either matches the address and port of a relay candidate the
 * partner signalled (or the report lists), or comes from the address of our
 * own relay candidates (the same laptop relays both partners) without being
 * a host candidate the partner signalled there. A succeeded pair counts as
 * direct only when neither end is a relay by these rules.
 */
export function readRoute(entries: readonly StatsEntry[], signalled: Signalled = NOTHING): RouteReading {
  const byId = new Map(entries.map((e) => [e.id, e]));
  const remotes = entries.filter((e) => e.type === 'remote-candidate');
  const relayEndpoints = new Set([...signalled.remoteRelays, ...remotes.filter((e) => e.candidateType === 'relay').map(endpoint).filter((x) => x !== null)]);
  const knownEndpoints = new Set([
    ...signalled.remoteDirect,
    ...remotes.filter((e) => e.candidateType === 'host' || e.candidateType === 'srflx').map(endpoint).filter((x) => x !== null),
  ]);
  const relayAddresses = new Set([
    ...signalled.relayAddresses,
    ...entries.filter((e) => e.type === 'local-candidate' && e.candidateType === 'relay').map(address).filter((x) => x !== null),
  ]);
  const remoteRelay = (c: Candidate): boolean => {
    if (!c) return true;
    if (c.candidateType === 'relay') return true;
    if (c.candidateType !== 'prflx') return false;
    const ep = endpoint(c);
    if (ep === null) return true;
    if (relayEndpoints.has(ep)) return true;
    return relayAddresses.has(address(c) ?? '') && !knownEndpoints.has(ep);
  };
  const ends = (p: StatsEntry): [Candidate, Candidate] => [
    typeof p.localCandidateId === 'string' ? byId.get(p.localCandidateId) : undefined,
    typeof p.remoteCandidateId === 'string' ? byId.get(p.remoteCandidateId) : undefined,
  ];

  const sel = selectedPair(entries);
  let viaOurRelay = false;
  let relayed = false;
  let selected: string | null = null;
  if (sel) {
    const [l, r] = ends(sel);
    viaOurRelay = l?.candidateType === 'relay';
    relayed = viaOurRelay || remoteRelay(r);
    selected = `${describe(l)} → ${describe(r)}`;
  }
  let direct: string | null = null;
  for (const p of entries) {
    if (p.type !== 'candidate-pair' || p.state !== 'succeeded') continue;
    const [l, r] = ends(p);
    if (!l || l.candidateType === 'relay' || typeof l.candidateType !== 'string' || remoteRelay(r)) continue;
    direct = `${describe(l)} → ${describe(r)}`;
    break;
  }
  return { pair: sel?.id ?? null, viaOurRelay, relayed, direct, selected };
}

/** RouteSample is one reading of one connection. */
export interface RouteSample {
  /** link identifies the RTCPeerConnection read: a new one starts afresh. */
  link: string;
  /** ice is its iceConnectionState. */
  ice: RTCIceConnectionState;
  /** offered: this side made the offer of the last completed negotiation. */
  offered: boolean;
  route: RouteReading;
}

/** Upgrade is what RouteWatch says to do: restart ICE here, ask the partner to, or nothing. */
export type Upgrade = 'restart' | 'ask' | null;

/**
 * RouteWatch decides, from samples of one connection, when to move the
 * call off the relay: the call is connected, its pair in use has a relay on
 * either end, a direct pair has succeeded, and all of that held for
 * UPGRADE_AFTER_MS. Then it says 'restart' when this side answered last,
 * 'ask' (the partner to restart) when it offered. After an upgrade (its
 * own, or one the partner asked for) it waits until another pair is in use
 * before judging again, or RESTART_SETTLE_MS if none is (the restart did
 * not take); at most MAX_UPGRADES between two losses of the path (ICE disconnected or
 * failed: the device roamed, and a new network may have opened a direct
 * path), and MAX_UPGRADES_TOTAL in all, counting requests either way.
 */
export class RouteWatch {
  upgrades = 0;
  #total = 0;
  #link: string | null = null;
  #since: number | null = null;
  /** #pair is the pair in use at the last sample. */
  #pair: string | null = null;
  /** #upgradedOn is the pair in use at the last upgrade; null once another one is. */
  #upgradedOn: string | null = null;
  /** #waiting: an upgrade was made and no sample has shown its outcome yet. */
  #waiting = false;
  /** #waitingSince is when the first sample after the upgrade was taken. */
  #waitingSince: number | null = null;

  constructor(private readonly afterMs = UPGRADE_AFTER_MS) {}

  #budget(): boolean {
    return this.upgrades < MAX_UPGRADES && this.#total < MAX_UPGRADES_TOTAL;
  }

  #spend(): void {
    this.upgrades++;
    this.#total++;
    this.#since = null;
    this.#upgradedOn = this.#pair;
    this.#waiting = true;
    this.#waitingSince = null;
  }

  /** observe takes one sample at time now (ms) and says what to do now. */
  observe(s: RouteSample, now: number): Upgrade {
    if (s.link !== this.#link) {
      this.#link = s.link;
      this.upgrades = 0;
      this.#total = 0;
      this.#since = null;
      this.#upgradedOn = null;
      this.#waiting = false;
    }
    this.#pair = s.route.pair;
    if (s.ice === 'disconnected' || s.ice === 'failed') {
      this.upgrades = 0; // the path was lost: a new network, a new budget
      this.#since = null;
      return null;
    }
    if (this.#waiting) {
      this.#waitingSince ??= now;
      if (s.route.pair !== this.#upgradedOn || now - this.#waitingSince >= RESTART_SETTLE_MS) this.#waiting = false;
    }
    const stuck = (s.ice === 'connected' || s.ice === 'completed') && !this.#waiting && s.route.relayed && s.route.direct !== null;
    if (!stuck) {
      this.#since = null;
      return null;
    }
    this.#since ??= now;
    if (now - this.#since < this.afterMs || !this.#budget()) return null;
    this.#spend();
    return s.offered ? 'ask' : 'restart';
  }

  /**
   * asked says whether to restart ICE now that the partner asks for a
   * route upgrade: yes within the budget, unless an upgrade is already
   * under way. (Our own view may show a direct pair in use: the two
   * directions of a call can take different pairs.)
   */
  asked(): boolean {
    if (this.#waiting || !this.#budget()) return false;
    this.#spend();
    return true;
  }
}
