// argv of nnU-Net's own evaluation and model-sharing tools (nnunetv2 2.8.1
// evaluation/evaluate_predictions.py and model_sharing/entry_points.py; nnunet 1.7.1
// evaluation/evaluator.py and inference/pretrained_models/*), in the same NnunetCommand shape as
// shared/nnunetArgs.ts so electron/nnunet/launch.ts starts them the same way (console script, or
// the entry point through `python -c`). Kept beside the results code that is their only user.
import type { NnunetCommand, NnunetTool } from '../../shared/nnunetArgs'
import type { NnunetVersion } from '../../shared/schema'

export const RESULT_TOOLS = {
  v2: {
    evaluate: { script: 'nnUNetv2_evaluate_folder', entry: 'nnunetv2.evaluation.evaluate_predictions:evaluate_folder_entry_point' },
    exportModel: { script: 'nnUNetv2_export_model_to_zip', entry: 'nnunetv2.model_sharing.entry_points:export_pretrained_model_entry' },
    importModel: { script: 'nnUNetv2_install_pretrained_model_from_zip', entry: 'nnunetv2.model_sharing.entry_points:install_from_zip_entry_point' },
  },
  v1: {
    evaluate: { script: 'nnUNet_evaluate_folder', entry: 'nnunet.evaluation.evaluator:nnunet_evaluate_folder' },
    exportModel: { script: 'nnUNet_export_model_to_zip', entry: 'nnunet.inference.pretrained_models.collect_pretrained_models:export_entry_point' },
    importModel: { script: 'nnUNet_install_pretrained_model_from_zip', entry: 'nnunet.inference.pretrained_models.download_pretrained_model:install_from_zip_entry_point' },
  },
} as const satisfies Record<NnunetVersion, Record<string, NnunetTool>>

export interface EvaluateArgs {
  reference: string
  predictions: string
  /** v2: the dataset.json and plans file that name the labels and the file reader. */
  datasetJson: string
  plans: string
  /** v1: the label values to score. */
  labels: number[]
  processes: number
  /** v2 --chill: score the predictions there are, though some reference cases have none. */
  partial: boolean
}

/** v2 writes predictions/summary.json (-o); v1's evaluator always writes it there. */
export function evaluateArgs(version: NnunetVersion, a: EvaluateArgs, output: string): NnunetCommand {
  if (version === 'v2') {
    const args = [a.reference, a.predictions, '-djfile', a.datasetJson, '-pfile', a.plans, '-o', output, '-np', String(a.processes)]
    if (a.partial) args.push('--chill')
    return { tool: RESULT_TOOLS.v2.evaluate, args }
  }
  return { tool: RESULT_TOOLS.v1.evaluate, args: ['-ref', a.reference, '-pred', a.predictions, '-l', ...a.labels.map(String)] }
}

export interface ExportArgs {
  datasetId: number
  output: string
  configurations: string[]
  trainer: string
  plans: string
  folds: (number | 'all')[]
}

export function exportModelArgs(version: NnunetVersion, a: ExportArgs): NnunetCommand {
  if (version === 'v2') {
    // -chk: the final checkpoint only (nnU-Net's default), the one predict uses.
    return { tool: RESULT_TOOLS.v2.exportModel, args: ['-d', String(a.datasetId), '-o', a.output, '-c', ...a.configurations, '-tr', a.trainer, '-p', a.plans, '-f', ...a.folds.map(String), '-chk', 'checkpoint_final.pth'] }
  }
  return { tool: RESULT_TOOLS.v1.exportModel, args: ['-t', String(a.datasetId), '-o', a.output, '-m', ...a.configurations, '-tr', a.trainer, '-pl', a.plans, '-f', ...a.folds.map(String)] }
}

export function importModelArgs(version: NnunetVersion, zip: string): NnunetCommand {
  return { tool: RESULT_TOOLS[version].importModel, args: [zip] }
}
