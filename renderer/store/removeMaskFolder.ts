// Remove in Sources with a way back (issue 18, point 10: a mask folder removed by a slip was gone,
// its path and name with it). The notice above the step says what went and offers Undo.
import { useProject } from './projectStore'
import { useWizard } from './wizardStore'

/** Removes mask folder `index` and shows a notice whose Undo puts it back where it was. */
export function removeMaskFolder(index: number): void {
  const project = useProject.getState()
  const row = project.labels[index]
  if (!row) return
  project.removeLabel(index)
  const after = useProject.getState().labels
  useWizard.getState().setNotice({
    step: 'sources',
    text: `Removed mask folder ${index + 1}${row.name ? ` “${row.name}”` : ''}${row.dir ? ` (${row.dir})` : ''}.`,
    undo: {
      label: 'Undo',
      run: () => {
        const now = useProject.getState()
        // Nothing changed since: the table as it was (the Labels step's Undo history agrees).
        if (now.labels === after) return now.undoLabels()
        // Edited since: the row goes back at its place, the edits kept.
        const at = Math.min(index, now.labels.length)
        useProject.setState({ labels: [...now.labels.slice(0, at), row, ...now.labels.slice(at)], labelHistory: [...now.labelHistory, now.labels], dirty: true })
      },
    },
  })
}
