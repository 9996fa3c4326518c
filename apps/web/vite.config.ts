import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';
import { compression } from 'vite-plugin-compression2';

const apiTarget = process.env.SLUICE_API_URL ?? 'http://127.0.0.1:3000';

/**
 * The API allows mutations only from its own origin (or ALLOWED_ORIGINS): the dev server
 * speaks for the page it serves.
 */
const apiProxy: ProxyOptions = {
  target: apiTarget,
  changeOrigin: false,
  configure(proxy) {
    proxy.on('proxyReq', (request) => {
      if (request.getHeader('origin')) request.setHeader('origin', new URL(apiTarget).origin);
    });
  },
};

export default defineConfig({
  plugins: [
    react(),
    // `.br` and `.gz` copies beside each text file of the build: the server sends the one the
    // browser accepts, with no compression work per request.
    compression({ algorithms: ['brotliCompress', 'gzip'], threshold: 1024 }),
  ],
  server: {
    proxy: {
      '/trpc': apiProxy,
      // Better Auth: sign-up, sign-in, sign-out, the session.
      '/api': apiProxy,
      '/healthz': { target: apiTarget },
    },
  },
  build: {
    outDir: 'dist',
  },
  // The SharedWorker that holds the browser's one event connection is an ES module.
  worker: { format: 'es' },
});
