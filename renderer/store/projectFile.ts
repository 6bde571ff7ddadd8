// Saving and opening project files through the Api (the Node side owns the disk).
import { api } from '../api'
import { errorText } from '../lib/format'
import { projectFileOf, useProject } from './projectStore'
import { useWizard } from './wizardStore'

export async function saveProject(path?: string): Promise<boolean> {
  const p = useProject.getState()
  const target = (path ?? p.projectPath ?? '').trim()
  if (!target) return false
  try {
    await api.saveProject({ path: target, project: projectFileOf(p) })
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

let timer: ReturnType<typeof setTimeout> | undefined
/** Saves a project that has a file a moment after each change, so closing the app loses nothing. */
export function startAutosave(): () => void {
  return useProject.subscribe((s, prev) => {
    if (!s.projectPath || (!s.dirty && s.step === prev.step)) return
    clearTimeout(timer)
    timer = setTimeout(() => void saveProject(), 800)
  })
}
