// Patients for grouped splits: a regular expression on the image file names (its first group is
// the patient) with a live preview of the groups it makes. Test cases are then whole patients,
// and prepare writes case_groups.json so the grouped cross-validation folds can be written after
// planning (Plan step, or nnunet-wizard splits --write). A CSV "case,group" is the CLI's option.
import { useMemo } from 'react'
import { groupByPattern } from '../../../shared/splits'
import { api } from '../../api'
import { useDebouncedQuery } from '../../lib/useDebouncedQuery'
import { useProject, useSourceSpec } from '../../store/projectStore'

const SHOWN = 12

export function PatientGroups() {
  const pattern = useProject((s) => s.output.groupPattern)
  const setOutput = useProject((s) => s.setOutput)
  const spec = useSourceSpec()
  const { data: scan } = useDebouncedQuery(spec, 300, (req) => api.scanSources(req))
  const keys = useMemo(() => scan?.cases.map((c) => c.caseKey) ?? [], [scan])
  const result = useMemo(() => (pattern.trim() ? groupByPattern(keys, pattern.trim()) : null), [keys, pattern])
  const groups = result ? [...result.groups.entries()] : []
  const several = groups.filter(([, cases]) => cases.length > 1).length
  return (
    <div className="field" data-testid="patient-groups">
      <label htmlFor="group-pattern">Patients (several scans of one patient stay on one side of every split)</label>
      <input id="group-pattern" className="mono" value={pattern} placeholder="e.g. ^(patient\d+)_ : the first group names the patient" onChange={(e) => setOutput({ groupPattern: e.target.value })} data-testid="group-pattern" />
      {result?.error && <div className="field-error" data-testid="group-pattern-error">{result.error}</div>}
      {result && !result.error && (
        <div className="help" data-testid="group-preview">
          <div data-testid="group-summary">
            {groups.length} patient{groups.length === 1 ? '' : 's'} from {keys.length} case{keys.length === 1 ? '' : 's'}
            {several ? `, ${several} with several scans` : ''}
            {result.unmatched.length ? `; ${result.unmatched.length} not matched (each its own patient)` : ''}. Test cases are whole patients; after planning, the Plan step writes grouped folds.
          </div>
          <ul className="small">
            {groups.slice(0, SHOWN).map(([g, cases]) => (
              <li key={g} data-testid="group-row">
                <span className="mono">{g}</span>: {cases.join(', ')}
              </li>
            ))}
            {groups.length > SHOWN && <li className="muted">… and {groups.length - SHOWN} more</li>}
          </ul>
        </div>
      )}
    </div>
  )
}
