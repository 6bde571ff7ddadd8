// Command-line flags that meant two things, or exits --help did not list (issue 19.12), and a
// newline in export-scripts' --out or --base refused by name (issue 19.6), on the built CLI.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { builtCli } from '../helpers/builtCli'
import { cliEnv } from '../dataset/prepareCli'
import { writePlannedDataset } from '../helpers/plannedDataset'

let tmp: string
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cli-flags-'))
})
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

function cli(args: string[]) {
  const [file, argv] = builtCli(args)
  return spawnSync(file, argv, { env: cliEnv(join(tmp, 'appdata')), encoding: 'utf8', timeout: 60_000 })
}

describe('the CLI', () => {
  it('trainer create: --base is the folders\' base as everywhere; the trainer to extend is --base-trainer', () => {
    const r = cli(['trainer', 'create', '--base', 'nnUNetTrainer', '--epochs', '2'])
    expect(r.status, r.stderr).toBe(2)
    expect(r.stderr).toContain('--base is the folder that holds the nnU-Net folders; the trainer to extend is --base-trainer nnUNetTrainer.')
    const help = cli(['trainer', '--help'])
    expect(help.stdout + help.stderr).toContain('--base-trainer TRAINER')
  })

  it('prepare --help lists the exit of a closed terminal (SIGHUP, 129)', () => {
    const r = cli(['prepare', '--help'])
    expect(r.stdout + r.stderr).toMatch(/129 the terminal closed \(SIGHUP/)
  })

  it('export-scripts refuses a newline in --out or --base by name, and writes nothing', async () => {
    for (const base of ['nnunet', 'nn\nunet']) await writePlannedDataset(join(tmp, base, 'nnUNet_preprocessed'), 'Dataset007_Liver')
    const out = join(tmp, 'scripts\ntouch pwned')
    const r = cli(['export-scripts', '-d', '7', '-c', '2d', '-f', '0', '--out', out, '--base', join(tmp, 'nnunet')])
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('holds a newline, which a bash or sbatch script cannot carry safely')
    expect(existsSync(out)).toBe(false)
    const b = cli(['export-scripts', '-d', '7', '-c', '2d', '-f', '0', '--out', join(tmp, 'ok'), '--base', join(tmp, 'nn\nunet')])
    expect(b.status).toBe(1)
    expect(b.stderr).toMatch(/"[^"]*nn\\nunet[^"]*" holds a newline/)
    expect(existsSync(join(tmp, 'ok'))).toBe(false)
  })
})
