// Benchmark: the runner's overhead on nnU-Net's own epoch time. The same short nnU-Net v2 training
// (2d, fold all, a generated trainer with few epochs and iterations, CPU by default) is run through
// `nnunet-wizard train` and directly as `nnUNetv2_train` (what the guide types), alternating; the
// figure is nnU-Net's own "Epoch time: X s" from its training_log_*.txt, first epoch dropped
// (warm-up). Overhead = median epoch via the runner / median epoch direct - 1.
//
//   node bench/train/run.mjs [--runs 2] [--epochs 4] [--iterations 5] [--device cpu] [--workers 1]
//
// Setup (once, in ~/.cache/nnunet-wizard/bench-train-v1): 5 generated 128x128x32 cases ->
// `nnunet-wizard prepare` (v2 layout, dataset 999) -> `nnunet-wizard plan -c 2d`.
// Both contestants get the same environment: the nnU-Net folders, nnUNet_n_proc_DA and
// nnUNet_def_n_proc = --workers, nnUNet_compile=false, nnUNet_extTrainer = the runner's trainer folder,
// PYTHONUNBUFFERED=1 (as the runner sets it). Wall time also includes start-up and nnU-Net's final
// validation, so only the epoch times speak to the runner's overhead.
import process from 'node:process'
import console from 'node:console'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { cacheRoot, findPython, machineLoad, measure, median, repoRoot, table } from '../lib/common.mjs'

const { values: opt } = parseArgs({
  options: {
    runs: { type: 'string', default: '2' },
    epochs: { type: 'string', default: '4' },
    iterations: { type: 'string', default: '5' },
    device: { type: 'string', default: 'cpu' },
    workers: { type: 'string', default: '1' },
    python: { type: 'string' },
    json: { type: 'string', default: join(repoRoot, 'bench', 'out', 'train.json') },
  },
})
const ID = 999
const NAME = 'BenchTrain'
const die = (m) => {
  console.error(`bench/train: ${m}`)
  process.exit(1)
}

// nnU-Net itself must be importable from this python (the SimpleITK-only probe venv will not do)
const python = opt.python ?? findPython().python
const chk = spawnSync(python, ['-c', 'import importlib.metadata as m, torch; print(m.version("nnunetv2"), torch.__version__)'], { encoding: 'utf8' })
if (chk.status !== 0) die(`${python} has no nnunetv2 (run scripts/setup-python.sh, or pass --python):\n${chk.stderr}`)
const [nnunetVersion, torchVersion] = chk.stdout.trim().split(' ')
const bindir = dirname(python)
const trainExe = existsSync(join(bindir, 'nnUNetv2_train')) ? join(bindir, 'nnUNetv2_train') : null
if (!trainExe) die(`no nnUNetv2_train next to ${python}`)

const root = join(cacheRoot, 'bench-train-v1')
const base = join(root, 'nnunet')
const wizardData = join(root, 'wizard-data')
const folders = { nnUNet_raw: join(base, 'nnUNet_raw'), nnUNet_preprocessed: join(base, 'nnUNet_preprocessed'), nnUNet_results: join(base, 'nnUNet_results') }
const cli = join(repoRoot, 'bin', 'nnunet-wizard.mjs')
const common = ['--python', python, '--base', base, '--workers', opt.workers]
const env = { ...process.env, NNUNET_WIZARD_DATA: wizardData }

function sh(args, what) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: repoRoot, env, encoding: 'utf8', maxBuffer: 64 << 20 })
  if (r.status !== 0) die(`${what} failed (exit ${r.status}):\n${(r.stderr || '').slice(-4000)}\n${(r.stdout || '').slice(-2000)}`)
}

if (!existsSync(join(root, 'setup-done'))) {
  console.log(`setting up ${root} (once): generate, prepare, plan 2d ...`)
  rmSync(root, { recursive: true, force: true })
  mkdirSync(root, { recursive: true })
  const src = join(root, 'src')
  const g = spawnSync(python, [join(repoRoot, 'bench/prepare/generate.py'), '--out', src, '--cases', '5', '--size', '128x128x32'], { stdio: 'inherit' })
  if (g.status !== 0) die('generate.py failed')
  for (const d of Object.values(folders)) mkdirSync(d, { recursive: true })
  sh(['prepare', '--images', join(src, 'image'), '--label', `organ=${join(src, 'organ')}`, '--label', `tumor=${join(src, 'tumor')}`, '--out', folders.nnUNet_raw, '--id', String(ID), '--name', NAME], 'prepare')
  sh(['plan', '-d', String(ID), '-c', '2d', '--np', '1', ...common], 'plan')
  writeFileSync(join(root, 'setup-done'), new Date().toISOString())
}

