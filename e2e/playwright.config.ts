// Playwright against the Chromium scripts/lib/tools.mjs finds: $CHROMIUM_PATH, the system's
// (Debian's /usr/bin/chromium here, where `npx playwright install` is not possible), else
// Playwright's own. `npm test` (scripts/test.mjs) reports when there is none. Browser mode
// everywhere; the Electron spec runs only where an Electron binary exists. WebGL2 (NiiVue)
// renders through SwiftShader in headless mode.
//
// Projects: "fixtures" (fixtures.setup.ts) builds or finds the cached nnU-Net fixtures shared
// with vitest (a planned 2d dataset, a trained 2-fold model); "nnunet" holds the specs that start
// from them and runs after it; "browser" is every other spec and waits for nothing (a spec of it
// run alone never builds a fixture); "slurm" (slurm.spec.ts) runs last. A spec file named on the command line runs with
// its project's dependencies (`--no-deps` leaves them out).
import { defineConfig } from '@playwright/test'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findChromium } from '../scripts/lib/tools.mjs'

const found = findChromium(join(dirname(fileURLToPath(import.meta.url)), '..'))
if (found.path === null && process.env.CHROMIUM_PATH) throw new Error(`${found.reason}: point CHROMIUM_PATH at a Chromium, or unset it to use the system's.`)
// The specs that start from the cached fixtures (test/results/trainedFixture.ts).
const FIXTURE_SPECS = ['**/results.spec.ts', '**/train.spec.ts', '**/trainPredict.spec.ts', '**/trainer.spec.ts', '**/predictView.spec.ts', '**/dicomPredict.spec.ts', '**/fineTune.spec.ts', '**/reviewAdd.spec.ts', '**/previewCorrect.spec.ts']
// The spec that trains on the one-node SLURM cluster.
const SLURM_SPEC = '**/slurm.spec.ts'

// undefined: Playwright's own browser, whose absence Playwright reports with its install hint.
const chromium = found.path ?? undefined

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  projects: [
    { name: 'fixtures', testMatch: /fixtures\.setup\.ts$/ },
    { name: 'nnunet', testMatch: FIXTURE_SPECS, dependencies: ['fixtures'] },
    { name: 'browser', testIgnore: ['artifacts/**', ...FIXTURE_SPECS, SLURM_SPEC] },
    // Last: by then npm test's slurm step (vitest's slurm project, beside Playwright) is done, so
    // the two seldom wait on the one node together (they take turns: holdSlurmNode).
    { name: 'slurm', testMatch: SLURM_SPEC },
  ],
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
