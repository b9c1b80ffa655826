// MediaWatch and receivedBytes on recorded-shaped samples: when a partner
// shows as reconnecting because its media stopped arriving, and when not.

import { describe, expect, it } from 'vitest';
import { MediaWatch, receivedBytes, STALL_MS, type LivenessSample } from './liveness';

describe('receivedBytes', () => {
  it.each([
    ['nothing yet', [{ id: 'T', type: 'transport' }], null],
    ['candidate pairs and inbound streams (Chromium, Firefox)', [
      { id: 'P1', type: 'candidate-pair', bytesReceived: 1000 },
      { id: 'P2', type: 'candidate-pair', bytesReceived: 20 },
      { id: 'V', type: 'inbound-rtp', kind: 'video', bytesReceived: 700 },
      { id: 'O', type: 'outbound-rtp', kind: 'video', bytesSent: 9999 },
    ], 1720],
    ['a pair with no figure yet', [{ id: 'P1', type: 'candidate-pair' }, { id: 'A', type: 'inbound-rtp', bytesReceived: 5 }], 5],
    ['junk is ignored', [{ id: 'P1', type: 'candidate-pair', bytesReceived: 'lots' }, { id: 'P2', type: 'candidate-pair', bytesReceived: Number.NaN }], null],
  ])('%s', (_, entries, want) => {
    expect(receivedBytes(entries)).toBe(want);
  });
});

/** step is one sample fed to the watch at time at (ms), with what stalled must then be. */
type Step = Partial<LivenessSample> & { at: number; stalled: boolean };

describe('MediaWatch', () => {
  const live = { link: 'L1', ice: 'connected' as RTCIceConnectionState, expecting: true };
  it.each<[string, Step[]]>([
    ['a call that flows is live', [
      { at: 0, received: 100, stalled: false },
      { at: 500, received: 200, stalled: false },
      { at: 1000, received: 300, stalled: false },
      { at: 1500, received: 400, stalled: false },
    ]],
    ['nothing new for STALL_MS: reconnecting; bytes again: live', [
      { at: 0, received: 100, stalled: false },
      { at: 500, received: 200, stalled: false },
      { at: 1000, received: 200, stalled: false },
      { at: 500 + STALL_MS - 1, received: 200, stalled: false },
      { at: 500 + STALL_MS, received: 200, stalled: true },
      { at: 5000, received: 200, stalled: true },
      { at: 5500, received: 260, stalled: false },
    ]],
    ['a call still connecting is not reconnecting', [
      { at: 0, received: null, ice: 'checking', stalled: false },
      { at: 2000, received: 0, ice: 'checking', stalled: false },
      { at: 4000, received: 0, ice: 'checking', stalled: false },
      { at: 6000, received: 0, ice: 'disconnected', stalled: false },
    ]],
    ['ICE disconnected on a live call: reconnecting at once', [
      { at: 0, received: 100, stalled: false },
      { at: 500, received: 200, stalled: false },
      { at: 1000, received: 210, ice: 'disconnected', stalled: true },
      { at: 1500, received: 210, ice: 'failed', stalled: true },
      { at: 2000, received: 300, ice: 'connected', stalled: false },
    ]],
    ['a partner that sends nothing is never stalled by silence, and is judged afresh when it sends again', [
      { at: 0, received: 100, stalled: false },
      { at: 500, received: 200, stalled: false },
      { at: 1000, received: 200, expecting: false, stalled: false },
      { at: 9000, received: 200, expecting: false, stalled: false },
      { at: 9500, received: 200, expecting: true, stalled: false },
      { at: 9000 + STALL_MS, received: 200, expecting: true, stalled: true },
    ]],
    ['a new connection (ICE restart by a replaced link) keeps the partner reconnecting until its bytes move', [
      { at: 0, received: 100, stalled: false },
      { at: 500, received: 200, stalled: false },
      { at: 3000, received: 200, stalled: true },
      { at: 3500, link: 'L2', received: 0, ice: 'checking', stalled: true },
      { at: 4000, link: 'L2', received: 0, ice: 'checking', stalled: true },
      { at: 4500, link: 'L2', received: 900, stalled: false },
    ]],
    ['counters that go down (a pair pruned) still count as arriving', [
      { at: 0, received: 100, stalled: false },
      { at: 500, received: 5000, stalled: false },
      { at: 1000 + STALL_MS - 1, received: 4000, stalled: false },
    ]],
  ])('%s', (_, steps) => {
    const w = new MediaWatch();
    let was = false;
    for (const { at, stalled, ...s } of steps) {
      const changed = w.observe({ ...live, received: null, ...s }, at);
      expect({ at, stalled: w.stalled, changed }).toEqual({ at, stalled, changed: stalled !== was });
      was = stalled;
    }
  });
});
