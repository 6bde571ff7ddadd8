// Exported scripts with hostile paths: quotes, spaces, $(...), backticks and ; in every folder the
// scripts name (nnU-Net's folders, the study folder, prediction input and output). The scripts are
// run with bash (run-all.sh: plan, the training array, find_best, predict) against a fake nnU-Net
// (a venv whose python records its argv and environment: nothing may run but nnU-Net's commands),
// and no command injected through a path may have run. A control character in a path is refused
// by name before anything is written. The scripts name the interpreter by NNUNET_PYTHON and carry
// the generated trainer in their own trainers/ folder (not the app's data folder).
import { execFileSync } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writePlannedDataset } from '../helpers/plannedDataset'
import { buildStudy } from '../../electron/schedulers/study'
import { writeStudy } from '../../electron/schedulers/cluster'
import * as s from '../../shared/schema'

const HOSTILE = [`a 'q' "d" $(touch pwned1)`, 'b `touch pwned2` ; touch pwned3', `c "; touch pwned4; " $HOME \\ & | > x`]
const TOOLS = ['nnUNetv2_plan_and_preprocess', 'nnUNetv2_train', 'nnUNetv2_find_best_configuration', 'nnUNetv2_predict']

/** A venv whose python records each call (argv, NUL-separated, then the nnU-Net variables) in $FAKE_LOG. */
async function fakeVenv(dir: string): Promise<string> {
  const bin = join(dir, 'bin')
  await mkdir(bin, { recursive: true })
  const python = join(bin, 'python')
  await writeFile(python, `#!/bin/bash\n{ printf '%s\\0' CALL "$@"; printf 'ENV\\0%s\\0%s\\0%s\\0%s\\0' "$nnUNet_raw" "$nnUNet_preprocessed" "$nnUNet_results" "$nnUNet_extTrainer"; } >> "$FAKE_LOG"\n`)
  await chmod(python, 0o755)
  // Console scripts as pip writes them: run by this venv's python.
  for (const tool of TOOLS) {
    await writeFile(join(bin, tool), `#!${python}\nimport sys\n`)
    await chmod(join(bin, tool), 0o755)
  }
  return python
}

/** The recorded calls: argv (the console script first) and the four variables. */
function calls(log: string): { argv: string[]; env: string[] }[] {
  const parts = log.split('\0')
  const out: { argv: string[]; env: string[] }[] = []
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] !== 'CALL') continue
    const end = parts.indexOf('ENV', i)
    out.push({ argv: parts.slice(i + 1, end), env: parts.slice(end + 1, end + 5) })
    i = end + 4
  }
  return out
}

