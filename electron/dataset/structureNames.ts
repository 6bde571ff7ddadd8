// The Labels step's ROI / segment mapping (issue 20, item 4): which names the RTSTRUCT or SEG
// files of a folder hold for each DICOM case of the image folder, matched by the series they
// reference (the case's chosen series, else any series of its folder). Headers are parsed in the
// worker pool, as the DICOM overview's are. Issue 18: a folder of .seg.nrrd files or label maps
// has one file per case, matched by name as masks are (scan.ts); its names are the segment names /
// the label values found, so the same table maps them ("3|4" as aliases is a value table).
import { resolve } from 'node:path'
import { countStructureNames, type StructureKind, type StructureNames } from '../../shared/structureSpec'
import { taskModule, volumePool } from '../imaging/workerPool'
import type * as CaseWork from './caseWork'
import { dicomOverview } from './dicomOverview'
import { scanSources } from './scan'

const caseWork = taskModule<typeof CaseWork>('caseWork', import.meta.url)

export async function structureNames(req: { imagesDir: string; dir: string; kind: StructureKind; dicomSeries?: string; dicomSeriesByCase?: Record<string, string> }): Promise<StructureNames> {
  const dir = resolve(req.dir)
  if (req.kind === 'segnrrd' || req.kind === 'labelmap') return fileMatchedNames(req.kind, req.imagesDir, dir)
  const [overview, files] = await Promise.all([dicomOverview({ dir: req.imagesDir, ...(req.dicomSeries && { series: req.dicomSeries }), ...(req.dicomSeriesByCase && { seriesByCase: req.dicomSeriesByCase }) }), volumePool().run(caseWork, 'structureFilesIn', dir)])
  const cases = overview.cases.map((c) => ({ caseKey: c.caseKey, seriesUids: c.chosenSeriesUid ? [c.chosenSeriesUid] : c.series.map((s) => s.seriesInstanceUid) }))
  return countStructureNames(req.kind, dir, cases, files)
}

async function fileMatchedNames(kind: 'segnrrd' | 'labelmap', imagesDir: string, dir: string): Promise<StructureNames> {
  const scan = await scanSources({ imagesDir, labels: [{ name: 'label', dir, structure: { kind, names: kind === 'labelmap' ? '1' : 'label' } }], allowMissingMask: true })
  const folderProblem = scan.findings.find((f) => f.severity === 'error' && f.file === dir)
  if (folderProblem) throw new Error(folderProblem.text)
  const withFile = scan.cases.filter((c) => c.masks[0])
  // A file that cannot be read offers no names here; Check says why, naming it.
  const names = await Promise.all(withFile.map((c) => volumePool().run(caseWork, 'multiLabelNames', { kind, path: c.masks[0]! }).catch(() => [] as string[])))
  // Each case's file stands in for the series a DICOM structure file references: its case key.
  const files = withFile.map((c, i) => ({ kind, file: c.masks[0]!, referencedSeriesUid: c.caseKey, names: names[i]! }))
  const found = countStructureNames(kind, dir, scan.cases.map((c) => ({ caseKey: c.caseKey, seriesUids: [c.caseKey] })), files)
  return { ...found, unmatchedFiles: scan.unmatched.flatMap((u) => u.files) }
}
