// A mesh of three (room capacity 3): every page decodes the video of both
// others, over one RTCPeerConnection per remote peer.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot, serveAndLaunch, waitDecoding, waitInRoom } from './helpers.mjs';

const env = serveAndLaunch({ roomSize: 3 });

test('three pages each decode the other two', async () => {
  const names = ['Ana', 'Ben', 'Cleo'];
  const pages = [];
  for (const [i, name] of names.entries()) {
    // Cleo is on a phone.
    const viewport = name === 'Cleo' ? { width: 390, height: 844 } : undefined;
    const p = await openPage(env.browser, env.server.url, '/r/mesh', { name, viewport });
    await waitInRoom(p, i); // join one after the other: each newcomer offers to those already there
    pages.push(p);
  }
  await Promise.all(pages.map((p) => waitInRoom(p, 2)));
  const samples = await Promise.all(pages.map((p) => waitDecoding(p, 2)));
  for (const [i, s] of samples.entries()) {
    const from = s.second.map((x) => x.name).sort();
    assert.deepEqual(from, names.filter((_, j) => j !== i).sort(), `${names[i]} decodes video from`);
  }
  for (const p of pages) assert.equal(await p.locator('.grid').getAttribute('data-count'), '3');
  await pages[2].locator('.tile.remote:not(.no-video)').nth(1).waitFor();
  console.log('screenshot:', await screenshot(pages[2], 'call-mesh-phone.png'));
  console.log('screenshot:', await screenshot(pages[0], 'call-mesh.png'));
});
