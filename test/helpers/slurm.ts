// Whether a real SLURM cluster answers here (scripts/slurm-up.sh starts a one-node one). Without it
// the SLURM tests skip with the reason, unless NNUNET_WIZARD_REQUIRE_SLURM=1 (.ci/run sets it after
// starting the cluster): then a missing cluster is an error, never a silent skip.
import { spawnSync } from 'node:child_process'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FAST_SKIP } from './python'

export interface TestSlurm {
  available: boolean
  reason: string
}

export function testSlurm(): TestSlurm {
  if (process.env.NNUNET_WIZARD_TEST_FAST === '1') return { available: false, reason: `(skipped: ${FAST_SKIP})` }
  const r = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', timeout: 30_000 })
  let why = ''
  if (r.error) why = `SLURM is not installed here (sinfo: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}); start a one-node cluster with sudo scripts/slurm-up.sh`
  else if (r.status !== 0) why = `the SLURM controller does not answer (${(r.stderr || r.stdout).trim()}); run sudo scripts/slurm-up.sh`
  else if (!/idle|mixed|alloc/.test(r.stdout)) why = `no SLURM node is up (sinfo: ${r.stdout.trim() || 'nothing'}); run sudo scripts/slurm-up.sh`
  if (!why) return { available: true, reason: '' }
  if (process.env.NNUNET_WIZARD_REQUIRE_SLURM === '1') throw new Error(`NNUNET_WIZARD_REQUIRE_SLURM=1 but ${why}.`)
  return { available: false, reason: `(skipped: ${why})` }
}

/**
 * The one-node test cluster, held by one test file at a time. `npm test` runs the integration
 * project beside Playwright, and both have SLURM files: sharing the node's 2 CPUs, one file's jobs
 * sit PENDING (Resources) behind the other's until its time limit (CI failed so in slurm.spec). A
 * lock folder in the temp dir, naming its holder's pid (a dead holder's lock is taken over);
 * holding it, the file then waits for the queue to drain of jobs left by anything else.
 * Returns the release.
 */
export async function holdSlurmNode(owner: string, { waitMs = 45 * 60_000 } = {}): Promise<() => Promise<void>> {
  const dir = join(tmpdir(), 'nnunet-wizard-test-slurm-node.lock')
  const started = Date.now()
  let said = false
  for (;;) {
    try {
      await mkdir(dir)
      await writeFile(join(dir, 'holder.json'), JSON.stringify({ owner, pid: process.pid, since: new Date().toISOString() }))
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const holder = await readFile(join(dir, 'holder.json'), 'utf8').then((t) => JSON.parse(t) as { owner: string; pid: number }, () => null)
      if (holder && !alive(holder.pid)) {
        await rm(dir, { recursive: true, force: true })
        continue
      }
      if (Date.now() - started > waitMs) throw new Error(`the test SLURM node stayed held by ${holder?.owner ?? 'another test'} for ${Math.round(waitMs / 60_000)} min (${dir})`)
      if (!said) console.error(`${owner}: waiting for the SLURM node (held by ${holder?.owner ?? 'another test'})`)
      said = true
      await sleep(2000)
    }
  }
  // Jobs someone else left (a killed run): give them a few minutes to end, then go on regardless.
  for (let i = 0; i < 150 && queued().length; i++) await sleep(2000)
  return async () => {
    await rm(dir, { recursive: true, force: true })
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function queued(): string[] {
  const r = spawnSync('squeue', ['-h', '-o', '%i'], { encoding: 'utf8', timeout: 30_000 })
  return r.status === 0 ? r.stdout.split('\n').filter((l) => l.trim()) : []
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
