// The Labels step's ROI / segment mapping (issue 20, item 4): which names the RTSTRUCT or SEG
// files of a folder hold for each DICOM case of the image folder, matched by the series they
// reference (the case's chosen series, else any series of its folder). Headers are parsed in the
// worker pool, as the DICOM overview's are.
import { resolve } from 'node:path'
import { countStructureNames, type StructureKind, type StructureNames } from '../../shared/structureSpec'
import { taskModule, volumePool } from '../imaging/workerPool'
import type * as CaseWork from './caseWork'
import { dicomOverview } from './dicomOverview'

const caseWork = taskModule<typeof CaseWork>('caseWork', import.meta.url)

export async function structureNames(req: { imagesDir: string; dir: string; kind: StructureKind; dicomSeries?: string; dicomSeriesByCase?: Record<string, string> }): Promise<StructureNames> {
  const dir = resolve(req.dir)
  const [overview, files] = await Promise.all([dicomOverview({ dir: req.imagesDir, ...(req.dicomSeries && { series: req.dicomSeries }), ...(req.dicomSeriesByCase && { seriesByCase: req.dicomSeriesByCase }) }), volumePool().run(caseWork, 'structureFilesIn', dir)])
  const cases = overview.cases.map((c) => ({ caseKey: c.caseKey, seriesUids: c.chosenSeriesUid ? [c.chosenSeriesUid] : c.series.map((s) => s.seriesInstanceUid) }))
  return countStructureNames(req.kind, dir, cases, files)
}
