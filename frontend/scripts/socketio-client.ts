// A Vite plugin that puts the socket.io-client bundle (the npm package's
// dist/ files) in the build under socket.io/, so the Go server embeds it
// and serves /socket.io/socket.io.js offline, as a Node.js socket.io
// server does for the tutorial's <script src="/socket.io/socket.io.js">.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

/** The bundle's files the Go server serves (signaling/socketio/client.go). */
const BUNDLE_FILE = /^socket\.io(\.msgpack|\.esm)?(\.min)?\.js(\.map)?$/;

/** socketIOClient copies socket.io-client's dist/ bundle into dist/socket.io/. */
export function socketIOClient(): Plugin {
  return {
    name: 'signalbox:socket.io-client',
    apply: 'build',
    generateBundle() {
      const require = createRequire(import.meta.url);
      const dist = join(dirname(require.resolve('socket.io-client/package.json')), 'dist');
      const names = readdirSync(dist).filter((n) => BUNDLE_FILE.test(n));
      if (!names.includes('socket.io.js')) {
        this.error(`socket.io-client: no socket.io.js in ${dist}; run npm install`);
      }
      for (const name of names) {
        this.emitFile({ type: 'asset', fileName: `socket.io/${name}`, source: readFileSync(join(dist, name)) });
      }
    },
  };
}
