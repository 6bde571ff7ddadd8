// Builds (or finds) the DICOM test data once, before the unit files run in parallel: the scan
// variants of the real CT, the RTSTRUCT / SEG structures and the export label maps. Without this
// each parallel file that needs them would build its own copy at the same time, on 2 cores, inside
// its beforeAll's time limit. `npm test` and `npm run test:fast` run it in their set-up; a test
// file run alone builds what is missing itself.
//
//   node --import tsx test/dicom/buildFixtures.ts
import { dicomScans } from './dicomScans'
import { exportLabels } from './exportLabels'
import { structureData } from './structureData'

const t0 = Date.now()
const scans = await dicomScans()
if ('missing' in scans) {
  console.error(`dicom fixtures: not built (${scans.missing}); the DICOM tests will skip or fail saying so`)
  process.exit(0)
}
const structures = await structureData()
if ('missing' in structures) throw new Error(structures.missing)
await exportLabels(scans)
console.error(`dicom fixtures: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (${scans.dir})`)
