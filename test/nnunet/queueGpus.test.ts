// Several GPUs end to end on the Node side, without a GPU (test/helpers/fakeGpuMachine.ts): a fake
// nvidia-smi on PATH lists two, and a fake trainer records when each run starts and ends, the GPUs
// its process sees and its argv. Folds queued on GPUs 0, 1, 0 run two at a time through the real
// run queue and runTrain; a plan or find_best never runs beside anything. The CLI's
// `train -f 0,1,2 --gpu 0 --gpu 1` does the same through the service.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import type { QueueEntry } from '../../shared/api'
import { JobManager } from '../../electron/jobs/jobManager'
import { detectGpus } from '../../electron/nnunet/detect'
import { runTrain } from '../../electron/nnunet/pipeline'
import { newEntryId, RunQueue, type NewEntry } from '../../electron/nnunet/queue'
import { run as trainCli } from '../../electron/cli/train'
import * as s from '../../shared/schema'
import { writePlannedDataset } from '../helpers/plannedDataset'
import { overlap, readRecords, span, writeFakeNvidiaSmi, writeFakeTrainer } from '../helpers/fakeGpuMachine'

const tmps: string[] = []
const saved = { PATH: process.env.PATH, NNUNET_WIZARD_DATA: process.env.NNUNET_WIZARD_DATA }
afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
  for (const t of tmps) await rm(t, { recursive: true, force: true })
})

/** A machine with two fake GPUs, a planned dataset 4 and the fake trainer (1.5 s a fold). */
async function gpuMachine() {
  const tmp = await mkdtemp(join(tmpdir(), 'nnw-queue-gpus-'))
  tmps.push(tmp)
  const bin = join(tmp, 'bin')
  await writeFakeNvidiaSmi(bin, 2)
  process.env.PATH = `${bin}${delimiter}${saved.PATH ?? ''}`
  const folders = { raw: join(tmp, 'raw'), preprocessed: join(tmp, 'pre'), results: join(tmp, 'res') }
  for (const d of Object.values(folders)) await mkdir(d, { recursive: true })
  await writePlannedDataset(folders.preprocessed, 'Dataset004_Liver')
  const records = join(tmp, 'runs.jsonl')
  const python = await writeFakeTrainer(bin, { records, results: folders.results, dataset: 'Dataset004_Liver', ms: 1500 })
  return { tmp, folders, records, python }
}

/** Each fold's process saw its own GPU, numbered as nvidia-smi lists them, and got nnU-Net's argv. */
const foldStarts = (records: string) =>
  readRecords(records)
    .filter((r) => r.event === 'start' && r.what.startsWith('fold'))
    .sort((a, b) => a.what.localeCompare(b.what))
    .map((r) => [r.what, r.gpus, r.order, r.argv])
const expectedStart = (fold: number) => [`fold ${fold}`, String(fold % 2), 'PCI_BUS_ID', `4 3d_fullres ${fold} -tr nnUNetTrainer --npz -device cuda`]

