// The DICOM overview of a folder (issue 20, item 6) for `nnunet-wizard dicom list` and the Sources
// step: one case per sub-folder holding DICOM files (the folder itself when it holds them
// directly), each indexed in the worker pool (parsing headers would block the main thread).
import { readdir } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import type { DicomOverview } from '../../shared/api/dicom'
import { naturalCompare } from '../../shared/naturalSort'
import { hasDicomPreamble, isDicomFolder } from '../imaging/dicom/detect'
import { taskModule, volumePool } from '../imaging/workerPool'
import type * as CaseWork from './caseWork'
import { DomainError } from '../domainError'

const caseWork = taskModule<typeof CaseWork>('caseWork', import.meta.url)

export async function dicomOverview(req: { dir: string; series?: string; seriesByCase?: Record<string, string> }): Promise<DicomOverview> {
  const dir = resolve(req.dir)
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    throw new DomainError(err.code === 'ENOENT' ? `${dir} does not exist.` : err.code === 'ENOTDIR' ? `${dir} is a file, not a folder of DICOM case folders.` : `${dir} cannot be read (${err.code ?? err.message}).`, 'dicom-folder')
  })
  const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort(naturalCompare)
  const direct = await Promise.all(entries.filter((e) => e.isFile() && !e.name.startsWith('.')).slice(0, 8).map((e) => hasDicomPreamble(join(dir, e.name))))
  const cases: { caseKey: string; dir: string }[] = []
  if (direct.some(Boolean)) cases.push({ caseKey: basename(dir), dir })
  else {
    const dicom = await Promise.all(folders.map((n) => isDicomFolder(join(dir, n))))
    folders.forEach((n, i) => dicom[i] && cases.push({ caseKey: n, dir: join(dir, n) }))
  }
  const pool = volumePool()
  const out = await Promise.all(cases.map((c) => pool.run(caseWork, 'dicomOverviewCase', { ...c, ...(req.series && { series: req.series }), ...(req.seriesByCase?.[c.caseKey] && { seriesUid: req.seriesByCase[c.caseKey] }) })))
  return { dir, cases: out }
}