describe('exported scripts carry hostile paths as data', () => {
  let tmp: string
  let venv: string
  let python: string
  let folders: { raw: string; preprocessed: string; results: string }
  let settings: s.Settings
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-hostile-scripts-'))
    venv = join(tmp, 'venv')
    python = await fakeVenv(venv)
    folders = { raw: join(tmp, HOSTILE[0]!, 'raw'), preprocessed: join(tmp, HOSTILE[1]!), results: join(tmp, HOSTILE[2]!) }
    await writePlannedDataset(folders.preprocessed, 'Dataset007_Liver')
    settings = s.settings.parse({ pythonPath: python, folders, device: 'cpu' })
  })
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('runs plan, training, find_best and predict with every path as one argument, and nothing else', async () => {
    const dataDir = join(tmp, 'app data')
    const study = join(tmp, `study ${HOSTILE[0]}`)
    const input = join(tmp, `in ${HOSTILE[2]}`)
    const output = join(tmp, `out ${HOSTILE[1]}`)
    const trainings = [0, 1].map((fold) => s.trainRequest.parse({ datasetId: 7, configuration: '2d', fold, epochs: 2, iterationsPerEpoch: 3 }))
    const built = await buildStudy(
      { plan: s.planRequest.parse({ datasetId: 7, configurations: ['2d'] }), trainings, thenFindBest: true, predict: s.predictRequest.parse({ datasetId: 7, input, output, configuration: '2d', folds: [0, 1] }) },
      settings,
      dataDir,
      study,
      { partition: 'gpu', preamble: 'echo preamble-ran >&2' },
    )
    const files = await writeStudy(built)
    for (const f of files.filter((f) => f.endsWith('.sh') || f.endsWith('.sbatch'))) execFileSync('bash', ['-n', f])

    // The interpreter by a variable; the trainer beside the scripts, not in the app's folder.
    const train = await readFile(join(study, 'train.sbatch'), 'utf8')
    expect(train).toContain(`NNUNET_PYTHON=\${NNUNET_PYTHON:-${python}}`)
    expect(train).not.toContain(dataDir)
    expect(train).toMatch(/run_training nnUNetv2_train 7 2d 1 -tr nnUNetTrainer_Wizard_2ep_3it /)
    expect(await readdir(join(study, 'trainers'))).toEqual(['nnUNetTrainer_Wizard_2ep_3it.py'])

    // Run from a clean folder, as a user would: the app's data folder gone, a plain environment.
    await rm(dataDir, { recursive: true, force: true })
    const cwd = join(tmp, 'cwd')
    await mkdir(cwd)
    const log = join(tmp, 'calls.log')
    const env = { PATH: '/usr/bin:/bin', HOME: tmp, FAKE_LOG: log }
    const out = execFileSync('bash', [join(study, 'run-all.sh')], { cwd, env, encoding: 'utf8' })
    expect(out).toContain('== Predict with 2d')
    const got = calls(await readFile(log, 'utf8'))
    // Each call: the console script (by its path in the venv, as its shebang runs it), then exactly the argv the app itself runs.
    const expected = built.jobs.flatMap((j) => j.tasks.map((task) => [join(venv, 'bin', task.command.tool.script), ...task.command.args]))
    expect(expected.map((a) => a[0]!.slice(venv.length + 5))).toEqual(TOOLS.slice(0, 2).concat(TOOLS.slice(1)))
    expect(got.map((c) => c.argv)).toEqual(expected)
    expect(got[4]!.argv).toContain(input)
    expect(got[4]!.argv).toContain(output)
    expect(got[4]!.argv[got[4]!.argv.indexOf('-i') + 1]).toBe(input)
    expect(got[4]!.argv[got[4]!.argv.indexOf('-o') + 1]).toBe(output)
    for (const c of got) expect(c.env).toEqual([folders.raw, folders.preprocessed, folders.results, join(study, 'trainers')])
    // No injected command ran, anywhere.
    for (const dir of [cwd, tmp, study]) expect((await readdir(dir)).filter((n) => n.startsWith('pwned'))).toEqual([])
    expect(existsSync(join(tmp, 'x'))).toBe(false)
  })

  it('NNUNET_PYTHON picks another interpreter', async () => {
    const other = await fakeVenv(join(tmp, 'other-venv'))
    const study = join(tmp, 'study-other')
    const built = await buildStudy({ trainings: [s.trainRequest.parse({ datasetId: 7, configuration: '2d', fold: 0, epochs: 2 })] }, settings, join(tmp, 'data2'), study)
    await writeStudy(built)
    const log = join(tmp, 'other.log')
    execFileSync('bash', [join(study, 'train.sbatch'), '0'], { env: { PATH: '/usr/bin:/bin', FAKE_LOG: log, NNUNET_PYTHON: other } })
    expect(calls(await readFile(log, 'utf8'))[0]!.argv[0]).toBe(join(tmp, 'other-venv', 'bin', 'nnUNetv2_train'))
  })

  it('a control character in a path, a name or a preamble line is refused by name before anything is written', async () => {
    const trainings = [s.trainRequest.parse({ datasetId: 7, configuration: '2d', fold: 0 })]
    const cases: [string, () => Promise<unknown>, RegExp][] = [
      ['--out', () => buildStudy({ trainings }, settings, join(tmp, 'd'), join(tmp, 'out\ntouch pwned5')), /log folder .*out\\ntouch pwned5.* holds a newline/],
      ['--base', () => buildStudy({ trainings }, s.settings.parse({ ...settings, folders: { ...folders, raw: join(tmp, 'raw\ntouch pwned6') } }), join(tmp, 'd'), join(tmp, 'ok')), /value of nnUNet_raw .* holds a newline/],
      ['predict', () => buildStudy({ trainings, predict: s.predictRequest.parse({ datasetId: 7, input: join(tmp, 'in\rx'), output: join(tmp, 'o'), configuration: '2d' }) }, settings, join(tmp, 'd'), join(tmp, 'ok')), /holds a carriage return/],
      ['preamble', () => buildStudy({ trainings }, settings, join(tmp, 'd'), join(tmp, 'ok'), { preamble: 'module load x\u001b[2J' }), /preamble line 1 .* holds the control character U\+001B/],
      ['sbatch arg', () => buildStudy({ trainings }, settings, join(tmp, 'd'), join(tmp, 'ok'), { sbatchArgs: ['--comment=a\u0007'] }), /sbatch option .* holds the control character U\+0007/],
    ]
    for (const [what, run, message] of cases) await expect(run(), what).rejects.toThrow(message)
    expect(existsSync(join(tmp, 'ok'))).toBe(false)
    expect((await readdir(tmp)).filter((n) => n.startsWith('out'))).toEqual([])
  })
})
