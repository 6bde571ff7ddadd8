// A model trained on an older version of its dataset (issue 18: "Nothing stale"): the dataset was
// rewritten since (cases added, removed or changed), so its scores and predictions are those of
// the old version. Results and Predict say so beside the model (the rule: shared/runInputs.ts).
import type { TrainedModel } from '../../shared/api'

export function OlderDatasetFlag({ model, name }: { model: TrainedModel | undefined; name: string }) {
  const older = model?.olderDataset
  if (!older) return null
  const folds = older.folds.length === 1 ? `fold ${older.folds[0]}` : `folds ${older.folds.join(', ')}`
  return (
    <div className="banner banner-warning small" role="status" data-testid="older-dataset" data-cases-then={older.casesThen} data-cases-now={older.casesNow}>
      <span>
        <b>{name}</b> ({folds}) was {older.text}. Its scores and predictions are those of the old version: plan and train it again to use the current cases.
      </span>
    </div>
  )
}
