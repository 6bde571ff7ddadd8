// Where predictions go by default (issue 18, item 10): beside the models that make them, never into
// the dataset. A folder inside nnUNet_raw/DatasetXXX_Name (the old imagesTs_predicted) leaves stray
// files in nnU-Net's raw dataset, which a later rewrite or check of the dataset then trips on.
//
//   <nnUNet_results>/<DatasetXXX_Name>/predictions/<trainer>__<plans>__<configuration>/<input name>
//
// nnU-Net v2 keeps its models in <nnUNet_results>/<DatasetXXX_Name>/<trainer>__<plans>__<config>
// (and its own ensembles/ there), so a researcher finds a model's predictions next to it under the
// same name; v1 keeps its models under <RESULTS_FOLDER>/nnUNet/, so <RESULTS_FOLDER>/<TaskXXX_Name>/
// holds nothing of nnU-Net's. Not inside the model folder itself: that folder is what a model zip
// carries, and predictions (patient data) must not travel with it. One folder per model and input,
// so predicting imagesTs with a second model never overwrites the first one's.
//
// Pure: the Node side gives the results folder (DatasetStatus.predictionsRoot), the page asks this
// module for the default (Predict's output, Results' test folder), and the service reads the same
// layout back (results/crossValidation.ts defaultTestFolders).

/** The dataset folder's sub-folder that holds its predictions, under nnUNet_results. */
export const PREDICTIONS_FOLDER = 'predictions'

/** Where predictions of imagesTs defaulted to before: inside the raw dataset. Still read, never written by default. */
export const LEGACY_TEST_PREDICTIONS = 'imagesTs_predicted'

/** The input's folder name when a path has none (a root, an empty field). */
const FALLBACK_INPUT = 'input'

/** The separator a path already uses (a Windows path from the Node side keeps its backslashes). */
function separatorOf(path: string): string {
  return path.includes('\\') && !path.includes('/') ? '\\' : '/'
}

function trimEnd(path: string): string {
  const t = path.replace(/[\\/]+$/, '')
  return t === '' && path !== '' ? path.slice(0, 1) : t
}

function joinPath(base: string, ...parts: string[]): string {
  const sep = separatorOf(base)
  const root = trimEnd(base)
  return [root === '/' || root === '\\' ? '' : root, ...parts].join(sep)
}

/** The last part of a path (a trailing separator ignored). */
export function lastFolderName(path: string): string {
  return trimEnd(path.trim()).split(/[\\/]/).pop() ?? ''
}

/** <nnUNet_results>/<DatasetXXX_Name>/predictions: the root every default prediction folder of the dataset is under. */
export function datasetPredictionsRoot(resultsDir: string, datasetFolder: string): string {
  return joinPath(resultsDir, datasetFolder, PREDICTIONS_FOLDER)
}

/** nnU-Net v2's own name of a model folder, used for its predictions' folder in either version. */
export function modelFolderName(model: { trainer: string; plans: string; configuration: string }): string {
  return `${model.trainer}__${model.plans}__${model.configuration}`
}

/**
 * The one default for a prediction's output folder: <root>/<trainer>__<plans>__<configuration>/<input
 * name>, root from datasetPredictionsRoot. The input's folder name (imagesTs, new-dicom) keeps
 * predictions of different inputs apart.
 */
export function defaultPredictionFolder(opts: { root: string; model: { trainer: string; plans: string; configuration: string }; input: string }): string {
  const name = lastFolderName(opts.input)
  return joinPath(opts.root, modelFolderName(opts.model), name === '' || name === '.' || name === '..' ? FALLBACK_INPUT : name)
}

/**
 * How a folder of test predictions is named beside its cases (Results, the report's CSV): under the
 * predictions root its model and input (nnUNetTrainer__nnUNetPlans__2d/imagesTs, since every
 * model's folder ends in the same input name), elsewhere its last folder name (imagesTs_predicted).
 */
export function predictionFolderLabel(folder: string, root: string | undefined): string {
  if (root) {
    const norm = (p: string) => trimEnd(p).replace(/\\/g, '/')
    const r = norm(root)
    const f = norm(folder)
    if (f.startsWith(`${r}/`)) return f.slice(r.length + 1)
  }
  return lastFolderName(folder)
}
