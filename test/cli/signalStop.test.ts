// Issue 18 (issue 17 item 3): `nnunet-wizard predict ...` killed with SIGTERM (kill, `timeout`)
// or SIGHUP (a closed terminal) left nnUNetv2_predict running with PPID 1. The built CLI, the real
// runner and the real service; the interpreter is a stand-in (a shell script given as --python)
// that records its pid and sleeps where nnU-Net would predict, since a real prediction is not
// what is tested: that the process group the CLI started is gone when the CLI exits.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { builtCli } from '../helpers/builtCli'
import { REPO_ROOT } from '../helpers/python'

let base: string
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'nnw-signal-'))
  for (const f of ['raw/Dataset007_Liver/imagesTs', 'pre', 'results/Dataset007_Liver/nnUNetTrainer__nnUNetPlans__2d/fold_0', 'venv/bin']) await mkdir(join(base, f), { recursive: true })
  await writeFile(join(base, 'raw/Dataset007_Liver/imagesTs/liver_009_0000.nii.gz'), '')
  await writeFile(join(base, 'results/Dataset007_Liver/nnUNetTrainer__nnUNetPlans__2d/fold_0/checkpoint_final.pth'), '')
  // Finished means validated too (foldCompletion).
  await mkdir(join(base, 'results/Dataset007_Liver/nnUNetTrainer__nnUNetPlans__2d/fold_0/validation'), { recursive: true })
  await writeFile(join(base, 'results/Dataset007_Liver/nnUNetTrainer__nnUNetPlans__2d/fold_0/validation/summary.json'), '{}')
})
afterAll(async () => {
  await rm(base, { recursive: true, force: true })
})

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function until(what: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (!what()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('the CLI killed while nnU-Net runs', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s: stops the nnU-Net process it started, says so, exits %i', { timeout: 40_000 }, async (signal, code) => {
    const dir = join(base, signal)
    const python = join(dir, 'python')
    const pidFile = join(dir, 'pid')
    await mkdir(dir, { recursive: true })
    // exec: the sleeping process is the one the runner started (the process-group leader), as nnUNetv2_predict is.
    await writeFile(python, `#!/bin/sh\necho $$ > "${pidFile}.tmp" && mv "${pidFile}.tmp" "${pidFile}"\nexec sleep 60\n`)
    await chmod(python, 0o755)
    const [file, args] = builtCli(['predict', '-i', join(base, 'raw/Dataset007_Liver/imagesTs'), '-o', join(dir, 'out'), '-d', '7', '-c', '2d', '--python', python, '--nnunet', 'v2', '--raw', join(base, 'raw'), '--preprocessed', join(base, 'pre'), '--results', join(base, 'results')])
    const env: NodeJS.ProcessEnv = { ...process.env, NNUNET_WIZARD_DATA: join(dir, 'data') }
    const cli = spawn(file, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    cli.stdout.resume()
    const exited = new Promise<number | null>((r) => cli.on('exit', (c) => r(c)))
    let nnunet = 0
    try {
      await until(() => existsSync(pidFile), 20_000)
      nnunet = Number(readFileSync(pidFile, 'utf8').trim())
      expect(alive(nnunet)).toBe(true)
      cli.kill(signal)
      expect(await exited).toBe(code)
      expect(alive(nnunet)).toBe(false)
      expect(stderr).toContain(`nnunet-wizard predict: ${signal} received: stopping nnU-Net and its worker processes`)
      expect(stderr).toContain(`nnU-Net stopped; exiting with ${code} (${signal}).`)
    } finally {
      if (nnunet && alive(nnunet)) process.kill(nnunet, 'SIGKILL')
      if (cli.exitCode === null) cli.kill('SIGKILL')
    }
  })
})
