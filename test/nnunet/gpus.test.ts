// Several GPUs: -num_gpus for one run (v2 DDP, CUDA only), and the GPUs a training's process
// sees (CUDA_VISIBLE_DEVICES, numbered as nvidia-smi lists them). The process is a fake trainer
// (a stand-in for Python that records its argv and environment): a test machine has no GPU.
import { chmodSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { JobManager } from '../../electron/jobs/jobManager'
import { gpuEnv } from '../../electron/nnunet/gpus'
import { runTrain } from '../../electron/nnunet/pipeline'
import { trainArgs } from '../../shared/nnunetArgs'
import * as s from '../../shared/schema'
import { writePlannedDataset } from '../helpers/plannedDataset'

const tmps: string[] = []
afterAll(async () => {
  for (const t of tmps) await rm(t, { recursive: true, force: true })
})

const train = (r: Partial<s.TrainRequest>) => s.trainRequest.parse({ datasetId: 4, configuration: '3d_fullres', fold: 0, ...r })

describe('several GPUs', () => {
  it('passes -num_gpus to nnU-Net v2 on CUDA, and refuses it elsewhere', () => {
    expect(trainArgs('v2', train({ numGpus: 2 }), { trainer: 'nnUNetTrainer', device: 'cuda' }).args.slice(-4)).toEqual(['-device', 'cuda', '-num_gpus', '2'])
    expect(trainArgs('v2', train({ numGpus: 1 }), { trainer: 'nnUNetTrainer', device: 'cuda' }).args).not.toContain('-num_gpus')
    expect(() => trainArgs('v2', train({ numGpus: 2 }), { trainer: 'nnUNetTrainer', device: 'cpu' })).toThrow(/needs the CUDA device/)
    expect(() => trainArgs('v1', train({ numGpus: 2 }), { trainer: 'nnUNetTrainerV2' })).toThrow(/nnU-Net v1 trains one run on one GPU/)
  })

  it('gives each run the GPUs it was given, numbered as nvidia-smi lists them', () => {
    expect(gpuEnv({})).toEqual({})
    expect(gpuEnv({ gpus: [1] })).toEqual({ CUDA_DEVICE_ORDER: 'PCI_BUS_ID', CUDA_VISIBLE_DEVICES: '1' })
    expect(gpuEnv({ gpus: [0, 2], numGpus: 2 })).toEqual({ CUDA_DEVICE_ORDER: 'PCI_BUS_ID', CUDA_VISIBLE_DEVICES: '0,2' })
    expect(() => gpuEnv({ gpus: [3], numGpus: 2 })).toThrow(/-num_gpus 2 needs as many GPUs, but this run is given 1/)
  })

  it('a training job starts its process with CUDA_VISIBLE_DEVICES and -num_gpus (fake trainer)', { timeout: 60_000 }, async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'nnw-gpus-'))
    tmps.push(tmp)
    const folders = { raw: join(tmp, 'raw'), preprocessed: join(tmp, 'pre'), results: join(tmp, 'res') }
    for (const d of Object.values(folders)) await mkdir(d, { recursive: true })
    await writePlannedDataset(folders.preprocessed, 'Dataset004_Liver')
    // The fake trainer: records its argv and the GPU variables, one JSON line per run.
    const fake = join(tmp, 'bin', 'python')
    await mkdir(join(tmp, 'bin'))
    const out = join(tmp, 'runs.jsonl')
    // It is run as "python [-B -P] -c <nnU-Net's entry point> ARGS": only ARGS are kept.
    await writeFile(fake, `#!/bin/sh\nwhile [ "$#" -gt 0 ] && [ "$1" != "-c" ]; do shift; done\nshift 2\nprintf '%s\\t%s\\t%s\\n' "$CUDA_VISIBLE_DEVICES" "$CUDA_DEVICE_ORDER" "$*" >> '${out}'\n`)
    chmodSync(fake, 0o755)
    const settings = s.settings.parse({ pythonPath: fake, nnunetVersion: 'v2', folders, device: 'cuda' })
    const jobs = new JobManager(join(tmp, 'jobs'))
    for (const [fold, gpu] of [[0, 0], [1, 1]] as const) {
      const job = await jobs.start('train', 'train', (ctx) => runTrain(train({ fold, gpus: [gpu] }), settings, ctx, join(tmp, 'data')))
      await jobs.wait(job.id)
    }
    const ddp = await jobs.start('train', 'train', (ctx) => runTrain(train({ fold: 2, gpus: [0, 1], numGpus: 2 }), settings, ctx, join(tmp, 'data')))
    await jobs.wait(ddp.id)
    const runs = readFileSync(out, 'utf8').trim().split('\n').map((l) => {
      const [gpus, order, argv] = l.split('\t')
      return { gpus, order, argv: argv! }
    })
    expect(runs.map((r) => r.gpus)).toEqual(['0', '1', '0,1'])
    expect(runs.every((r) => r.order === 'PCI_BUS_ID')).toBe(true)
    expect(runs[0]!.argv).toMatch(/^4 3d_fullres 0 -tr nnUNetTrainer --npz -device cuda$/)
    expect(runs[1]!.argv).toMatch(/^4 3d_fullres 1 -tr nnUNetTrainer --npz -device cuda$/)
    expect(runs[2]!.argv).toMatch(/^4 3d_fullres 2 -tr nnUNetTrainer --npz -device cuda -num_gpus 2$/)
  })
})
