// DICOM import bench (issue 20): N case folders, each the real 20-slice CT series (JPEG 2000
// lossless, 512x512, UIDs of its own) with a structure set whose ROI "BODY" rt-utils drew
// (bench/dicom/makeCases.py), turned into an nnU-Net v2 dataset by `nnunet-wizard prepare --label
// body=rtstruct:...` and by the script a researcher writes today (bench/reference/dicom_convert.py:
// SimpleITK's GetGDCMSeriesFileNames + ImageSeriesReader, rt-utils' get_roi_mask_by_name,
// WriteImage; one process). Prints wall time, CPU time and peak RSS of both; PASS when ours is at
// least as fast.
//
//   node scripts/build.mjs --node && node bench/dicom/run.mjs [--cases 10] [--runs 1]
//
// Data (once, in ~/.cache/nnunet-wizard/bench-dicom-v2-<cases>/) needs the reference venv that
// scripts/setup-reference-python.sh builds (pydicom, SimpleITK, rt-utils); the bench never builds it.
import process from 'node:process'
import console from 'node:console'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { cacheRoot, machineLoad, mb, measure, median, repoRoot, table } from '../lib/common.mjs'

const { values: opt } = parseArgs({ options: { cases: { type: 'string', default: '10' }, runs: { type: 'string', default: '1' } } })
const cases = Number(opt.cases)
const runs = Number(opt.runs)

function referencePython() {
  const req = readFileSync(join(repoRoot, 'python', 'requirements-reference.txt'))
  const hash = createHash('sha256').update(req).digest('hex').slice(0, 10)
  const py = join(process.env.NNUNET_WIZARD_VENV_ROOT ?? cacheRoot, `venv-reference-${hash}`, 'bin', 'python')
  if (!existsSync(join(py, '..', '..', '.complete'))) throw new Error(`the reference venv is not built (${py}); run bash scripts/setup-reference-python.sh once`)
  return py
}

const python = referencePython()
const data = join(cacheRoot, `bench-dicom-v2-${cases}`)
if (!existsSync(join(data, '.complete'))) {
  const tmp = `${data}.building-${process.pid}`
  rmSync(tmp, { recursive: true, force: true })
  const r = spawnSync(python, [join(repoRoot, 'bench/dicom/makeCases.py'), ctDicom(), tmp, String(cases)], { stdio: 'inherit' })
  if (r.status !== 0) throw new Error('bench/dicom/makeCases.py failed')
  writeFileSync(join(tmp, '.complete'), '')
  rmSync(data, { recursive: true, force: true })
  renameSync(tmp, data)
}

/** The real CT series: beside the checkout (../shared), else NNUNET_WIZARD_TOTALSEG, as the tests find it. */
function ctDicom() {
  for (const root of [join(repoRoot, '..', 'shared', 'data', 'totalseg'), process.env.NNUNET_WIZARD_TOTALSEG, '/work/shared/data/totalseg']) {
    if (root && existsSync(join(root, 'ct_dicom'))) return join(root, 'ct_dicom')
  }
  throw new Error('the real CT series (shared/data/totalseg/ct_dicom) is not beside the checkout; set NNUNET_WIZARD_TOTALSEG')
}

const before = machineLoad()
console.log(`DICOM import: ${cases} cases x 20 slices 512x512 (JPEG 2000 lossless) + RTSTRUCT (ROI BODY) -> nnU-Net v2; ${runs} run(s); ${before.cores} cores, load ${before.loadavg.join(' ')}`)
const out = join(tmpdir(), `nnw-bench-dicom-${process.pid}`)
const methods = {
  ours: (dest) => [process.execPath, [join(repoRoot, 'bin', 'nnunet-wizard.mjs'), 'prepare', '--images', join(data, 'images'), '--label', `body=rtstruct:${join(data, 'images')}:BODY`, '--out', dest, '--id', '1', '--name', 'Bench', '--overwrite']],
  'SimpleITK + rt-utils script': (dest) => [python, [join(repoRoot, 'bench/reference/dicom_convert.py'), '--data', data, '--out', join(dest, 'Dataset001_Bench'), '--name', 'Bench', '--roi', 'BODY']],
}
const results = {}
for (const [name, argv] of Object.entries(methods)) {
  results[name] = []
  for (let k = 0; k < runs; k++) {
    rmSync(out, { recursive: true, force: true })
    mkdirSync(out, { recursive: true })
    const [cmd, args] = argv(out)
    const m = await measure(cmd, args, { env: { ...process.env, NNUNET_WIZARD_DATA: join(out, '.appdata') } })
    if (m.code !== 0) throw new Error(`${name} failed (${m.code}):\n${m.stderr.slice(-2000)}`)
    results[name].push(m)
  }
}
rmSync(out, { recursive: true, force: true })
const rows = Object.entries(results).map(([name, ms]) => [name, `${(median(ms.map((m) => m.wallMs)) / 1000).toFixed(1)} s`, `${(median(ms.map((m) => m.userS + m.sysS))).toFixed(1)} s`, `${mb(Math.max(...ms.map((m) => m.peakKb)))} MB`, `${(median(ms.map((m) => m.wallMs)) / cases).toFixed(0)} ms`])
console.log(table(['method', 'wall (median)', 'CPU', 'peak RSS', 'wall per case'], rows))
const ours = median(results.ours.map((m) => m.wallMs))
const ref = median(results['SimpleITK + rt-utils script'].map((m) => m.wallMs))
console.log(`${ours <= ref ? 'PASS' : 'FAIL'}: ours ${(ours / 1000).toFixed(1)} s vs SimpleITK + rt-utils ${(ref / 1000).toFixed(1)} s (${(ref / ours).toFixed(2)}x) — target: at least as fast`)
const after = machineLoad()
console.log(`load before ${before.loadavg.join(' ')}, after ${after.loadavg.join(' ')}`)
mkdirSync(join(repoRoot, 'bench', 'out'), { recursive: true })
writeFileSync(join(repoRoot, 'bench', 'out', 'dicom.json'), JSON.stringify({ when: new Date().toISOString(), cases, runs, load: { before, after }, results: Object.fromEntries(Object.entries(results).map(([n, ms]) => [n, ms.map(({ stdout: _o, stderr: _e, ...m }) => m)])) }, null, 2))
process.exit(ours <= ref ? 0 : 1)
