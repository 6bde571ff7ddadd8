// Saving and opening projects through the Api (the Node side owns the disk). Saving to a file and
// the autosave are one write (autosaveProject with a path); a draft saved to a file is replaced by it.
import { api } from '../api'
import { errorText } from '../lib/format'
import { flushProject } from './keepProject'
import { projectFileOf, useProject } from './projectStore'
import { useWizard } from './wizardStore'

/** Saves to `path` (Save as) or to the project's own file; false with the reason shown when it fails. */
/** A typed name without an ending gets the project file's ("liver" -> "liver.nnwizard.json"), so Open and the recent list know it. */
export function projectFilePath(path: string): string {
  const p = path.trim()
  return !p || /\.json$/i.test(p) ? p : `${p}.nnwizard.json`
}

export async function saveProject(path?: string): Promise<boolean> {
  const p = useProject.getState()
  const target = projectFilePath(path ?? p.projectPath ?? '')
  if (!target) return false
  try {
    await flushProject() // a pending autosave of the draft lands first, so the draft is then removed
    const now = useProject.getState()
    await api.autosaveProject({ project: projectFileOf(now), path: target, draftId: now.draftId, runs: now.runs })
    useProject.getState().markSaved(target)
    useWizard.getState().setSaveResult(null)
    return true
  } catch (err) {
    useWizard.getState().setSaveResult(errorText(err))
    return false
  }
}

export async function openProject(path: string): Promise<void> {
  const file = await api.loadProject({ path })
  useProject.getState().loadFile(file, path)
}

export async function openDraft(draftId: string): Promise<void> {
  useProject.getState().loadSession(await api.openDraft({ draftId }))
}
