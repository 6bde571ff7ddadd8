// Predict on a folder of DICOM cases (issue 20 item 5): nnU-Net reads {case}_0000.nii.gz, so each
// DICOM case folder of the input (one sub-folder per case, named as the case) is read as the import
// reads it (header index, chooseSeries, readDicomSeries: sorted along the normal, rescaled,
// refused by name when tilted or gapped; dicomStageTask.ts, in the worker pool) and written to a
// private staging folder, which the prediction then takes as its input. The DICOM folder is never
// written to; the staging folder is removed after the prediction (or at once when a case fails). An input with volume files, or without DICOM sub-folders, is
// predicted as before.
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { JobContext } from '../jobs/jobManager'
import { leadsInside } from '../files/pathInside'
import { isDicomFolder } from '../imaging/dicom/detect'
import { volumeExtension } from '../imaging/volume'
import { taskModule, volumePool } from '../imaging/workerPool'
import type * as StageTask from './dicomStageTask'

const stageTask = taskModule<typeof StageTask>('dicomStageTask', import.meta.url)

/** The DICOM case folders of `input` (names), or null when it is an ordinary folder of images. */
export async function dicomCaseFolders(input: string): Promise<string[] | null> {
  const entries = await readdir(input, { withFileTypes: true }).catch(() => [])
  if (entries.some((e) => e.isFile() && volumeExtension(e.name))) return null
  const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort()
  const dicom = await Promise.all(folders.map(async (n) => ((await isDicomFolder(join(input, n))) ? n : null)))
  const names = dicom.filter((n): n is string => n !== null)
  return names.length ? names : null
}

/** Converts the DICOM cases of `input` into a new folder under `stagingRoot`; null when `input` is not DICOM. */
export async function stageDicomInput(input: string, output: string, stagingRoot: string, ctx: JobContext): Promise<{ staging: string; cases: string[] } | null> {
  const cases = await dicomCaseFolders(input)
  if (!cases) return null
  if (await leadsInside(output, input)) {
    throw new Error(`The output folder ${output} is inside the DICOM input folder ${input}; the input folder is never written to. Choose a separate output folder.`)
  }
  const bad = cases.filter((c) => !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(c))
  if (bad.length) throw new Error(`The DICOM case folders ${bad.map((b) => JSON.stringify(b)).join(', ')} of ${input} cannot be case ids (letters, digits, . _ - only); rename them.`)
  await mkdir(stagingRoot, { recursive: true })
  const staging = await mkdtemp(join(stagingRoot, 'dicom-input-'))
  ctx.log(`${input} holds ${cases.length} DICOM case folder${cases.length === 1 ? '' : 's'}; converting each case's series for nnU-Net into ${staging}.`, 'info')
  let done = 0
  // One case per worker of the shared pool (GDCM's decoding blocks the thread that runs it).
  try {
    await Promise.all(
      cases.map(async (name) => {
        await volumePool().run(stageTask, 'stageCase', { caseId: name, dir: join(input, name), target: join(staging, `${name}_0000.nii.gz`) }, ctx.signal)
        ctx.progress({ done: ++done, total: cases.length, unit: 'case', message: `DICOM ${name}` })
      }),
    )
  } catch (err) {
    await rm(staging, { recursive: true, force: true })
    throw err
  }
  return { staging, cases }
}
