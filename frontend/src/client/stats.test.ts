import { describe, expect, it } from 'vitest';
import { selectedPair, summarize, type StatsEntry } from './stats';

// Shaped like Chromium's getStats() output (trimmed to the fields read).
function chromeReport(bytesIn: number, bytesOut: number, frames: number): StatsEntry[] {
  return [
    { id: 'T01', type: 'transport', selectedCandidatePairId: 'CP1' },
    { id: 'CP0', type: 'candidate-pair', localCandidateId: 'L2', remoteCandidateId: 'R2', state: 'failed', nominated: false, bytesReceived: 0, bytesSent: 0 },
    { id: 'CP1', type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1', state: 'succeeded', nominated: true, currentRoundTripTime: 0.004, bytesReceived: bytesIn, bytesSent: bytesOut },
    { id: 'L1', type: 'local-candidate', candidateType: 'host', protocol: 'udp' },
    { id: 'R1', type: 'remote-candidate', candidateType: 'srflx', protocol: 'udp' },
    { id: 'L2', type: 'local-candidate', candidateType: 'relay', protocol: 'udp' },
    { id: 'R2', type: 'remote-candidate', candidateType: 'relay', protocol: 'udp' },
    { id: 'IV', type: 'inbound-rtp', kind: 'video', framesDecoded: frames, frameWidth: 640, frameHeight: 360, framesPerSecond: 24 },
    { id: 'IA', type: 'inbound-rtp', kind: 'audio' },
  ];
}

describe('summarize', () => {
  it('reads the selected pair, round trip and video', () => {
    const s = summarize(chromeReport(1000, 2000, 50), null, 1000);
    expect(s).toMatchObject({
      localType: 'host', remoteType: 'srflx', protocol: 'udp', rttMs: 4, inKbps: null, outKbps: null,
      framesDecoded: 50, frameWidth: 640, frameHeight: 360, fps: 24,
    });
  });

  it('computes bitrates from the previous sample', () => {
    const first = summarize(chromeReport(0, 0, 0), null, 1000);
    const second = summarize(chromeReport(125_000, 62_500, 24), first, 3000); // 2 s later
    expect(second.inKbps).toBe(500);
    expect(second.outKbps).toBe(250);
  });

  it('gives no rate when the counters went backwards (a new connection)', () => {
    const first = summarize(chromeReport(10_000, 10_000, 5), null, 1000);
    expect(summarize(chromeReport(100, 100, 1), first, 2000).inKbps).toBeNull();
  });

  it('finds Firefox’s selected pair without a transport entry', () => {
    const entries: StatsEntry[] = [
      { id: 'a', type: 'candidate-pair', localCandidateId: 'l', remoteCandidateId: 'r', selected: true, state: 'succeeded', bytesReceived: 1, bytesSent: 1 },
      { id: 'l', type: 'local-candidate', candidateType: 'relay', protocol: 'tcp' },
      { id: 'r', type: 'remote-candidate', candidateType: 'host' },
    ];
    expect(selectedPair(entries)?.id).toBe('a');
    expect(summarize(entries, null, 0)).toMatchObject({ localType: 'relay', remoteType: 'host', protocol: 'tcp', rttMs: null });
  });

  it('is empty before any pair is chosen', () => {
    const s = summarize([{ id: 'x', type: 'candidate-pair', state: 'in-progress' }], null, 0);
    expect(s).toMatchObject({ localType: null, remoteType: null, rttMs: null, framesDecoded: 0 });
  });
});
