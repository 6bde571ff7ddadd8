// Benchmark (issue 21): saving a label map corrected in the viewer, on a 512x512x160 scan.
//
//   npx tsx bench/labelEdit/run.ts [--runs 5] [--size 512x512x160]
//
// The scan and its "prediction" are the real ct_small CT and its liver/spleen masks resampled
// (nearest neighbour) to the target size, so the label map has the long runs and organ shapes of
// a real one; they are written once with the app's NIfTI writer into a temp folder. The edit is a
// realistic correction: a disc of radius 25 voxels painted with spleen on 12 axial slices and a
// liver block erased (about 35k voxels changed). Each run is the whole service call
// (saveLabelEdit: compare the NIfTI headers of scan and label, read the label in the volume
// worker, apply the runs, count, gzip, atomic write); the first run also starts the worker pool and is reported apart. Target: < 1 s.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir, loadavg, cpus } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { encodeChanges, saveLabelEdit, type ChangeRun } from '../../electron/dataset/labelEdit'
import { volumePool } from '../../electron/imaging/workerPool'
import { writeResampledCase } from './resampledCase'

const { values: opt } = parseArgs({ options: { runs: { type: 'string', default: '5' }, size: { type: 'string', default: '512x512x160' } } })
const size = opt.size!.split('x').map(Number) as [number, number, number]
const TOTALSEG = process.env.NNUNET_WIZARD_TOTALSEG ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'totalseg')
const TARGET_MS = 1000

const tmp = await mkdtemp(join(tmpdir(), 'bench-label-edit-'))
try {
  const scans = join(tmp, 'scans')
  const predictions = join(tmp, 'predictions')
  const { label } = await writeResampledCase(TOTALSEG, size, scans, predictions, 'big')
  // The correction: a painted disc on 12 slices, an erased block; runs in file order.
  const target = label.slice()
  const at = (x: number, y: number, z: number) => x + size[0] * (y + size[1] * z)
  const cz = Math.floor(size[2] / 2)
  for (let z = cz; z < cz + 12; z++) for (let y = -25; y <= 25; y++) for (let x = -25; x <= 25; x++) if (x * x + y * y <= 625) target[at(300 + x, 256 + y, z)] = 2
  for (let z = cz - 20; z < cz - 10; z++) for (let y = 200; y < 240; y++) for (let x = 150; x < 200; x++) target[at(x, y, z)] = 0
  const runs: ChangeRun[] = []
  for (let i = 0; i < target.length; i++) {
    if (target[i] === label[i]) continue
    const last = runs[runs.length - 1]
    if (last && last.start + last.length === i && last.value === target[i]) last.length++
    else runs.push({ start: i, length: 1, value: target[i]! })
  }
  const changes = encodeChanges(runs)
  console.log(`scan ${size.join('x')} int16, label uint8; correction: ${runs.length} runs, ${changes.length} base64 chars; load ${loadavg()[0]!.toFixed(2)} on ${cpus().length} cores`)

  const times: number[] = []
  let changed = 0
  for (let r = 0; r < Number(opt.runs) + 1; r++) {
    // Every run saves the prediction afresh (the same work each time).
    await rm(join(predictions, 'corrected'), { recursive: true, force: true })
    const t0 = performance.now()
    const res = await saveLabelEdit({ target: 'prediction', image: join(scans, 'big_0000.nii.gz'), label: join(predictions, 'big.nii.gz'), changes }, { sourceFolders: [scans] })
    times.push(performance.now() - t0)
    changed = res.changed
  }
  const [cold, ...warm] = times
  if (warm.length === 0) throw new Error('--runs must be at least 1')
  const sorted = [...warm].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)]!
  console.log(`voxels changed: ${changed}`)
  console.log(`save, first call (starts the worker pool): ${cold!.toFixed(0)} ms`)
  console.log(`save, ${warm.length} runs: median ${median.toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms, min ${sorted[0]!.toFixed(0)} ms`)
  console.log(`${median < TARGET_MS ? 'PASS' : 'FAIL'} save of a corrected ${size.join('x')} label < ${TARGET_MS} ms (median ${median.toFixed(0)} ms); load after ${loadavg()[0]!.toFixed(2)}`)
} finally {
  await volumePool().close()
  if (!process.env.KEEP) await rm(tmp, { recursive: true, force: true })
  else console.log(tmp)
}
