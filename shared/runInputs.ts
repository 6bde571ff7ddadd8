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

/** What a training read, recorded in its fold folder when it starts: the plan's record (MODEL_INPUTS_FILE). */
export const MODEL_INPUTS_FILE = 'wizard_train_inputs.json'

/** What one fold of a model was trained from: the wizard's record, else nnU-Net's copy of dataset.json's numTraining. */
export interface FoldInputs {
  fold: string
  inputs?: DatasetInputs
  /** numTraining in the dataset.json nnU-Net copied into the model folder (a model trained without the record). */
  numTrainingCopy?: number
}

/** A model trained on an older version of its dataset, for Results and Predict. */
export interface OlderDataset {
  /** Training cases when it was trained (the oldest fold that differs), and now. */
  casesThen: number
  casesNow: number
  /** The folds trained on the older version. */
  folds: string[]
  /** "trained on an older version of the dataset (5 cases then, 6 now)". */
  text: string
}

/**
 * Whether a model's folds were trained on another version of the dataset than the raw dataset
 * holds now (more or fewer cases, cases rewritten, another dataset.json), in words; undefined when
 * each fold read what is there now, or nothing says what it read.
 */
export function olderDataset(folds: readonly FoldInputs[], now: DatasetInputs): OlderDataset | undefined {
  const older: { fold: string; cases: number; casesNow: number; how?: string }[] = []
  for (const f of folds) {
    if (f.inputs) {
      if (!inputsChanged(f.inputs, now)) continue
      const how = f.inputs.trainingCases === now.trainingCases ? (f.inputs.cases !== now.cases ? 'cases rewritten since' : 'dataset.json rewritten since') : undefined
      older.push({ fold: f.fold, cases: f.inputs.trainingCases, casesNow: now.trainingCases, ...(how && { how }) })
    } else if (f.numTrainingCopy !== undefined && now.numTraining !== undefined && f.numTrainingCopy !== now.numTraining) {
      // dataset.json's numTraining then and now: the same count on both sides.
      older.push({ fold: f.fold, cases: f.numTrainingCopy, casesNow: now.numTraining })
    }
  }
  if (!older.length) return undefined
  const first = older[0]!
  const counts = `${first.cases} case${first.cases === 1 ? '' : 's'} then, ${first.casesNow} now`
  return {
    casesThen: first.cases,
    casesNow: first.casesNow,
    folds: older.map((o) => o.fold),
    text: `trained on an older version of the dataset (${counts}${first.how ? `; ${first.how}` : ''})`,
  }
}
