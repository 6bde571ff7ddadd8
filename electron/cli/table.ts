import type { CliCommand } from './command'

export type { CliCommand } from './command'

export const commandTable: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  prepare: { summary: 'turn image + mask folders into an nnU-Net dataset (v2 or MSD/Decathlon)', load: () => import('./prepare') },
  env: { summary: 'show Python, nnU-Net, torch and GPUs; --install makes a managed venv', load: () => import('./env') },
  plan: { summary: 'plan and preprocess a dataset (with --verify_dataset_integrity)', load: () => import('./plan') },
  train: { summary: 'train a configuration and fold, with live progress', load: () => import('./train') },
  trainer: { summary: 'make your own trainer (epochs, loss, own Python), checked by nnU-Net', load: () => import('./trainer') },
  predict: { summary: 'predict a folder of images with a trained model', load: () => import('./predict') },
  dataset: { summary: 'dataset add: a corrected case into imagesTr/labelsTr, splits and manifest', load: () => import('./dataset') },
  splits: { summary: 'show or write the cross-validation folds, grouped by patient', load: () => import('./splits') },
  results: { summary: 'cross-validation and test results per fold and case; HTML/CSV report', load: () => import('./results') },
  model: { summary: 'export a trained model to a zip, or import one (nnU-Net\'s own tools)', load: () => import('./model') },
  'export-scripts': { summary: 'write the study as bash and sbatch scripts (plan, train array, find_best, predict)', load: () => import('./exportScripts') },
  dicom: { summary: 'DICOM case folders: list their series, structure sets and problems', load: () => import('./dicom') },
  serve: { summary: 'run the wizard in a browser (127.0.0.1, token-protected)', load: () => import('./serve') },
}
