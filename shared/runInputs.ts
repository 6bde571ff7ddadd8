// What a run read, as fingerprints, and the one rule that says whether its result is stale: a plan
// (nnU-Net's preprocessed data) made from another dataset.json or other cases than the raw dataset
// holds now must not be trained on, and its step loses its tick. Pure: no Node, no DOM.

/** The fingerprints of a raw dataset as a run read it. */
export interface DatasetInputs {
  /** SHA-256 of dataset.json's bytes. */
  datasetJson: string
  /** dataset.json's numTraining, and the files in imagesTr / imagesTs (what a reader checks first). */
  numTraining?: number
  trainingCases: number
  testCases: number
  /** SHA-256 over the sorted cases: the manifest's source hashes when the wizard wrote it, else names and sizes. */
  cases: string
  /** Where `cases` came from. */
  casesFrom: 'manifest' | 'files'
}

/** The record a plan leaves beside nnU-Net's preprocessed data (PLAN_INPUTS_FILE). */
export interface PlanInputsRecord {
  dataset: DatasetInputs
  plannedAt: string
}

export const PLAN_INPUTS_FILE = 'wizard_plan_inputs.json'

/**
 * Why results made from `then` are stale for a dataset that is `now`, in words, or undefined when
 * nothing they read changed.
 */
export function inputsChanged(then: DatasetInputs, now: DatasetInputs): string | undefined {
  const what: string[] = []
  if (then.trainingCases !== now.trainingCases) what.push(`${now.trainingCases} training cases (planned with ${then.trainingCases})`)
  if (then.testCases !== now.testCases) what.push(`${now.testCases} test cases (planned with ${then.testCases})`)
  if (then.numTraining !== now.numTraining && then.numTraining !== undefined && now.numTraining !== undefined) what.push(`numTraining ${now.numTraining} in dataset.json (planned with ${then.numTraining})`)
  if (!what.length && then.cases !== now.cases && then.casesFrom === now.casesFrom) what.push('cases rewritten since (their files differ)')
  if (!what.length && then.datasetJson !== now.datasetJson) what.push('dataset.json rewritten since')
  return what.length ? `the dataset changed since it was planned: ${what.join(', ')}` : undefined
}

/** The sentence that refuses a training on stale preprocessed data, with what to do. */
export function planAgainText(datasetId: number, dataset: string, why: string): string {
  return `Dataset ${datasetId} (${dataset}): ${why}. Its preprocessed data is older than the dataset: plan again (Plan step, or nnunet-wizard plan -d ${datasetId}), then train.`
}
