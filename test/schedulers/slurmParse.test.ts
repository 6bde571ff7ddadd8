// What the SLURM scheduler reads from SLURM's commands (scontrol -o lines as slurm-wlm 22.05
// prints them, sacct -P lines) and the flags of `train --scheduler slurm`.
import { describe, expect, it } from 'vitest'
import { expandTaskIds, parseDuration, parseSacct, parseScontrol } from '../../electron/schedulers/slurm'
import { listOf, slurmFromFlags } from '../../electron/cli/slurmFlags'
import { ended, stateText } from '../../electron/schedulers/types'

// Copied from `scontrol show job -o 5` on the test cluster (scripts/slurm-up.sh), shortened.
const PENDING_TASKS = 'JobId=5 ArrayJobId=5 ArrayTaskId=2-3 JobName=wrap UserId=root(0) JobState=PENDING Reason=Resources Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 ExitCode=0:0 RunTime=00:00:00 NodeList= StdOut=/tmp/slurmt-5_2.log'
const RUNNING_TASK = 'JobId=7 ArrayJobId=5 ArrayTaskId=1 JobName=wrap UserId=root(0) JobState=RUNNING Reason=None Dependency=(null) Requeue=1 Restarts=1 BatchFlag=1 ExitCode=0:0 RunTime=01:02:03 NodeList=vm BatchHost=vm'
const FAILED_JOB = 'JobId=8 JobName=d601-plan UserId=root(0) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 ExitCode=1:0 RunTime=1-00:03:25 NodeList=vm'

describe('SLURM output', () => {
  it('reads every task of an array, pending ones sharing a line included', () => {
    const tasks = parseScontrol([PENDING_TASKS, RUNNING_TASK, FAILED_JOB].join('\n'))
    expect(tasks.map((t) => t.id)).toEqual(['5_1', '5_2', '5_3', '8'])
    expect(tasks[0]).toMatchObject({ state: 'RUNNING', node: 'vm', elapsedSeconds: 3723, restarts: 1, exitCode: 0 })
    expect(tasks[1]).toMatchObject({ state: 'PENDING', reason: 'Resources' })
    expect(tasks[1]!.node).toBeUndefined()
    expect(tasks[3]).toMatchObject({ state: 'FAILED', exitCode: 1, elapsedSeconds: 86400 + 205, reason: 'NonZeroExitCode' })
  })

  it('expands task lists, ranges, steps and throttles', () => {
    expect(expandTaskIds('0-2')).toEqual([0, 1, 2])
    expect(expandTaskIds('[1,4-5]%1')).toEqual([1, 4, 5])
    expect(expandTaskIds('0-6:3')).toEqual([0, 3, 6])
    expect(parseDuration('5:07')).toBe(307)
    expect(parseDuration('garbage')).toBeUndefined()
  })

  it('reads sacct lines and leaves out the summary of pending array tasks', () => {
    const t = parseSacct('12_0|COMPLETED|vm|65|0:0\n12_[1-2]|PENDING|None assigned|0|0:0\n13|CANCELLED by 0|vm|3|0:15\n')
    expect(t).toEqual([
      { id: '12_0', state: 'COMPLETED', node: 'vm', elapsedSeconds: 65, exitCode: 0 },
      { id: '13', state: 'CANCELLED', node: 'vm', elapsedSeconds: 3, exitCode: 0 },
    ])
  })

  it('says a state in words, and which states are final (a requeued task is not)', () => {
    expect(stateText({ id: '5_1', state: 'RUNNING', node: 'vm', elapsedSeconds: 3723, restarts: 1 })).toBe('SLURM RUNNING, on vm, 01:02:03, requeued 1x')
    expect(stateText({ id: '5_2', state: 'PENDING', reason: 'Dependency' })).toBe('SLURM PENDING, (Dependency)')
    expect(ended('REQUEUED')).toBe(false)
    expect(ended('PENDING')).toBe(false)
    expect(ended('TIMEOUT')).toBe(true)
  })
})

describe('train --scheduler slurm flags', () => {
  it('turns the flags into checked sbatch options', () => {
    const r = slurmFromFlags({ scheduler: 'slurm', partition: 'gpu', gpus: '1', cpus: '8', mem: '32G', time: '2-00:00:00', account: 'lab', qos: 'normal', 'sbatch-arg': ['--constraint=a100'], preamble: ['module load cuda', 'conda activate nnunet'] })
    expect(r).toEqual({ scheduler: 'slurm', slurm: { partition: 'gpu', gpus: 1, cpus: 8, mem: '32G', time: '2-00:00:00', account: 'lab', qos: 'normal', sbatchArgs: ['--constraint=a100'], preamble: 'module load cuda\nconda activate nnunet' } })
  })

  it('names the flag that is wrong', () => {
    expect(() => slurmFromFlags({ scheduler: 'pbs' })).toThrow(/--scheduler is local or slurm, got "pbs"/)
    expect(() => slurmFromFlags({ time: 'two days' })).toThrow(/--time: a time like 2-00:00:00/)
    expect(() => slurmFromFlags({ mem: '32 gigs' })).toThrow(/--mem: memory like 32G/)
    expect(() => slurmFromFlags({ 'sbatch-arg': ['constraint=a100'] })).toThrow(/--sbatch-arg/)
    expect(() => slurmFromFlags({ partition: 'gpu; rm -rf /' })).toThrow(/--partition/)
    expect(() => listOf('-f', '0,0')).toThrow(/names an item twice/)
  })
})
