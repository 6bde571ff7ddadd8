import type { Finding } from '../../shared/api'

const ICON: Record<Finding['severity'], string> = { error: '✖', warning: '▲', info: 'ℹ' }

/** Findings with what to do about each; the file is shown as text a user can copy. */
export function FindingList({ findings, testId }: { findings: readonly Finding[]; testId?: string }) {
  if (findings.length === 0) return null
  return (
    <ul className="findings" data-testid={testId ?? 'findings'}>
      {findings.map((f, i) => (
        <li key={i} className={`finding finding-${f.severity}`} data-code={f.code}>
          <span className="finding-icon" aria-label={f.severity}>
            {ICON[f.severity]}
          </span>
          <div>
            <div className="finding-text">{f.text}</div>
            {f.file && <div className="finding-file mono">{f.file}</div>}
            {f.hint && <div className="finding-hint">What to do: {f.hint}</div>}
          </div>
        </li>
      ))}
    </ul>
  )
}
