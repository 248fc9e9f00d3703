/**
 * Vite build of the web app (client/web → client/web/dist, served by the API server at `/`).
 * `npm run build:web` builds it; `npm start` builds it first when its sources changed
 * (client/web/build.ts). For development with hot reload against a running server on :3000:
 * `npx vite --config vite.config.web.ts` (proxies /api and /ws; start the server with
 * WS_ALLOWED_ORIGINS=http://localhost:5173, since /ws admits only configured origins).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('./client/web', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: 'public',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // lightweight-charts is ~170 kB: one vendor chunk is fine for a desk app.
    chunkSizeWarningLimit: 800,
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/api': 'http://localhost:3000',
      '/ws': { target: 'ws://localhost:3000', ws: true },
    },
  },
});
