// When runs of the one run queue may go side by side. Trainings given their own GPUs (one fold
// per GPU, through CUDA_VISIBLE_DEVICES) do not get in each other's way; everything else (a plan,
// a prediction, find_best, a training without GPUs named) takes the whole machine and runs alone.
// Queue order still holds among runs that collide: nothing overtakes a waiting run it collides
// with, so a fold for GPU 1 may pass a fold waiting for GPU 0, but find_best queued after the
// folds waits for all of them.
import type { QueueEntry } from './api'

/** The GPUs a run keeps to itself; undefined: it needs the whole machine. */
export function entryGpus(entry: QueueEntry): readonly number[] | undefined {
  return entry.kind === 'train' && entry.request.gpus?.length ? entry.request.gpus : undefined
}

/** Two runs collide unless both are trainings on disjoint sets of GPUs. */
export function collides(a: QueueEntry, b: QueueEntry): boolean {
  const ga = entryGpus(a)
  const gb = entryGpus(b)
  return !ga || !gb || ga.some((g) => gb.includes(g))
}

/** What keeps waiting[index] from starting: the running runs it collides with, and the nearest waiting run ahead of it that it collides with. */
export function blockers(index: number, waiting: readonly QueueEntry[], running: readonly QueueEntry[]): { running: QueueEntry[]; ahead?: QueueEntry } {
  const entry = waiting[index]!
  const ahead = waiting.slice(0, index).filter((w) => collides(entry, w)).pop()
  return { running: running.filter((r) => collides(entry, r)), ...(ahead ? { ahead } : {}) }
}

/** waiting[index] may start now: it collides with nothing running and nothing waiting ahead of it. */
export function mayStart(index: number, waiting: readonly QueueEntry[], running: readonly QueueEntry[]): boolean {
  const b = blockers(index, waiting, running)
  return !b.ahead && b.running.length === 0
}

/** "GPU 0", "GPUs 0, 2". */
export function gpuText(gpus: readonly number[]): string {
  return `GPU${gpus.length === 1 ? '' : 's'} ${gpus.join(', ')}`
}

const quoted = (entries: readonly QueueEntry[]) => entries.map((e) => `"${e.title}"`).join(' and ')

/**
 * What waiting[index] waits for, in words; undefined when nothing blocks it. Between runs that
 * each need the whole machine it is the run just ahead ("starts after ..."), as it always was;
 * with GPUs involved it says which GPUs, or that it needs the whole machine.
 */
export function waitText(index: number, waiting: readonly QueueEntry[], running: readonly QueueEntry[]): string | undefined {
  const entry = waiting[index]!
  const b = blockers(index, waiting, running)
  const mine = entryGpus(entry)
  if (mine) {
    const by = b.ahead ?? b.running[0]
    if (!by) return undefined
    const theirs = entryGpus(by)
    const why = theirs ? `both use ${gpuText(theirs.filter((g) => mine.includes(g)))}` : 'which needs the whole machine'
    return `waits for ${gpuText(mine)}: starts after "${by.title}" (${why})`
  }
  const gpuRuns = [...b.running, ...waiting.slice(0, index)].filter((e) => entryGpus(e))
  if (gpuRuns.length === 0) {
    const by = b.ahead ?? b.running[0]
    return by ? `starts after "${by.title}"` : undefined
  }
  // Trainings on separate GPUs end in any order: it waits for every one of them.
  if (b.ahead) {
    const n = index + b.running.length
    return `needs the whole machine: starts once the ${n} run${n === 1 ? '' : 's'} ahead of it ${n === 1 ? 'has' : 'have'} ended`
  }
  return `needs the whole machine: starts after ${quoted(b.running)}`
}
