import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { socketIOClient } from './scripts/socketio-client';

// Three pages share one build: index.html is the browser client served on
// the LAN, window.html the desktop window (Wails loads it as its index),
// trust.html the /trust page that offers the local CA.
export default defineConfig({
  base: '/',
  plugins: [socketIOClient()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    rollupOptions: {
      input: {
        client: resolve(import.meta.dirname, 'index.html'),
        window: resolve(import.meta.dirname, 'window.html'),
        trust: resolve(import.meta.dirname, 'trust.html'),
      },
    },
  },
});
