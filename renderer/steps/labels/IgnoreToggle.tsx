// Marking a mask folder as nnU-Net v2's ignore label (documentation/ignore_label.md): voxels
// nobody annotated, which nnU-Net leaves out of the loss. The row moves to the end of the list
// (merged last, so it gets the highest value, as nnU-Net requires) and is drawn grey in the
// preview; dataset.json names it "ignore". nnU-Net v1 has no ignore label: refused with the reason.
import { IGNORE_NAME, ignoreLabelFindings } from '../../../shared/ignoreLabel'
import { useProject, type LabelRow } from '../../store/projectStore'
import { useSettings } from '../../store/settingsStore'

/** Why this project cannot have an ignore label, or null. */
function v1Reason(layout: string, version: string | undefined): string | null {
  if (layout === 'msd') return 'The Decathlon (MSD) layout is for nnU-Net v1, which has no ignore label.'
  if (version === 'v1') return 'nnU-Net v1 has no ignore label: it would train the unannotated voxels as a structure.'
  return null
}

export function IgnoreToggle({ index, label }: { index: number; label: LabelRow }) {
  const layout = useProject((s) => s.output.layout)
  const version = useSettings((s) => s.settings?.nnunetVersion)
  const setIgnoreLabel = useProject((s) => s.setIgnoreLabel)
  const why = v1Reason(layout, version)
  return (
    <label className="check small" title={why ?? 'Voxels nobody annotated: nnU-Net leaves them out of the loss. Merged last, named "ignore" in dataset.json.'}>
      <input type="checkbox" checked={!!label.ignore} disabled={!!why && !label.ignore} onChange={(e) => setIgnoreLabel(e.target.checked ? index : null)} data-testid={`label-ignore-${index}`} />
      {label.ignore ? IGNORE_NAME : ''}
    </label>
  )
}

/** What an ignore label means here, and what is wrong with it (not last, v1, ...). */
export function IgnoreNote() {
  const labels = useProject((s) => s.labels)
  const layout = useProject((s) => s.output.layout)
  const regions = useProject((s) => s.output.regions)
  const version = useSettings((s) => s.settings?.nnunetVersion)
  const ignored = labels.find((l) => l.ignore)
  if (!ignored) return null
  const why = v1Reason(layout, version)
  const problems = ignoreLabelFindings(labels, layout, regions).filter((f) => !(why && f.code === 'ignore-needs-v2'))
  return (
    <section className="card" data-testid="ignore-note">
      <p>
        “{ignored.name}” is the ignore label: its voxels are merged last (value {labels.indexOf(ignored) + 1}, the highest), named “{IGNORE_NAME}” in dataset.json, drawn grey in the preview, and
        left out of nnU-Net’s loss (partly annotated data).
      </p>
      {why && <p className="text-error" data-testid="ignore-refused">{why} Write the nnU-Net v2 layout, or unmark the folder.</p>}
      {problems.map((f) => (
        <p key={f.code} className="text-error" data-testid="ignore-problem">
          {f.text} {f.hint}
        </p>
      ))}
    </section>
  )
}
