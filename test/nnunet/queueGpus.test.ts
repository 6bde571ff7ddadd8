// Several GPUs end to end on the Node side, without a GPU: a fake nvidia-smi on PATH lists two,
// and a fake trainer (a stand-in for Python) records when it starts and ends, the GPUs its process
// sees and its argv, and leaves the files of a finished fold. Folds queued on GPUs 0, 1, 0 run two
// at a time through the real run queue and runTrain; a plan or find_best never runs beside anything.
import { chmodSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { QueueEntry } from '../../shared/api'
import { JobManager } from '../../electron/jobs/jobManager'
import { detectGpus } from '../../electron/nnunet/detect'
import { runTrain } from '../../electron/nnunet/pipeline'
import { newEntryId, RunQueue, type NewEntry } from '../../electron/nnunet/queue'
import * as s from '../../shared/schema'
import { writePlannedDataset } from '../helpers/plannedDataset'

const tmps: string[] = []
const path = process.env.PATH
afterAll(async () => {
  process.env.PATH = path
  for (const t of tmps) await rm(t, { recursive: true, force: true })
})

interface Record {
  event: 'start' | 'end'
  what: string
  t: number
  gpus?: string
  order?: string
  argv?: string
}

describe('folds side by side, one per GPU', () => {
  it('detects both GPUs, runs folds on disjoint GPUs at the same time, and the rest alone', { timeout: 90_000 }, async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'nnw-queue-gpus-'))
    tmps.push(tmp)
    const bin = join(tmp, 'bin')
    await mkdir(bin)
    // nvidia-smi as it answers detect.ts's query on a machine with two GPUs.
    await writeFile(join(bin, 'nvidia-smi'), `#!/bin/sh\nprintf 'NVIDIA A100-SXM4-40GB, 40960, 535.104.05\\nNVIDIA A100-SXM4-40GB, 40960, 535.104.05\\n'\n`)
    chmodSync(join(bin, 'nvidia-smi'), 0o755)
    process.env.PATH = `${bin}${delimiter}${path ?? ''}`
    expect(await detectGpus()).toEqual([
      { name: 'NVIDIA A100-SXM4-40GB', memoryMiB: 40960, driver: '535.104.05' },
      { name: 'NVIDIA A100-SXM4-40GB', memoryMiB: 40960, driver: '535.104.05' },
    ])

    const folders = { raw: join(tmp, 'raw'), preprocessed: join(tmp, 'pre'), results: join(tmp, 'res') }
    for (const d of Object.values(folders)) await mkdir(d, { recursive: true })
    await writePlannedDataset(folders.preprocessed, 'Dataset004_Liver')
    const records = join(tmp, 'runs.jsonl')
    const note = (r: Record) => writeFile(records, `${JSON.stringify(r)}\n`, { flag: 'a' })
    // The fake trainer, run as "python [-B -P] -c <nnU-Net's entry point> ARGS": it trains for
    // 1.5 s and leaves what a finished v2 fold holds (the final checkpoint and validation summary).
    const fake = join(bin, 'python')
    await writeFile(
      fake,
      `#!${process.execPath}
const fs = require('node:fs'), path = require('node:path')
const args = process.argv.slice(process.argv.indexOf('-c') + 2)
const note = (event) => fs.appendFileSync(${JSON.stringify(records)}, JSON.stringify({ event, what: 'fold ' + args[2], t: Date.now(), gpus: process.env.CUDA_VISIBLE_DEVICES, order: process.env.CUDA_DEVICE_ORDER, argv: args.join(' ') }) + '\\n')
note('start')
setTimeout(() => {
  const fold = path.join(${JSON.stringify(folders.results)}, 'Dataset004_Liver', 'nnUNetTrainer__nnUNetPlans__3d_fullres', 'fold_' + args[2])
  fs.mkdirSync(path.join(fold, 'validation'), { recursive: true })
  fs.writeFileSync(path.join(fold, 'checkpoint_final.pth'), '')
  fs.writeFileSync(path.join(fold, 'validation', 'summary.json'), '{}')
  note('end')
}, 1500)
`,
    )
    chmodSync(fake, 0o755)
    const settings = s.settings.parse({ pythonPath: fake, nnunetVersion: 'v2', folders, device: 'cuda' })

    const jobs = new JobManager(join(tmp, 'jobs'))
    // Trainings run through runTrain (the fake trainer); a plan and find_best only note when they run.
    const execute = async (entry: QueueEntry, ctx: Parameters<typeof runTrain>[2]) => {
      if (entry.kind === 'train') return runTrain(entry.request, settings, ctx, join(tmp, 'data'))
      await note({ event: 'start', what: entry.kind, t: Date.now() })
      await new Promise((r) => setTimeout(r, 300))
      await note({ event: 'end', what: entry.kind, t: Date.now() })
    }
    const q = new RunQueue({ jobs, execute })
    const train = (fold: number, gpu: number): NewEntry => ({ id: newEntryId(), kind: 'train', title: `fold ${fold}`, request: s.trainRequest.parse({ datasetId: 4, configuration: '3d_fullres', fold, gpus: [gpu] }) })
    const plan: NewEntry = { id: newEntryId(), kind: 'plan', title: 'plan', request: s.planRequest.parse({ datasetId: 4 }) }
    const findBest: NewEntry = { id: newEntryId(), kind: 'find-best', title: 'find best', request: s.findBestRequest.parse({ datasetId: 4, configurations: ['3d_fullres'] }) }
    // Fold 3 (GPU 1) is queued after the plan: it must not pass it, though GPU 1 is free.
    const state = await q.enqueue([train(0, 0), train(1, 1), train(2, 0), plan, train(3, 1), findBest])
    expect(state.running).toHaveLength(2)
    expect(state.started.map((e) => e.title)).toEqual(['fold 0', 'fold 1'])
    expect(state.waiting.map((e) => [e.title, e.waitsFor])).toEqual([
      ['fold 2', 'waits for GPU 0: starts after "fold 0" (both use GPU 0)'],
      ['plan', 'needs the whole machine: starts once the 3 runs ahead of it have ended'],
      ['fold 3', 'waits for GPU 1: starts after "plan" (which needs the whole machine)'],
      ['find best', 'needs the whole machine: starts once the 5 runs ahead of it have ended'],
    ])

    const done = async () => {
      const st = await q.state()
      return st.running.length === 0 && st.waiting.length === 0
    }
    const deadline = Date.now() + 60_000
    while (!(await done()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    const final = await q.state()
    expect(final.waiting).toEqual([])
    for (const e of final.started) expect([e.title, jobs.get(e.jobId!)?.state]).toEqual([e.title, 'done'])

    const runs = readFileSync(records, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record)
    const at = (what: string, event: Record['event']) => runs.find((r) => r.what === what && r.event === event)!.t
    const span = (what: string) => [at(what, 'start'), at(what, 'end')] as const
    const overlap = (a: string, b: string) => span(a)[0] < span(b)[1] && span(b)[0] < span(a)[1]
    // Folds 0 and 1 ran at the same time; fold 2 waited for fold 0 (its GPU).
    expect(overlap('fold 0', 'fold 1')).toBe(true)
    expect(at('fold 2', 'start')).toBeGreaterThanOrEqual(at('fold 0', 'end'))
    // The plan and find_best ran alone: nothing overlaps them.
    for (const alone of ['plan', 'find-best']) {
      for (const other of ['fold 0', 'fold 1', 'fold 2', 'fold 3', 'plan', 'find-best'].filter((o) => o !== alone)) expect([alone, other, overlap(alone, other)]).toEqual([alone, other, false])
    }
    expect(at('fold 3', 'start')).toBeGreaterThanOrEqual(at('plan', 'end'))
    // Each process saw its own GPU, numbered as nvidia-smi lists them, and got nnU-Net's argv.
    const starts = runs.filter((r) => r.event === 'start' && r.what.startsWith('fold')).sort((a, b) => a.what.localeCompare(b.what))
    expect(starts.map((r) => [r.what, r.gpus, r.order, r.argv])).toEqual([0, 1, 2, 3].map((f) => [`fold ${f}`, String(f % 2), 'PCI_BUS_ID', `4 3d_fullres ${f} -tr nnUNetTrainer --npz -device cuda`]))
  })
})
