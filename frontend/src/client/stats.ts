// Reading getStats(): which candidate pair carries the call, its
// round-trip time, and the bitrate in each direction. summarize is pure so
// it can be tested with recorded reports.

/** CandidateType is an ICE candidate's type. */
export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

/** ConnStats is one connection's figures at one moment. */
export interface ConnStats {
  at: number;
  localType: CandidateType | null;
  remoteType: CandidateType | null;
  protocol: string | null;
  rttMs: number | null;
  bytesIn: number;
  bytesOut: number;
  /** inKbps and outKbps are averaged since the previous sample; null on the first. */
  inKbps: number | null;
  outKbps: number | null;
  framesDecoded: number;
  frameWidth: number | null;
  frameHeight: number | null;
  fps: number | null;
}

/** StatsEntry is the part of an RTCStats entry summarize reads. */
export type StatsEntry = { id: string; type: string; timestamp?: number } & Record<string, unknown>;

const TYPES = new Set<string>(['host', 'srflx', 'prflx', 'relay']);

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function candidateType(v: unknown): CandidateType | null {
  return typeof v === 'string' && TYPES.has(v) ? (v as CandidateType) : null;
}

/** selectedPair finds the candidate pair in use: the transport's choice, else Firefox's `selected`, else a nominated succeeded pair. */
export function selectedPair(entries: readonly StatsEntry[]): StatsEntry | null {
  const byId = new Map(entries.map((e) => [e.id, e]));
  for (const e of entries) {
    if (e.type === 'transport' && typeof e.selectedCandidatePairId === 'string') {
      const p = byId.get(e.selectedCandidatePairId);
      if (p) return p;
    }
  }
  const pairs = entries.filter((e) => e.type === 'candidate-pair');
  return (
    pairs.find((p) => p.selected === true) ??
    pairs.find((p) => p.nominated === true && p.state === 'succeeded') ??
    null
  );
}

/** summarize turns one getStats() report into ConnStats, using prev for rates. */
export function summarize(entries: readonly StatsEntry[], prev: ConnStats | null, now: number): ConnStats {
  const byId = new Map(entries.map((e) => [e.id, e]));
  const pair = selectedPair(entries);
  const local = pair && typeof pair.localCandidateId === 'string' ? byId.get(pair.localCandidateId) : undefined;
  const remote = pair && typeof pair.remoteCandidateId === 'string' ? byId.get(pair.remoteCandidateId) : undefined;
  const rtt = pair ? num(pair.currentRoundTripTime) : null;
  const bytesIn = pair ? (num(pair.bytesReceived) ?? 0) : 0;
  const bytesOut = pair ? (num(pair.bytesSent) ?? 0) : 0;
  let framesDecoded = 0;
  let frameWidth: number | null = null;
  let frameHeight: number | null = null;
  let fps: number | null = null;
  for (const e of entries) {
    if (e.type !== 'inbound-rtp' || e.kind !== 'video') continue;
    framesDecoded += num(e.framesDecoded) ?? 0;
    frameWidth = num(e.frameWidth) ?? frameWidth;
    frameHeight = num(e.frameHeight) ?? frameHeight;
    fps = num(e.framesPerSecond) ?? fps;
  }
  const seconds = prev ? (now - prev.at) / 1000 : 0;
  const rate = (cur: number, before: number): number | null =>
    seconds > 0 && cur >= before ? ((cur - before) * 8) / 1000 / seconds : null;
  return {
    at: now,
    localType: candidateType(local?.candidateType),
    remoteType: candidateType(remote?.candidateType),
    protocol: typeof local?.protocol === 'string' ? local.protocol : null,
    rttMs: rtt === null ? null : rtt * 1000,
    bytesIn,
    bytesOut,
    inKbps: prev ? rate(bytesIn, prev.bytesIn) : null,
    outKbps: prev ? rate(bytesOut, prev.bytesOut) : null,
    framesDecoded,
    frameWidth,
    frameHeight,
    fps,
  };
}

/** reportEntries lists an RTCStatsReport's entries. */
export function reportEntries(report: RTCStatsReport): StatsEntry[] {
  const out: StatsEntry[] = [];
  report.forEach((v: unknown) => out.push(v as StatsEntry));
  return out;
}
