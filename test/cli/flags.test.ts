// Flags every command parses the same way (electron/cli/common.ts): a flag that takes one value
// given twice is refused by name (node's parseArgs kept the last one silently, so
// `train -f 0 -f 1 --scheduler slurm` trained fold 1 only), -f given twice where it takes a fold
// list means both folds, and `results --test <missing folder>` fails naming the folder.
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseFlags, UsageError } from '../../electron/cli/common'
import { builtCli } from '../helpers/builtCli'
import { REPO_ROOT } from '../helpers/python'

function cli(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NNUNET_WIZARD_DATA: dataDir }
    for (const k of Object.keys(env)) if (/^nnUNet_/.test(k)) delete env[k]
    const [file, argv] = builtCli(args)
    execFile(file, argv, { cwd: REPO_ROOT, env, timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

const options = {
  dataset: { type: 'string', short: 'd' },
  fold: { type: 'string', short: 'f' },
  gpu: { type: 'string', multiple: true },
  json: { type: 'boolean' },
} as const

describe('parseFlags', () => {
  it('refuses a one-value flag given twice, naming it and both values', () => {
    expect(() => parseFlags(['-d', '7', '--dataset', '8'], options)).toThrow(UsageError)
    expect(() => parseFlags(['-d', '7', '--dataset', '8'], options)).toThrow('-d/--dataset was given 2 times ("7" and "8"); it takes one value: give it once.')
  })
  it('joins -f given twice into one fold list (-f 0 -f 1 = -f 0,1)', () => {
    expect(parseFlags(['-d', '7', '-f', '0', '-f', '1,2'], options).fold).toBe('0,1,2')
    expect(parseFlags(['-f', '3'], options).fold).toBe('3')
  })
  it('keeps multiple flags and repeated switches as they were', () => {
    expect(parseFlags(['--gpu', '0', '--gpu', '1', '--json', '--json'], options)).toEqual({ gpu: ['0', '1'], json: true })
  })
})

describe('the commands', () => {
  let data: string
  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), 'nnw-flags-'))
  })
  afterAll(async () => {
    await rm(data, { recursive: true, force: true })
  })

  it('train --scheduler slurm with -d twice is refused before anything is submitted', async () => {
    const r = await cli(['train', '-d', '7', '-d', '8', '-c', '2d', '-f', '0', '-f', '1', '--scheduler', 'slurm'], data)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('-d/--dataset was given 2 times ("7" and "8")')
  })

  it('predict -c twice is refused by name', async () => {
    const r = await cli(['predict', '-i', data, '-o', join(data, 'out'), '-d', '7', '-c', '2d', '-c', '3d_fullres'], data)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('-c/--configuration was given 2 times ("2d" and "3d_fullres")')
  })

  it('results --test <missing folder> --evaluate fails naming the folder', async () => {
    const missing = join(data, 'no such predictions')
    const r = await cli(['results', '-d', '7', '--test', missing, '--evaluate', '--base', join(data, 'nnunet')], data)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`--test ${missing}: no such folder`)
  })
})