describe('folds side by side, one per GPU', () => {
  it('detects both GPUs, runs folds on disjoint GPUs at the same time, and the rest alone', { timeout: 90_000 }, async () => {
    const { tmp, folders, records, python } = await gpuMachine()
    expect(await detectGpus()).toEqual([
      { name: 'NVIDIA A100-SXM4-40GB', memoryMiB: 40960, driver: '535.104.05' },
      { name: 'NVIDIA A100-SXM4-40GB', memoryMiB: 40960, driver: '535.104.05' },
    ])
    const settings = s.settings.parse({ pythonPath: python, nnunetVersion: 'v2', folders, device: 'cuda' })
    const note = (event: 'start' | 'end', what: string) => writeFile(records, `${JSON.stringify({ event, what, t: Date.now() })}\n`, { flag: 'a' })
    const jobs = new JobManager(join(tmp, 'jobs'))
    // Trainings run through runTrain (the fake trainer); a plan and find_best only note when they run.
    const execute = async (entry: QueueEntry, ctx: Parameters<typeof runTrain>[2]) => {
      if (entry.kind === 'train') return runTrain(entry.request, settings, ctx, join(tmp, 'data'))
      await note('start', entry.kind)
      await new Promise((r) => setTimeout(r, 300))
      await note('end', entry.kind)
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

    await vi.waitFor(
      async () => {
        const st = await q.state()
        expect([st.running, st.waiting]).toEqual([[], []])
      },
      { timeout: 60_000, interval: 100 },
    )
    for (const e of (await q.state()).started) expect([e.title, jobs.get(e.jobId!)?.state]).toEqual([e.title, 'done'])

    const runs = readRecords(records)
    // Folds 0 and 1 ran at the same time; fold 2 waited for fold 0 (its GPU).
    expect(overlap(runs, 'fold 0', 'fold 1')).toBe(true)
    expect(span(runs, 'fold 2')[0]).toBeGreaterThanOrEqual(span(runs, 'fold 0')[1])
    // The plan and find_best ran alone: nothing overlaps them.
    const all = ['fold 0', 'fold 1', 'fold 2', 'fold 3', 'plan', 'find-best']
    for (const alone of ['plan', 'find-best']) {
      for (const other of all.filter((o) => o !== alone)) expect([alone, other, overlap(runs, alone, other)]).toEqual([alone, other, false])
    }
    expect(span(runs, 'fold 3')[0]).toBeGreaterThanOrEqual(span(runs, 'plan')[1])
    expect(foldStarts(records)).toEqual([0, 1, 2, 3].map(expectedStart))
  })

  it('nnunet-wizard train -f 0,1,2 --gpu 0 --gpu 1: one fold per GPU, two at a time', { timeout: 90_000 }, async () => {
    const { tmp, folders, records, python } = await gpuMachine()
    process.env.NNUNET_WIZARD_DATA = join(tmp, 'wizard-data')
    const flags = ['--python', python, '--nnunet', 'v2', '--raw', folders.raw, '--preprocessed', folders.preprocessed, '--results', folders.results, '--device', 'cuda']
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    let code: number
    let said: string
    try {
      code = await trainCli(['-d', '4', '-c', '3d_fullres', '-f', '0,1,2', '--gpu', '0', '--gpu', '1', ...flags])
    } finally {
      said = err.mock.calls.map((c) => String(c[0])).join('')
      out.mockRestore()
      err.mockRestore()
    }
    expect(code, said).toBe(0)
    expect(said).toContain('fold 0 (GPU 0): done')
    expect(said).toContain('fold 1 (GPU 1): done')
    expect(said).toContain('fold 2 (GPU 0): done')
    const runs = readRecords(records)
    expect(overlap(runs, 'fold 0', 'fold 1')).toBe(true)
    expect(span(runs, 'fold 2')[0]).toBeGreaterThanOrEqual(span(runs, 'fold 0')[1])
    expect(foldStarts(records)).toEqual([0, 1, 2].map(expectedStart))
  })

  it('nnunet-wizard train --scheduler slurm --gpu 0: refused, the cluster assigns GPUs (--gpus N)', async () => {
    process.env.NNUNET_WIZARD_DATA = await mkdtemp(join(tmpdir(), 'wizard-gpu-slurm-'))
    const err = vi.spyOn(console, 'error').mockImplementation(() => {})
    let code: number
    let said: string
    try {
      code = await trainCli(['-d', '4', '-c', '3d_fullres', '-f', '0', '--scheduler', 'slurm', '--gpu', '0'])
    } finally {
      said = err.mock.calls.map((c) => String(c[0])).join('')
      err.mockRestore()
    }
    expect(code).toBe(2)
    expect(said).toContain('--gpu picks GPUs of this machine; on SLURM the cluster assigns them to each task: ask for them with --gpus N.')
  })
})
