// A model exported by the app works with plain nnU-Net v2, on a computer without the app: the
// shared trained fixture (folds 0 and 1 of the generated trainer nnUNetTrainer_Wizard_2ep_2it) is
// exported with `model export` naming no trainer (the trained one is the default), then, in a
// clean folder with no app state and only nnU-Net's venv on PATH, the README inside the zip is
// followed literally: its shell blocks run as written (only the placeholder folders filled in),
// installing with nnUNetv2_install_pretrained_model_from_zip and predicting with nnUNetv2_predict.
// The segmentation (of one test case) must equal the one the app predicted with the same folds. Without the README's
// nnUNet_extTrainer line nnU-Net fails as it did before ("Could not find requested nnunet
// trainer"), so the carried trainer is what makes it work.
import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { builtCli } from '../helpers/builtCli'
import { readImage } from '../helpers/nifti'
import { oneTestCase } from '../helpers/oneTestCase'
import { nnunetPython, REPO_ROOT } from '../helpers/python'
import { FIXTURE_ID, FIXTURE_TRAINER, trainedFixture, type TrainedFixture } from './trainedFixture'

const py = nnunetPython('v2')

interface Ran {
  code: number
  stdout: string
  stderr: string
}

function run(file: string, args: string[], opts: { env: NodeJS.ProcessEnv; cwd: string }): Promise<Ran> {
  return new Promise((done) => {
    execFile(file, args, { ...opts, timeout: 1_200_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

function cli(args: string[], dataDir: string): Promise<Ran> {
  const env: NodeJS.ProcessEnv = { ...process.env, NNUNET_WIZARD_DATA: dataDir }
  for (const k of Object.keys(env)) if (/^nnUNet_/.test(k)) delete env[k]
  const [file, argv] = builtCli(args)
  return run(file, argv, { env, cwd: REPO_ROOT })
}

/** The zip's entries and one entry's text, read with the venv's Python (nothing of the app's). */
async function zipEntries(zip: string): Promise<string[]> {
  const r = await run(py.python!, ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', zip], { env: process.env, cwd: tmpdir() })
  expect(r.code, r.stderr).toBe(0)
  return r.stdout.trim().split('\n')
}
async function zipText(zip: string, name: string): Promise<string> {
  const r = await run(py.python!, ['-c', 'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())', zip, name], { env: process.env, cwd: tmpdir() })
  expect(r.code, r.stderr).toBe(0)
  return r.stdout
}

/** The shell lines of the README's ```bash blocks, in order. */
function bashLines(readme: string): string[] {
  return [...readme.matchAll(/```bash\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n')).filter((l) => l.trim())
}

describe.skipIf(!py.python)(`a model zip with plain nnU-Net v2 (no app) ${py.reason}`, () => {
  let tmp: string
  let fx: TrainedFixture
  let base: string[]
  let zip: string
  let readme: string
  let exported: Ran
  const model = `Dataset611_Results/${FIXTURE_TRAINER}__nnUNetPlans__2d/`

  // The export is shared: both tests read its zip, and each runs alone.
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'nnw-model-zip-'))
    fx = await trainedFixture(join(tmp, 'fixture'), py.python!)
    base = ['--python', py.python!, '--base', join(fx.base, 'nnunet'), '--device', 'cpu', '--workers', '1']
    zip = join(tmp, 'handed on', 'model.zip')
    exported = await cli(['model', 'export', '-d', String(FIXTURE_ID), '-c', '2d', '-o', zip, ...base], fx.dataDir)
    if (exported.code === 0) readme = await zipText(zip, `${model}README.md`)
  }, 3_600_000)
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('model export with no --trainer exports the trained generated trainer, its code and a README', { timeout: 900_000 }, async () => {
    const ex = exported
    expect(ex.code, ex.stderr + ex.stdout).toBe(0)
    // The job's log goes to stdout; the summary after it to stderr, like every job command.
    expect(ex.stderr).toContain(`It carries the code of ${FIXTURE_TRAINER} (not shipped with nnU-Net)`)
    const entries = await zipEntries(zip)
    expect(entries).toEqual(expect.arrayContaining([`${model}fold_0/checkpoint_final.pth`, `${model}fold_1/checkpoint_final.pth`, `${model}README.md`, `${model}trainer/${FIXTURE_TRAINER}.py`]))
    // No half-written zip is left beside it.
    expect(await readdir(dirname(zip))).toEqual(['model.zip'])
    expect(readme).toContain('nnUNetv2_install_pretrained_model_from_zip model.zip')
    expect(readme).toContain(`export nnUNet_extTrainer="$nnUNet_results/${model}trainer"`)
    expect(readme).toContain(`nnUNetv2_predict -i INPUT_FOLDER -o OUTPUT_FOLDER -d ${FIXTURE_ID} -c 2d -tr ${FIXTURE_TRAINER} -p nnUNetPlans -f 0 1`)
    expect(await zipText(zip, `${model}trainer/${FIXTURE_TRAINER}.py`)).toMatch(new RegExp(`^class ${FIXTURE_TRAINER}\\(`, 'm'))
  })

  it("in a clean folder, the README's commands install and predict with plain nnU-Net: the app's segmentation", { timeout: 1_200_000 }, async () => {
    expect(exported.code, exported.stderr + exported.stdout).toBe(0)
    const clean = join(tmp, 'colleague')
    await mkdir(join(clean, 'home'), { recursive: true })
    await copyFile(zip, join(clean, 'model.zip'))
    // One of the fixture's two test cases (the README's predict line is the same for any number).
    const input = join(clean, 'input')
    const seg = await oneTestCase(join(fx.datasetDir, 'imagesTs'), input)
    const out = join(clean, 'segmentations')
    // Nothing of the app: no NNUNET_WIZARD_*, no nnUNet_* from this shell, an empty HOME, and only
    // the venv's bin (its nnUNetv2_* console scripts) before the system's PATH. The test run's
    // OpenMP wait policy is kept (vitest.config.ts: passive; nothing of the app): with torch's
    // threads spinning, this prediction took minutes of CPU on a busy 2-core machine.
    const env: NodeJS.ProcessEnv = { PATH: `${dirname(py.python!)}:/usr/bin:/bin`, HOME: join(clean, 'home'), LANG: 'C.UTF-8', nnUNet_n_proc_DA: '1', ...(process.env.OMP_WAIT_POLICY && { OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY }) }
    const script = bashLines(readme)
      .map((l) => l.replace('/path/to/nnUNet_results', join(clean, 'nnUNet_results')).replace('INPUT_FOLDER', JSON.stringify(input)).replace('OUTPUT_FOLDER', JSON.stringify(out)))
      .map((l) => (l.startsWith('nnUNetv2_predict ') ? `${l} -device cpu -npp 1 -nps 1` : l))
    expect(script.some((l) => l.startsWith('nnUNetv2_install_pretrained_model_from_zip'))).toBe(true)

    // Without the trainer's folder on nnUNet_extTrainer, plain nnU-Net cannot load the model (the finding).
    const without = await run('bash', ['-euc', script.filter((l) => !l.includes('nnUNet_extTrainer')).join('\n')], { env, cwd: clean })
    expect(without.code).not.toBe(0)
    expect(without.stdout + without.stderr).toContain('Could not find requested nnunet trainer')

    await rm(out, { recursive: true, force: true })
    const r = await run('bash', ['-euc', script.join('\n')], { env, cwd: clean })
    expect(r.code, r.stdout.slice(-3000) + r.stderr.slice(-3000)).toBe(0)
    const made = (await readdir(out)).filter((n) => n.endsWith('.nii.gz')).sort()
    expect(made).toEqual([seg])
    expect((await readdir(fx.predictions)).filter((n) => n.endsWith('.nii.gz'))).toContain(seg)
    for (const name of made) {
      const [a, b] = await Promise.all([readImage(join(out, name)), readImage(join(fx.predictions, name))])
      expect(a.size).toEqual(b.size)
      expect(Array.from(a.data as ArrayLike<number>)).toEqual(Array.from(b.data as ArrayLike<number>))
    }
  })
})
