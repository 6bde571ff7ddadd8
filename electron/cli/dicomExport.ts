// `nnunet-wizard dicom export`: one label map back to DICOM, as a DICOM-SEG or an RTSTRUCT that
// references the series it was predicted on (electron/imaging/dicom/exportDicom.ts).
import { readFile } from 'node:fs/promises'
import { basename, dirname, resolve } from 'node:path'
import { exportDicom, type DicomExportFormat, type DicomExportResult } from '../imaging/dicom/exportDicom'
import type { ExportAlgorithm } from '../imaging/dicom/exportSegments'
import { labelsOfDatasetJson } from '../nnunet/summaries'
import { parseFlags, requireFlags, UsageError, usageFailure } from './common'

export const help = `usage: nnunet-wizard dicom export --labels FILE --reference DIR --format seg|rtstruct --out FILE [options]

Writes a label map (an nnU-Net prediction) as a DICOM-SEG (BINARY) or an RTSTRUCT that references
the series it was predicted on: its study, series, frame of reference and each slice's instance.
The patient and study of the series are copied into it, as DICOM requires (see the README).
The label map must lie on that series' own grid; another grid is refused, never resampled.

  --labels FILE          the label map (.nii.gz, .nrrd, .mha; values 0 = background, 1, 2, ...)
  --reference DIR        the folder of the DICOM series the label map was predicted on
  --format F             seg (DICOM-SEG, one segment per label) or rtstruct (one ROI per label)
  --out FILE             the file to write (.dcm); never inside the reference folder
  --dataset-json FILE    nnU-Net's dataset.json: names the segments / ROIs (else "label N")
  --series-uid UID       the series to reference when DIR holds several
  --nnunet-version V     recorded as the algorithm's version (default: unknown)
  --configuration C      recorded with the algorithm (e.g. 3d_fullres)
  --trainer NAME         recorded with the algorithm
  --plans NAME           recorded with the algorithm
  -f, --fold F           recorded with the algorithm; repeat for an ensemble
  --json                 print the result as JSON

exit codes: 0 written, 1 refused (the reason is printed), 2 bad usage.`

const options = {
  labels: { type: 'string' },
  reference: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  'dataset-json': { type: 'string' },
  'series-uid': { type: 'string' },
  'nnunet-version': { type: 'string' },
  configuration: { type: 'string' },
  trainer: { type: 'string' },
  plans: { type: 'string' },
  fold: { type: 'string', short: 'f', multiple: true },
  json: { type: 'boolean' },
} as const

/** Label names from dataset.json, and the dataset's folder name (Dataset001_X) when it lies in one. */
export async function namesFromDatasetJson(file: string): Promise<{ names: { name: string; value: number }[]; dataset?: string }> {
  let json: unknown
  try {
    json = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    throw new Error(`Could not read the dataset.json ${file}: ${err instanceof Error ? err.message : String(err)}`)
  }
  const names = labelsOfDatasetJson(json)
  if (!names.length) throw new Error(`${file} names no labels ("labels": {"background": 0, "liver": 1, ...}); it is not an nnU-Net dataset.json.`)
  const folder = basename(dirname(resolve(file)))
  return { names, ...(/^(Dataset\d{3}|Task\d{2,3})_/.test(folder) && { dataset: folder }) }
}

export function resultLines(r: DicomExportResult): string[] {
  const kind = r.format === 'seg' ? 'DICOM-SEG' : 'RTSTRUCT'
  const parts = r.segments.map((s) => ('frames' in s ? `${s.value} ${s.name}: ${s.frames} frame${s.frames === 1 ? '' : 's'}` : `${s.value} ${s.name}: ${s.contours} contour${s.contours === 1 ? '' : 's'} on ${s.slices} slice${s.slices === 1 ? '' : 's'}`))
  return [`Wrote ${r.out} (${kind}, ${r.bytes} bytes) on series ${r.referencedSeriesUid} (${r.slices} slices).`, ...parts.map((p) => `  ${p}`)]
}

export async function run(argv: string[]): Promise<number> {
  let values
  try {
    values = parseFlags(argv, options)
    requireFlags(values, ['labels', 'reference', 'format', 'out'])
    if (values.format !== 'seg' && values.format !== 'rtstruct') throw new UsageError(`--format is seg or rtstruct, not '${values.format}'.`)
  } catch (err) {
    return usageFailure('dicom export', err)
  }
  const folds = values.fold?.flatMap((f) => f.split(',')).map((f) => (f === 'all' ? ('all' as const) : Number(f)))
  try {
    const fromJson = values['dataset-json'] ? await namesFromDatasetJson(resolve(values['dataset-json'])) : undefined
    const algorithm: ExportAlgorithm = {
      version: values['nnunet-version'] ?? '',
      ...(fromJson?.dataset && { dataset: fromJson.dataset }),
      ...(values.configuration && { configuration: values.configuration }),
      ...(values.trainer && { trainer: values.trainer }),
      ...(values.plans && { plans: values.plans }),
      ...(folds && { folds }),
    }
    const result = await exportDicom({
      labels: resolve(values.labels!),
      reference: resolve(values.reference!),
      format: values.format as DicomExportFormat,
      out: resolve(values.out!),
      ...(fromJson && { names: fromJson.names }),
      algorithm,
      ...(values['series-uid'] && { seriesUid: values['series-uid'] }),
    })
    if (values.json) console.log(JSON.stringify(result, null, 2))
    else console.log(resultLines(result).join('\n'))
    return 0
  } catch (err) {
    console.error(`nnunet-wizard dicom export: ${err instanceof Error ? err.message : String(err)}`)
    return 1
  }
}
