// A DICOM case folder as a case's image (issue 20): the folder is indexed (every file's header
// once), the case's series chosen (the one its structure sets / SEGs reference, the only
// volumetric one, or the user's --series pattern / per-case choice) and read with exactly its
// sorted files. Every reason it cannot be is a finding on the case naming the files; nothing
// from a DICOM tag leaves here except as text of a finding shown to the user. Runs in a worker.
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import type { Finding } from '../../shared/api'
import type { DicomCaseIndex, DicomOverviewCase, DicomProblem, DicomSeriesInfo } from '../../shared/api/dicom'
import { chooseSeries, indexDicomFolder, nameFiles, readDicomSeries, DicomSeriesError } from '../imaging/dicom'
import { volumeExtension, type Volume } from '../imaging/volume'
import type { CaseFiles } from './caseSources'

/**
 * True when the case's image is a DICOM case folder: a folder not named like a volume (a folder
 * named x.nii.gz stays a volume path, refused by the volume reader as a folder named like one).
 */
export async function isDicomCase(path: string): Promise<boolean> {
  return volumeExtension(basename(path)) === null && ((await stat(path).catch(() => null))?.isDirectory() ?? false)
}

export interface DicomCaseImage {
  volume: Volume
  series: DicomSeriesInfo
  index: DicomCaseIndex
}

export interface DicomCaseChoice {
  /** --series: a regular expression on SeriesDescription. */
  dicomSeries?: string
  /** The series chosen for this case in the app (SeriesInstanceUID). */
  dicomSeriesUid?: string
}

/**
 * Reads the case's scan from its DICOM folder, recording every file read (size, mtime, SHA-256)
 * as the image's sources. Null, with error findings, when the folder cannot give one volume.
 */
export async function readDicomCaseImage(dir: string, choice: DicomCaseChoice, findings: Finding[], files: CaseFiles): Promise<DicomCaseImage | null> {
  const index = (files.dicomIndex ??= await indexDicomFolder(dir))
  if (index.unreadable.length > 0) {
    findings.push({ severity: 'info', code: 'dicom-ignored-files', file: index.unreadable[0]!.file, text: `${index.unreadable.length} file${index.unreadable.length === 1 ? '' : 's'} in the DICOM folder ${dir} ${index.unreadable.length === 1 ? 'is' : 'are'} not DICOM and ignored: ${nameFiles(index.unreadable.map((u) => u.file))} (${index.unreadable[0]!.reason}).` })
  }
  const chosen = chooseSeries(index, { pattern: choice.dicomSeries, seriesUid: choice.dicomSeriesUid })
  if (!chosen.ok) {
    findings.push({ severity: 'error', code: `dicom-${chosen.problem.code}`, file: chosen.problem.files[0] ?? dir, text: chosen.problem.text, hint: 'Put one series per case folder, or choose one: --series REGEX on the description (CLI), or per case in the Sources step.' })
    return null
  }
  const series = chosen.series
  if (series.problems.length > 0) {
    for (const p of series.problems) findings.push({ severity: 'error', code: `dicom-${p.code}`, file: p.files[0] ?? dir, text: `The DICOM series of case folder ${dir}: ${p.text}`, hint: 'Such a series is refused, never resampled or shifted: export it again from the scanner or PACS, or correct it (e.g. in 3D Slicer) first.' })
    return null
  }
  try {
    const volume = await readDicomSeries(series, { fingerprint: true })
    files.record('image', volume)
    return { volume, series, index }
  } catch (err) {
    if (!(err instanceof DicomSeriesError)) throw err
    findings.push({ severity: 'error', code: 'unreadable', file: err.file, text: `The DICOM series of case folder ${dir} cannot be read: ${err.reason}` })
    return null
  }
}

/** One case folder of the overview, computed in a worker (it parses every header): caseWork.ts exports it as a pool task. */
export async function dicomOverviewCase(input: { caseKey: string; dir: string; series?: string; seriesUid?: string }): Promise<DicomOverviewCase> {
  const index = await indexDicomFolder(input.dir)
  const choice = chooseSeries(index, { pattern: input.series, seriesUid: input.seriesUid })
  const problems: DicomProblem[] = []
  if (!choice.ok) problems.push(choice.problem)
  else problems.push(...choice.series.problems)
  for (const s of index.structures) {
    if (s.referencedSeriesUid && !index.series.some((x) => x.seriesInstanceUid === s.referencedSeriesUid) && choice.ok) {
      problems.push({ code: 'referenced-series-missing', text: `${s.kind === 'seg' ? 'The SEG' : 'The structure set'} ${s.file} references a series that is not in ${input.dir}.`, files: [s.file] })
    }
  }
  return {
    caseKey: input.caseKey,
    dir: input.dir,
    series: index.series.map(({ slices: _slices, files, ...rest }) => ({
      ...rest,
      files: files.length,
      referencedBy: index.structures.filter((st) => st.referencedSeriesUid === rest.seriesInstanceUid).map((st) => ({ kind: st.kind, file: st.file, names: st.names })),
    })),
    structures: index.structures,
    chosenSeriesUid: choice.ok ? choice.series.seriesInstanceUid : null,
    problems,
    unreadable: index.unreadable,
  }
}
