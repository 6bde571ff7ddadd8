// `nnunet-wizard predict`: segment a folder of images with a trained nnU-Net model.
import { resolve } from 'node:path'
import type { JobRef } from '../../shared/api'
import * as s from '../../shared/schema'
import type { Service } from '../service'
import { COMMON_HELP, COMMON_OPTIONS, parseInteger, runSettingsCommand } from './support'
import { parseFlags, requireFlags, UsageError, validRequest } from './common'

export const help = `usage: nnunet-wizard predict -i DIR [-o DIR] -d ID -c CONFIGURATION [options]

Predicts every image in a folder (nnUNetv2_predict / nnUNet_predict). Input files are named
like imagesTs: {case}_0000.nii.gz (one file per channel).

  -i, --input DIR           folder of images
  -o, --output DIR          folder for the segmentations (created; default: beside the model,
                            nnUNet_results/<dataset>/predictions/<trainer>__<plans>__<configuration>/
                            <input folder name>, as in the app; keep it outside the dataset folder)
  -d, --dataset ID          dataset id of the trained model
  -c, --configuration C     2d, 3d_fullres, 3d_lowres, 3d_cascade_fullres
  -f, --fold F              fold to use; repeat for an ensemble of folds (default 0)
  --trainer NAME            trainer class the model was trained with (default: the model
                            trained for this dataset, configuration and folds; when there are
                            several, they are named and one must be chosen)
  --checkpoint FILE         checkpoint name (v2 default checkpoint_final.pth, v1 model_final_checkpoint)
  --plans NAME              plans identifier of the model (default: the plans the dataset was
                            planned with, e.g. nnUNetResEncUNetMPlans after plan --preset resenc-m)
  --postprocess             then apply the model's nnU-Net postprocessing (v2; determined with
                            results --postprocessing) into OUTPUT_postprocessed
  --seg-nrrd                then write each segmentation as a 3D Slicer .seg.nrrd with the label
                            names of dataset.json into OUTPUT/slicer
  --dicom-out DIR           then write each case's segmentation back as DICOM into DIR, referencing
                            its series: for an input folder of DICOM cases (one sub-folder per case,
                            named as the case; converted for nnU-Net first, the folder never written)
  --dicom-format F          seg (DICOM-SEG, default), rtstruct or both
  --save-probabilities      also save each case's probabilities (nnU-Net v2 --save_probabilities:
                            CASE.npz), which Review ranks the cases by

${COMMON_HELP}

exit codes: 0 done, 1 nnU-Net failed (guidance is printed), 2 bad usage, 130 cancelled.`

const options = {
  ...COMMON_OPTIONS,
  input: { type: 'string', short: 'i' },
  output: { type: 'string', short: 'o' },
  dataset: { type: 'string', short: 'd' },
  configuration: { type: 'string', short: 'c' },
  fold: { type: 'string', short: 'f', multiple: true },
  trainer: { type: 'string' },
  checkpoint: { type: 'string' },
  plans: { type: 'string' },
  postprocess: { type: 'boolean' },
  'seg-nrrd': { type: 'boolean' },
  'save-probabilities': { type: 'boolean' },
  'dicom-out': { type: 'string' },
  'dicom-format': { type: 'string' },
} as const

/**
 * The prediction, then what was asked after it (postprocessing, Slicer files), one job after the
 * other; the last job is the one the command reports (a failed step stops the chain there).
 */
interface After {
  postprocess?: boolean
  segNrrd?: boolean
  dicom?: { out: string; format: 'seg' | 'rtstruct' | 'both' }
}

async function predictThen(service: Service, req: s.PredictInput, after: After): Promise<JobRef> {
  let last = await service.predict(req)
  // Without -o the service chose the folder (beside the model): the prediction's result names it.
  let output = req.output
  const next: (() => Promise<JobRef>)[] = []
  if (after.postprocess) next.push(() => service.applyPostprocessing({ datasetId: req.datasetId, configuration: req.configuration, trainer: req.trainer, plans: req.plans, input: output! }))
  if (after.segNrrd) next.push(() => service.slicerSegmentations({ datasetId: req.datasetId, folder: output! }))
  // DICOM back from the predictions nnU-Net wrote (not the postprocessed copy): each case on the series of its DICOM folder.
  if (after.dicom) next.push(() => service.dicomPredictions({ datasetId: req.datasetId, folder: output!, dicomInput: req.input, format: after.dicom!.format, out: after.dicom!.out }))
  for (const start of next) {
    const info = await service.jobs.wait(last.jobId)
    if (info.state !== 'done') return last
    output ??= (info.result as { output?: string } | undefined)?.output
    last = await start()
  }
  return last
}

export function run(argv: string[]): Promise<number> {
  let after: After = {}
  return runSettingsCommand(
    'predict',
    () => {
      const values = parseFlags(argv, options)
      requireFlags(values, ['input', 'dataset', 'configuration'])
      const request = validRequest(s.predictInput, {
        datasetId: parseInteger('-d', values.dataset, 1, 999),
        input: resolve(values.input!),
        ...(values.output !== undefined && { output: resolve(values.output) }),
        configuration: values.configuration,
        folds: (values.fold ?? ['0']).map((f) => (f === 'all' ? 'all' : parseInteger('-f', f, 0, 9))),
        trainer: values.trainer,
        checkpoint: values.checkpoint,
        plans: values.plans,
        ...(values['save-probabilities'] && { saveProbabilities: true }),
      })
      const dicomFormat = values['dicom-format'] ?? 'seg'
      if (dicomFormat !== 'seg' && dicomFormat !== 'rtstruct' && dicomFormat !== 'both') throw new UsageError(`--dicom-format is seg, rtstruct or both, not '${dicomFormat}'.`)
      if (values['dicom-format'] && !values['dicom-out']) throw new UsageError('--dicom-format needs --dicom-out DIR (where the DICOM files go).')
      after = { postprocess: values.postprocess, segNrrd: values['seg-nrrd'], ...(values['dicom-out'] && { dicom: { out: resolve(values['dicom-out']), format: dicomFormat } }) }
      return { values, request }
    },
    (service, req) => predictThen(service, req, after),
  )
}
