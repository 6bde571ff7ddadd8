// The progress line of a task followed through a scheduler. The tool's own phase ("Starting
// nnU-Net: loading the plans, the network and the data loaders") is true only once its batch
// script runs; while SLURM still holds the task in its queue the line says so, with SLURM's
// reason (issue 18 walkthrough: Train said "loading the plans" for a job that was PENDING).
import type { Progress } from '../../shared/api'
import { stateText, type TaskState } from './types'

/** SLURM's common pending reasons, in words (squeue's REASON codes; others are shown as they are). */
const REASONS: Record<string, string> = {
  Priority: 'jobs with a higher priority go first',
  Resources: 'waiting for a node with the resources it asked for',
  Dependency: 'waiting for the job it depends on to finish',
  BeginTime: 'its start time has not come yet',
  QOSMaxJobsPerUserLimit: 'you have as many jobs running as your QOS allows',
  AssocMaxJobsLimit: 'your account has as many jobs running as it may',
  ReqNodeNotAvail: 'a node it asked for is not available',
  JobHeldUser: 'held by you (scontrol release)',
  JobHeldAdmin: 'held by an administrator',
}

/** The phase while the task has not started running: null once it has (the tool's own phase then). */
export function queuedPhase(state: TaskState | undefined): string | null {
  if (!state) return 'Submitted to SLURM: waiting for its first answer'
  if (state.state === 'PENDING' || state.state === 'REQUEUED') {
    const reason = state.reason && state.reason !== 'None' ? state.reason : ''
    const words = reason ? REASONS[reason.replace(/\(.*\)$/, '')] : undefined
    return `Pending in the SLURM queue${reason ? ` (${reason}${words ? `: ${words}` : ''})` : ''}; nnU-Net starts when SLURM runs it`
  }
  if (state.state === 'CONFIGURING') return `SLURM is setting up ${state.node ?? 'the node'}; nnU-Net starts next`
  if (state.state === 'SUSPENDED') return 'Suspended by SLURM; it continues when SLURM resumes it'
  return null
}

/** What the job's progress line shows: the tool's progress once it runs, the queue before. */
export function followedProgress(tool: Progress | undefined, state: TaskState | undefined): Progress {
  const message = state ? stateText(state) : 'SLURM: submitted'
  const waiting = queuedPhase(state)
  if (waiting) return { done: tool?.done ?? 0, total: tool?.total ?? 0, unit: tool?.unit ?? 'step', phase: waiting, message }
  return tool ? { ...tool, message } : { done: 0, total: 0, unit: 'step', message }
}
