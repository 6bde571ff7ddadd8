// Every prediction of a folder back to DICOM, one SEG and/or RTSTRUCT per case, each referencing
// the series of that case's DICOM folder: the case id of CASE.nii.gz names the folder
// DICOM_INPUT/CASE (case ids come from folder names when DICOM is converted, issue 20 item 7), and
// the series is chosen as the conversion chose it (chooseSeries, the same --series pattern). A
// case that cannot be exported is named with why; the others are still written.
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Rgb } from '../../../shared/schema'
import { chooseSeries } from './chooseSeries'
import { exportDicom, exportFileName, type DicomExportFormat, type DicomExportOptions, type DicomExportResult } from './exportDicom'
import { referenceOf } from './exportReference'
import type { ExportAlgorithm } from './exportSegments'
import { indexDicomFolder } from './headerIndex'

/** A label map nnU-Net writes (not this app's .seg.nrrd or other files of the folder). */
const PREDICTION = /^(?!.*\.seg\.nrrd$)(.*)\.(nii\.gz|nii|nrrd|mha)$/i

export interface ExportCasesOptions {
  predictions: string
  dicomInput: string
  formats: DicomExportFormat[]
  out: string
  names: readonly { name: string; value: number }[]
  colours?: Readonly<Record<string, Rgb>>
  algorithm: ExportAlgorithm
  /** The --series pattern the DICOM input was converted with. */
  series?: string
  signal?: AbortSignal
  progress?: (done: number, total: number, caseId: string) => void
  /** Writes one file; default exportDicom on this thread (the service passes one that runs in the worker pool). */
  exportOne?: (opts: DicomExportOptions, signal?: AbortSignal) => Promise<DicomExportResult>
}

export interface ExportedCase {
  caseId: string
  files: DicomExportResult[]
  error?: string
}

export async function exportPredictionCases(opts: ExportCasesOptions): Promise<ExportedCase[]> {
  const info = await stat(opts.predictions).catch(() => null)
  if (!info?.isDirectory()) throw new Error(`The prediction folder ${opts.predictions} does not exist.`)
  const files = (await readdir(opts.predictions)).filter((n) => PREDICTION.test(n)).sort()
  if (!files.length) throw new Error(`${opts.predictions} holds no segmentations to export: predict into it first.`)
  const exportOne = opts.exportOne ?? ((o: DicomExportOptions) => exportDicom(o))
  const out: ExportedCase[] = []
  for (const [i, name] of files.entries()) {
    opts.signal?.throwIfAborted()
    const caseId = PREDICTION.exec(name)![1]!
    const dir = join(opts.dicomInput, caseId)
    const done: ExportedCase = { caseId, files: [] }
    try {
      if (!(await stat(dir).catch(() => null))?.isDirectory()) {
        throw new Error(`there is no DICOM case folder ${dir} for the prediction ${name} (a case's id is the name of its DICOM folder).`)
      }
      const choice = chooseSeries(await indexDicomFolder(dir), opts.series ? { pattern: opts.series } : {})
      if (!choice.ok) throw new Error(choice.problem.text)
      const series = await referenceOf(dir, choice.series)
      for (const format of opts.formats) {
        const options: DicomExportOptions = {
          labels: join(opts.predictions, name),
          reference: dir,
          series,
          format,
          out: join(opts.out, exportFileName(caseId, format)),
          names: opts.names,
          ...(opts.colours && { colours: opts.colours }),
          algorithm: opts.algorithm,
        }
        done.files.push(await exportOne(options, opts.signal))
      }
    } catch (err) {
      done.error = err instanceof Error ? err.message : String(err)
    }
    out.push(done)
    opts.progress?.(i + 1, files.length, caseId)
  }
  return out
}