const resultsDir = join(folders.nnUNet_results, `Dataset${ID}_${NAME}`)
const trainer = `nnUNetTrainer_Wizard_${opt.epochs}ep_${opt.iterations}it`

/** nnU-Net's own epoch times from the newest training_log_*.txt under the results. */
function epochTimes() {
  const logs = []
  const walk = (d) => {
    if (!existsSync(d)) return
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name))
      else if (/^training_log_.*\.txt$/.test(e.name)) logs.push(join(d, e.name))
    }
  }
  walk(resultsDir)
  if (logs.length !== 1) throw new Error(`expected one training log under ${resultsDir}, found ${logs.length}`)
  return [...readFileSync(logs[0], 'utf8').matchAll(/Epoch time: ([\d.]+) s/g)].map((m) => Number(m[1]))
}

const contestants = {
  ours: () => [process.execPath, [cli, 'train', '-d', String(ID), '-c', '2d', '-f', 'all', '--epochs', opt.epochs, '--iterations', opt.iterations, '--no-npz', '--device', opt.device, ...common]],
  direct: () => [trainExe, [String(ID), '2d', 'all', '-tr', trainer, '-device', opt.device]],
}
const directEnv = {
  ...process.env,
  ...folders,
  nnUNet_n_proc_DA: opt.workers,
  nnUNet_def_n_proc: opt.workers,
  nnUNet_compile: 'false',
  nnUNet_extTrainer: join(wizardData, 'trainers'),
  // the runner starts nnU-Net unbuffered (lines arrive as printed); give the direct run the same
  PYTHONUNBUFFERED: '1',
  PYTHONIOENCODING: 'utf-8',
}

console.log(`nnunetv2 ${nnunetVersion}, torch ${torchVersion}, device ${opt.device}; ${trainer} (2d, fold all), workers ${opt.workers}`)
const load0 = machineLoad()
console.log(`machine: ${load0.cores} cores, load average ${load0.loadavg.join(' ')}`)
const results = { ours: [], direct: [] }
// ours first: it writes the generated trainer the direct run then uses
for (let i = 1; i <= Number(opt.runs); i++) {
  for (const name of i % 2 ? ['ours', 'direct'] : ['direct', 'ours']) {
    rmSync(resultsDir, { recursive: true, force: true })
    const [cmd, args] = contestants[name]()
    const m = await measure(cmd, args, { env: name === 'ours' ? env : directEnv })
    if (m.code !== 0) die(`${name} run ${i} failed (exit ${m.code}): ${cmd} ${args.join(' ')}\n${m.stderr.slice(-4000)}\n${m.stdout.slice(-2000)}`)
    const epochs = epochTimes()
    if (epochs.length !== Number(opt.epochs)) die(`${name} run ${i}: ${epochs.length} epoch times in the log, expected ${opt.epochs}`)
    results[name].push({ run: i, wallS: m.wallMs / 1000, epochs, peakRssKb: m.peakKb })
    console.log(`  run ${i} ${name.padEnd(6)} wall ${(m.wallMs / 1000).toFixed(1)} s, epoch times ${epochs.map((e) => e.toFixed(2)).join(' ')} s`)
  }
}
const load1 = machineLoad()
const steady = (name) => results[name].flatMap((r) => r.epochs.slice(1))
const med = { ours: median(steady('ours')), direct: median(steady('direct')) }
console.log('')
console.log(table(['', 'median epoch s (epochs 2..n, all runs)', 'min', 'max', 'median wall s'], ['ours', 'direct'].map((n) => [
  n === 'ours' ? 'via nnunet-wizard train' : 'nnUNetv2_train directly', med[n].toFixed(2), Math.min(...steady(n)).toFixed(2), Math.max(...steady(n)).toFixed(2), median(results[n].map((r) => r.wallS)).toFixed(1)])))
const overhead = med.ours / med.direct - 1
console.log(`\nrunner overhead on nnU-Net's epoch time: ${(overhead * 100).toFixed(1)}% (${steady('ours').length} vs ${steady('direct').length} epochs)`)
console.log(`machine load: before ${load0.loadavg.join(' ')}, after ${load1.loadavg.join(' ')} (${load0.cores} cores)`)
mkdirSync(dirname(opt.json), { recursive: true })
writeFileSync(opt.json, JSON.stringify({ when: new Date().toISOString(), nnunetVersion, torchVersion, device: opt.device, trainer, machine: { before: load0, after: load1 }, results, medianEpochS: med, overhead }, null, 1))
console.log(`wrote ${opt.json}`)
