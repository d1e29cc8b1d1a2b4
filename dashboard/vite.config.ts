import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the API at /admin/ (src/plugins/dashboard.ts) under a CSP without inline
// script: the build must emit only files, so the module-preload polyfill (inline) is off.
export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, modulePreload: { polyfill: false }, assetsInlineLimit: 0, sourcemap: false },
  server: { proxy: { '^/(?!admin/)': 'http://127.0.0.1:3000' } },
});
