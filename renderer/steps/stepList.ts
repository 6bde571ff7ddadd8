// The wizard's steps, in order. The id is what the project file stores as "step".

export type StepId = 'start' | 'sources' | 'labels' | 'check' | 'preview' | 'output' | 'write' | 'environment' | 'plan' | 'train' | 'results' | 'predict' | 'review'

export interface StepDef {
  id: StepId
  title: string
  group: 'dataset' | 'nnunet'
  /** One line under the title on each screen. */
  summary: string
}

export const STEPS: StepDef[] = [
  { id: 'start', title: 'Start', group: 'dataset', summary: 'Start a new project or continue one you saved.' },
  { id: 'sources', title: 'Sources', group: 'dataset', summary: 'The folder with your scans and one folder of binary masks per structure.' },
  { id: 'labels', title: 'Labels', group: 'dataset', summary: 'Name each structure, choose its colour and which one wins where masks overlap.' },
  { id: 'check', title: 'Check', group: 'dataset', summary: 'Read every case and report problems before anything is written.' },
  { id: 'preview', title: 'Preview', group: 'dataset', summary: 'Look at the merged label map over each scan.' },
  { id: 'output', title: 'Output', group: 'dataset', summary: 'Where and how the nnU-Net dataset will be written.' },
  { id: 'write', title: 'Write', group: 'dataset', summary: 'Convert the scans and merged labels into the dataset folder.' },
  { id: 'environment', title: 'Environment', group: 'nnunet', summary: 'Python, nnU-Net, GPU and the nnU-Net folders.' },
  { id: 'plan', title: 'Plan', group: 'nnunet', summary: 'Plan and preprocess the dataset (nnU-Net’s fingerprint and plans).' },
  { id: 'train', title: 'Train', group: 'nnunet', summary: 'Train a configuration and fold, and watch it learn.' },
  { id: 'results', title: 'Results', group: 'nnunet', summary: 'How good is the model and where does it fail: folds, cases, test set; report and model zip.' },
  { id: 'predict', title: 'Predict', group: 'nnunet', summary: 'Segment new scans with a trained model.' },
  { id: 'review', title: 'Review', group: 'nnunet', summary: 'The predicted cases, most unsure first: correct them in the viewer and add them to the dataset.' },
]

export function stepIndex(id: string): number {
  const i = STEPS.findIndex((s) => s.id === id)
  return i < 0 ? 0 : i
}

export function isStepId(id: string): id is StepId {
  return STEPS.some((s) => s.id === id)
}
