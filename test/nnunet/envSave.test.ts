// The CLI remembers: `env --save` (and `env --create-folders`) write --python and the nnU-Net
// folders to the app's own settings file, and a later command given neither flag uses them.
import { execFile, execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { builtCli } from '../helpers/builtCli'
import { REPO_ROOT } from '../helpers/python'

function cli(args: string[], data: string): Promise<{ code: number; stdout: string; stderr: string }> {
  // The nnU-Net variables of the shell running the tests must not stand in for the saved folders.
  const env: NodeJS.ProcessEnv = { ...process.env, NNUNET_WIZARD_DATA: data }
  for (const k of ['nnUNet_raw', 'nnUNet_preprocessed', 'nnUNet_results', 'nnUNet_raw_data_base', 'RESULTS_FOLDER']) delete env[k]
  return new Promise((resolve) => {
    const [file, argv] = builtCli(args)
    execFile(file, argv, { cwd: REPO_ROOT, env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
  })
}

// A real interpreter to remember (any python; nnU-Net need not be installed in it).
const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim()

let tmp: string
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'nnw-env-save-'))
})
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

describe('nnunet-wizard env --save', () => {
  it('remembers --python and --base in the app settings; train and env then need neither', { timeout: 240_000 }, async () => {
    const data = join(tmp, 'data')
    const base = join(tmp, 'nnunet')
    const before = await cli(['train', '-d', '7', '-c', '2d', '-f', '0'], data)
    expect(before.stderr).not.toContain(join(base, 'nnUNet_raw'))

    const saved = await cli(['env', '--python', python, '--base', base, '--save'], data)
    const settingsFile = join(data, 'settings.json')
    expect(saved.stdout).toContain(`Remembered in ${settingsFile}:`)
    expect(saved.stdout).toContain(`--python ${python}`)
    expect(saved.stdout).toContain(`--raw ${join(base, 'nnUNet_raw')}`)
    expect(JSON.parse(await readFile(settingsFile, 'utf8'))).toMatchObject({ pythonPath: python, folders: { raw: join(base, 'nnUNet_raw'), results: join(base, 'nnUNet_results') } })

    // No flags: the remembered folders are the ones train looks in ("plan first", before nnU-Net starts).
    const train = await cli(['train', '-d', '7', '-c', '2d', '-f', '0'], data)
    expect(train.code).toBe(2)
    expect(train.stderr).toContain(`Dataset 7 is not in the nnU-Net folders (${join(base, 'nnUNet_raw')})`)
    expect(train.stderr).not.toContain('Traceback')
    // And env shows the remembered interpreter as the chosen one.
    const env = await cli(['env'], data)
    expect(env.stdout).toContain(`* ${python}  [chosen]`)
  })

  it('refuses to remember a --python that does not exist, and writes nothing', { timeout: 120_000 }, async () => {
    const data = join(tmp, 'data3')
    const missing = join(tmp, 'no-venv', 'bin', 'python')
    const r = await cli(['env', '--python', missing, '--save'], data)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`--python ${missing} does not exist, so it was not remembered`)
    await expect(readFile(join(data, 'settings.json'), 'utf8')).rejects.toThrow(/ENOENT/)
  })

  it('--create-folders remembers the folders it made', { timeout: 120_000 }, async () => {
    const data = join(tmp, 'data2')
    const base = join(tmp, 'made')
    const r = await cli(['env', '--create-folders', base], data)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`Remembered in ${join(data, 'settings.json')}:`)
    expect(JSON.parse(await readFile(join(data, 'settings.json'), 'utf8'))).toMatchObject({ nnunetVersion: 'v2', folders: { preprocessed: join(base, 'nnUNet_preprocessed') } })
  })
})
