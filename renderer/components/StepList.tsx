import { STEPS, type StepId } from '../steps/stepList'

/** The wizard's steps on the side: where you are, and a way to jump anywhere. */
export function StepList({ current, onSelect }: { current: StepId; onSelect(step: StepId): void }) {
  const currentIndex = STEPS.findIndex((s) => s.id === current)
  return (
    <nav className="steplist" aria-label="Wizard steps">
      {(['dataset', 'nnunet'] as const).map((group) => (
        <div key={group}>
          <div className="steplist-group">{group === 'dataset' ? 'Dataset' : 'nnU-Net'}</div>
          <ol>
            {STEPS.filter((s) => s.group === group).map((s) => {
              const i = STEPS.indexOf(s)
              return (
                <li key={s.id}>
                  <button
                    type="button"
                    className={`steplist-item${s.id === current ? ' active' : ''}${i < currentIndex ? ' done' : ''}`}
                    aria-current={s.id === current ? 'step' : undefined}
                    onClick={() => onSelect(s.id)}
                    data-testid={`step-${s.id}`}
                  >
                    <span className="steplist-num">{i + 1}</span>
                    {s.title}
                  </button>
                </li>
              )
            })}
          </ol>
        </div>
      ))}
    </nav>
  )
}
