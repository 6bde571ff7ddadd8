// The results of a finished training: the final validation Dice of each label, by name and colour,
// with a warning when a label scores zero or near it (the model has not learned it yet).
import type { ValidationSummary } from '../../../shared/api'
import { LOW_DICE, diceText, lowDiceLabels } from '../../../shared/diceWarning'
import type { NamedLabel } from '../../lib/namedLabels'

export function TrainingResults({ validation, labels }: { validation: ValidationSummary | undefined; labels: readonly NamedLabel[] }) {
  if (!validation) {
    return <p className="small muted">No final validation to show (fold “all” has none, and a run stopped early writes none).</p>
  }
  const low = lowDiceLabels(validation)
  return (
    <section className="card" data-testid="train-results">
      <h2>Final validation Dice</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Label</th>
              <th>Dice</th>
            </tr>
          </thead>
          <tbody>
            {validation.labels.map((l) => {
              const color = labels.find((n) => String(n.value) === l.key)?.color
              return (
                <tr key={l.key} data-testid="train-result-row">
                  <td>
                    {color && <span className="swatch" style={{ background: color }} />} {l.name}
                  </td>
                  <td className={l.dice === null || l.dice < LOW_DICE ? 'text-warning' : undefined}>{diceText(l.dice)}</td>
                </tr>
              )
            })}
            <tr>
              <td className="muted">mean over the labels</td>
              <td>{diceText(validation.mean)}</td>
            </tr>
          </tbody>
        </table>
      </div>
      {low.length > 0 && (
        <div className="banner banner-warning" data-testid="train-results-warning">
          {low.map((l) => l.name).join(', ')} {low.length === 1 ? 'has' : 'have'} a final Dice of zero or near it: the model has not learned{' '}
          {low.length === 1 ? 'this label' : 'these labels'} yet. A short run (few epochs) is expected to score this; otherwise check the masks in the Check step and train longer.
        </div>
      )}
      <p className="small muted">
        Mean over {validation.cases} validation case{validation.cases === 1 ? '' : 's'}, from <span className="mono">{validation.file}</span>.
      </p>
    </section>
  )
}
