// asSignalData: which relayed signal payloads the client takes (docs/protocol.md,
// Client conventions): exactly one of description, candidate and restart.

import { describe, expect, it } from 'vitest';
import { asSignalData } from './protocol';

describe('asSignalData', () => {
  const pc = '9f2c4a1b7e30';
  it.each<[string, unknown, boolean]>([
    ['an offer', { pc, description: { type: 'offer', sdp: 'v=0' } }, true],
    ['a candidate', { pc, toPc: 'x', candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host' } }, true],
    ['a route upgrade request', { pc, toPc: 'x', restart: 'route' }, true],
    ['another kind of restart', { pc, restart: 'everything' }, false],
    ['a request with a description too', { pc, restart: 'route', description: { type: 'offer', sdp: 'v=0' } }, false],
    ['nothing to do', { pc }, false],
    ['no connection id', { restart: 'route' }, false],
    ['not an object', 'restart', false],
  ])('%s', (_, data, ok) => {
    expect(asSignalData(data) !== null).toBe(ok);
  });
});
