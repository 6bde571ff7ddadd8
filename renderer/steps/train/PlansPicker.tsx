// The plans a training uses: the dataset's plans files (v2: nnUNetPlans, nnUNetResEncUNetMPlans,
// ...), preselected with the ones it was planned with last, which the service also uses when the
// request names none. Hidden when the dataset has one plans file or none (nothing to choose).
import type { DatasetStatus } from '../../../shared/api'
import { plansLabel } from '../../../shared/plans'

/** The plans shown as chosen: the form's pick when the dataset still has it, else the dataset's own choice. */
export function shownPlans(picked: string | null, dataset: DatasetStatus | undefined): string | undefined {
  return picked && dataset?.plansAvailable?.includes(picked) ? picked : dataset?.chosenPlans
}

export function PlansPicker({ dataset, picked, onPick }: { dataset: DatasetStatus | undefined; picked: string | null; onPick: (plans: string | null) => void }) {
  const available = dataset?.plansAvailable ?? []
  const shown = shownPlans(picked, dataset)
  if (available.length < 2 && (!shown || shown === 'nnUNetPlans')) return null
  return (
    <div className="field">
      <label htmlFor="tr-plans">Plans</label>
      <select id="tr-plans" value={shown ?? ''} onChange={(e) => onPick(e.target.value === dataset?.chosenPlans ? null : e.target.value)} data-testid="train-plans">
        {available.map((p) => (
          <option key={p} value={p}>
            {plansLabel(p)}
            {p === dataset?.chosenPlans ? ' – planned last' : ''}
          </option>
        ))}
      </select>
      <div className="help">The plans in nnUNet_preprocessed for this dataset (-p).</div>
    </div>
  )
}
