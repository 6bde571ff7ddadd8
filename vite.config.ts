// The renderer build. Output goes to dist/renderer, served by `nnunet-wizard serve` and loaded by
// the Electron window; relative asset URLs (base './') work for both. The Electron CSP allows
// only 'self' scripts (no inline scripts, no eval), which Vite's production output satisfies.
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'
import { fileURLToPath } from 'node:url'

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // NiiVue alone is ~2 MB; it loads once from disk or localhost, so size warnings are noise.
    chunkSizeWarningLimit: 4000,
    // Vite inlines the module-preload polyfill as an inline script otherwise, which the CSP blocks.
    modulePreload: { polyfill: false },
  },
})
