// Issue 18: after `env --nnunet v1 --save` in another shell, `plan -d 501 --python <a v2 venv>`
// said "The nnU-Net folders are not set" although folders were set: v1's, which a v2 run does not
// read and which did not exist. The built CLI now says what is true and how to go on (exit 2,
// nothing ran). The v2 interpreter is a stand-in that answers the CLI's "which nnU-Net is
// installed" question as a v2 venv does (the version decision is what matters, not nnU-Net).
import { execFile } from 'node:child_process'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { builtCli } from '../helpers/builtCli'
import { REPO_ROOT } from '../helpers/python'

let tmp: string
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'nnw-folders-missing-'))
})
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

function cli(args: string[], data: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NNUNET_WIZARD_DATA: data }
  for (const k of ['nnUNet_raw', 'nnUNet_preprocessed', 'nnUNet_results', 'nnUNet_raw_data_base', 'RESULTS_FOLDER']) delete env[k]
  return new Promise((resolve) => {
    const [file, argv] = builtCli(args)
    execFile(file, argv, { cwd: REPO_ROOT, env, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }))
  })
}

describe('plan with nnU-Net folders remembered for the other version', () => {
  it('names the v1 folders, that they do not exist, why the run is v2, and the ways out', { timeout: 60_000 }, async () => {
    const data = join(tmp, 'data')
    const v1 = join(tmp, 'v1base')
    // (env also reports the interpreters it finds: exit 1 where none has nnU-Net v1; the folders are remembered all the same.)
    expect((await cli(['env', '--nnunet', 'v1', '--base', v1, '--save'], data)).stdout).toContain(`--raw ${join(v1, 'nnUNet_raw_data_base')}`)
    const python = join(tmp, 'venv', 'bin', 'python')
    await mkdir(join(tmp, 'venv', 'bin'), { recursive: true })
    await writeFile(python, '#!/bin/sh\necho \'NNUNET_WIZARD_HAS ["v2"]\'\n')
    await chmod(python, 0o755)

    const r = await cli(['plan', '-d', '501', '--python', python], data)
    expect(r.code).toBe(2)
    expect(r.stderr).not.toContain('are not set.')
    expect(r.stderr).toContain(`nnunet-wizard plan: no nnU-Net v2 folders are set. The folders remembered in ${join(data, 'settings.json')} are nnU-Net v1's (`)
    expect(r.stderr).toContain(`nnUNet_raw_data_base=${join(v1, 'nnUNet_raw_data_base')} (does not exist)`)
    expect(r.stderr).toContain(`RESULTS_FOLDER=${join(v1, 'nnUNet_trained_models')} (does not exist); none of them exists)`)
    expect(r.stderr).toContain(`this run is nnU-Net v2 (the interpreter ${python} has nnU-Net v2), which does not read v1's folders.`)
    expect(r.stderr).toContain('give --base DIR (v2\'s nnUNet_raw, nnUNet_preprocessed and nnUNet_results under DIR)')
    expect(r.stderr).toContain('nnunet-wizard env --create-folders DIR --nnunet v2')

    // With --nnunet v2 the same folders are named, and going back to v1 is offered too.
    const flagged = await cli(['plan', '-d', '501', '--nnunet', 'v2', '--python', python], data)
    expect(flagged.code).toBe(2)
    expect(flagged.stderr).toContain('this run is nnU-Net v2 (--nnunet v2)')
    expect(flagged.stderr).toContain("or, for v1's folders, --nnunet v1 with an interpreter that has nnU-Net v1.")
  })

  it('with nothing remembered, says where it looked', { timeout: 60_000 }, async () => {
    const data = join(tmp, 'empty')
    const r = await cli(['train', '-d', '501', '-c', '2d', '-f', '0', '--nnunet', 'v2', '--python', join(tmp, 'no-python')], data)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`no nnU-Net v2 folders are set (--nnunet v2): no --base or --raw/--preprocessed/--results, no nnUNet_raw, nnUNet_preprocessed and nnUNet_results in the environment, and none remembered in ${join(data, 'settings.json')}.`)
  })
})
