// Facts the renderer asks for instead of working them out itself: whether a dataset is in
// nnUNet_raw and whether a path lies in a folder (by path, so nnUNet_raw_old is not nnUNet_raw),
// which configurations of a dataset finished training, and whether a running job can stop after
// its epoch (announced with the job's own events).
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { JobEvent } from '../../shared/api'
import * as s from '../../shared/schema'
import { folderStatus } from '../../electron/nnunet/folders'
import { JobManager } from '../../electron/jobs/jobManager'
import { createService } from '../../electron/service'

let root: string
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wizard-facts-'))
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('facts from the service', () => {
  it('a dataset is in nnUNet_raw by path: one in nnUNet_raw_old (used as the preprocessed folder) is not', async () => {
    const folders = { raw: join(root, 'nnUNet_raw'), preprocessed: join(root, 'nnUNet_raw_old'), results: join(root, 'nnUNet_results') }
    await mkdir(join(folders.raw, 'Dataset004_Liver', 'labelsTr'), { recursive: true })
    await mkdir(join(folders.preprocessed, 'Dataset005_Old'), { recursive: true })
    await mkdir(join(folders.preprocessed, 'Dataset004_Liver'), { recursive: true })
    const model = join(folders.results, 'Dataset004_Liver', 'nnUNetTrainer__nnUNetPlans__3d_lowres')
    await mkdir(join(model, 'fold_0'), { recursive: true })
    await writeFile(join(model, 'fold_0', 'checkpoint_final.pth'), 'x')
    // Finished means validated too (the cascade reads 3d_lowres' predicted_next_stage, written by that validation).
    await mkdir(join(model, 'fold_0', 'validation'), { recursive: true })
    await writeFile(join(model, 'fold_0', 'validation', 'summary.json'), '{}')
    await mkdir(join(folders.results, 'Dataset004_Liver', 'nnUNetTrainer__nnUNetPlans__2d', 'fold_1'), { recursive: true })
    await writeFile(join(folders.results, 'Dataset004_Liver', 'nnUNetTrainer__nnUNetPlans__2d', 'fold_1', 'checkpoint_latest.pth'), 'x')
    const status = await folderStatus(s.settings.parse({ folders }))
    const liver = status.datasets.find((d) => d.id === 4)!
    const old = status.datasets.find((d) => d.id === 5)!
    expect(old.where[0]!.startsWith(folders.raw)).toBe(true) // what the renderer's prefix test took for "in nnUNet_raw"
    expect(old.inRaw).toBe(false)
    expect(liver.inRaw).toBe(true)
    // Finished: 3d_lowres (final checkpoint); 2d has only a latest checkpoint.
    expect(liver.finishedConfigurations).toEqual(['3d_lowres'])
    expect(old.finishedConfigurations).toBeUndefined()
  })

  it('pathInside: by path and through symbolic links, never by prefix', async () => {
    const service = createService({ mode: 'browser' }, join(root, 'data'), { memoryQueue: true })
    try {
      const raw = join(root, 'nnUNet_raw')
      await mkdir(join(raw, 'Dataset004_Liver'), { recursive: true })
      await mkdir(join(root, 'nnUNet_raw_old', 'Dataset004_Liver'), { recursive: true })
      await symlink(join(raw, 'Dataset004_Liver'), join(root, 'linked'))
      expect(await service.pathInside({ path: join(raw, 'Dataset004_Liver'), folder: raw })).toBe(true)
      expect(await service.pathInside({ path: raw, folder: raw })).toBe(true)
      expect(await service.pathInside({ path: join(root, 'nnUNet_raw_old', 'Dataset004_Liver'), folder: raw })).toBe(false)
      expect(await service.pathInside({ path: join(root, 'linked'), folder: raw })).toBe(true)
    } finally {
      await service.dispose()
    }
  })

  it('a job says when its training can stop after the epoch, and when it no longer can', async () => {
    const jobs = new JobManager(join(root, 'jobs'))
    const seen: (boolean | undefined)[] = []
    jobs.onEvent((e: JobEvent) => {
      if (e.type === 'job') seen.push(e.job.canStopAfterEpoch)
    })
    let release!: () => void
    const job = await jobs.start('train', 'fold 0', async (ctx) => {
      ctx.stoppable?.(true)
      await new Promise<void>((r) => (release = r))
      ctx.stoppable?.(false)
    })
    expect(jobs.get(job.id)?.canStopAfterEpoch).toBe(true)
    release()
    const ended = await jobs.wait(job.id)
    expect(ended.canStopAfterEpoch).toBeUndefined()
    expect(seen).toEqual([undefined, true, undefined, undefined])
  })
})
