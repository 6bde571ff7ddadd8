// `nnunet-wizard train -f 0,1,2,3,4`: several folds in one command, through the service's run
// queue like the app's "Queue folds". With one --gpu per fold wanted (--gpu 0 --gpu 1), fold i
// gets the i-th GPU in turn (shared/gpuAssign.ts) and folds on different GPUs train side by side;
// otherwise they train one after another. The log lines of each fold are prefixed with it, the
// live line shows every running fold, Ctrl-C cancels them all.
import type { JobInfo, JobRef } from '../../shared/api'
import type { TrainRequest } from '../../shared/schema'
import { assignGpus } from '../../shared/gpuAssign'
import { epochText, progressText } from './support'
import { stopOnSignal } from './stopOnSignal'
import type { Service } from '../service'
import { toApiError } from '../transport/errors'

/** One request per fold: round robin over the GPUs, unless -num_gpus makes each fold one run over all of them. */
export function foldRequests(base: TrainRequest, folds: readonly TrainRequest['fold'][]): TrainRequest[] {
  const { gpus, numGpus, ...rest } = base
  const perFold = folds.map((fold) => ({ ...rest, fold }))
  if (!gpus?.length) return perFold
  return numGpus ? perFold.map((r) => ({ ...r, gpus, numGpus })) : assignGpus(perFold, gpus, 'per-fold')
}

const foldName = (r: TrainRequest) => `fold ${r.fold}${r.gpus?.length ? ` (GPU${r.gpus.length === 1 ? '' : 's'} ${r.gpus.join(',')})` : ''}`

/** Queues the folds' trainings, shows them until all have ended; resolves with the exit code. */
export async function runFolds(service: Service, requests: readonly TrainRequest[], json: boolean, summary: (result: unknown) => string[]): Promise<number> {
  const jobs = service.jobs
  const tty = process.stderr.isTTY === true && !json
  const logOut = json ? process.stderr : process.stdout
  const names = new Map<string, string>()
  const status = new Map<string, string>()
  const clear = () => {
    if (tty && status.size) process.stderr.write('\r\x1b[2K')
  }
  const redraw = () => {
    if (tty && status.size) process.stderr.write(`\r\x1b[2K${[...status.values()].join(' | ').slice(0, (process.stderr.columns || 100) - 1)}`)
  }
  const off = jobs.onEvent((e) => {
    const name = 'jobId' in e ? names.get(e.jobId) : undefined
    if (!name) return
    if (e.type === 'log') {
      clear()
      for (const l of e.lines) if (!l.partial) (l.stream === 'stderr' ? process.stderr : logOut).write(`[${name}] ${l.text}\n`)
      redraw()
    } else if (e.type === 'progress') {
      status.set(e.jobId, `${name}: ${progressText(e.progress)}`)
      redraw()
    } else if (e.type === 'metrics' && e.metrics.epochSeconds !== undefined && !json) {
      clear()
      process.stderr.write(`>> [${name}] ${epochText(e.metrics)}\n`)
      redraw()
    }
  })
  const started: JobRef[] = []
  // SIGINT, SIGTERM, SIGHUP: every fold's nnU-Net is stopped, then exit 128 + the signal (stopOnSignal.ts).
  const stop = stopOnSignal('train', jobs)
  try {
    // One by one, so the queue holds them in fold order; each job is made at once and waits its turn.
    for (const r of requests) {
      const ref = await service.train(r)
      names.set(ref.jobId, foldName(r))
      started.push(ref)
    }
  } catch (err) {
    for (const { jobId } of started) jobs.cancel(jobId)
    stop.off()
    off()
    const e = toApiError(err)
    if (json) console.log(JSON.stringify({ state: 'refused', error: e.message, code: e.code, guidance: e.findings ?? [] }, null, 2))
    else process.stderr.write(`nnunet-wizard train: ${e.message}\n`)
    return e.code === 'plan-first' ? 2 : 1
  }
  const done: JobInfo[] = await Promise.all(started.map(({ jobId }) => jobs.wait(jobId)))
  off()
  clear()
  if (json) {
    console.log(JSON.stringify(done.map((d, i) => ({ fold: requests[i]!.fold, gpus: requests[i]!.gpus, state: d.state, error: d.error, result: d.result, log: d.logFile })), null, 2))
  } else {
    done.forEach((d, i) => {
      const name = foldName(requests[i]!)
      process.stderr.write(`${name}: ${d.state}${d.state === 'failed' ? ` (${d.error ?? 'see its log'})` : ''}\n`)
      if (d.state === 'done') for (const line of summary(d.result)) process.stderr.write(`  ${line}\n`)
      if (d.logFile) process.stderr.write(`  log: ${d.logFile}\n`)
    })
  }
  if (stop.signal) return stop.exitCode()!
  stop.off()
  if (done.some((d) => d.state === 'failed')) return 1
  return done.every((d) => d.state === 'done') ? 0 : 130
}
