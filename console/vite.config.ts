import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
/** The local stack (`npm start`), which `npm run console:dev` forwards API and sign-in calls to. */
const localStack = process.env['CONSOLE_API'] ?? 'http://127.0.0.1:3000';

export default defineConfig(({ command }) => ({
  root,
  base: '/',
  // Components are TSX (type-checked by tsc) compiled to Vue's JSX runtime: no template compiler at run time.
  oxc: { jsx: { runtime: 'automatic', importSource: 'vue' } },
  define: {
    // A build is a production build even when started from a test run (vitest sets NODE_ENV=test).
    ...(command === 'build' ? { 'process.env.NODE_ENV': JSON.stringify('production') } : {}),
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline <script> or data: module preload: the CSP allows scripts from 'self' only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    // The budget that matters is gzip size, checked by `npm run bench` (test/bench/console-size.ts).
    chunkSizeWarningLimit: 1024,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/v1': localStack, '/local': localStack, '/config.json': localStack },
  },
}));
