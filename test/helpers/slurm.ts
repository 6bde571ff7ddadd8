// Whether a real SLURM cluster answers here (scripts/slurm-up.sh starts a one-node one). Without it
// the SLURM tests skip with the reason, unless NNUNET_WIZARD_REQUIRE_SLURM=1 (.ci/run sets it after
// starting the cluster): then a missing cluster is an error, never a silent skip.
import { spawnSync } from 'node:child_process'
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
