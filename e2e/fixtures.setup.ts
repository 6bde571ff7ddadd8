// Playwright's setup project ("fixtures" in playwright.config.ts): builds, or finds, the cached
// nnU-Net fixtures the vitest integration tests use too (test/results/trainedFixture.ts: a planned
// 2d Dataset611_Results and a trained 2-fold model with its test predictions), once per run and
// outside any spec's time limit. The specs that need them (the "nnunet" project) depend on this
// one; each still takes its private copy in beforeAll (trainedFixture / plannedDataset), which
// reuses this cache, so a spec run alone works the same. Under `npm test` the fixtures step of
// stage A built them already (NNUNET_WIZARD_FIXTURE_KEY pins that key): this finds them at once.
import { test as setup } from '@playwright/test'
import { nnunetPython } from '../test/helpers/python'
import { trainedFixtureCache } from '../test/results/trainedFixture'

const py = nnunetPython('v2')

setup('the cached nnU-Net fixtures: a planned 2d dataset, a trained 2-fold model', async () => {
  setup.skip(!py.python, `nnU-Net v2 is not available: ${py.reason}`)
  // Cold: a plan, two 2-epoch trainings and a prediction on 2 shared cores.
  setup.setTimeout(3_600_000)
  const started = Date.now()
  const dir = await trainedFixtureCache(py.python!, (line) => console.log(`fixtures: ${line}`))
  console.log(`fixtures: ${dir} (${Math.round((Date.now() - started) / 1000)} s)`)
})
