// Playwright against Debian's Chromium (never a downloaded browser: `npx playwright install` is
// not possible here). Browser mode everywhere; the Electron spec runs only where an Electron
// binary exists. WebGL2 (NiiVue) renders through SwiftShader in headless mode.
import { defineConfig } from '@playwright/test'

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  // Screenshots, traces and scratch copies live under artifacts/; never collect specs from there.
  testIgnore: ['artifacts/**'],
  outputDir: './artifacts/results',
  // One worker: the 2 shared cores are busy enough with one server, one browser and the volumes.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 20_000 },
  reporter: [['list'], ['html', { outputFolder: './artifacts/report', open: 'never' }]],
  use: {
    headless: true,
    viewport: { width: 1280, height: 860 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromium,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--use-angle=swiftshader',
        '--enable-unsafe-swiftshader',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
})
