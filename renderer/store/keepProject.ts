// The open project survives a reload or a closed tab: every change is kept in the browser's
// localStorage and restored when the page loads, with its step and the jobs it started (the jobs
// themselves live on the server). Where the browser cannot keep it, leaving the page warns first.
import { z } from 'zod'
import type { JobKind } from '../../shared/api'
import { layoutKind, rgb } from '../../shared/schema'
import { isStepId, type StepId } from '../steps/stepList'
import { DEFAULT_OUTPUT, useProject, type ProjectState } from './projectStore'

export const KEEP_KEY = 'nnunet-wizard.project'

const keptSchema = z.object({
  version: z.literal(1),
  projectPath: z.string().nullable(),
  step: z.string().refine(isStepId),
  imagesDir: z.string(),
  labels: z.array(z.object({ name: z.string(), dir: z.string(), color: rgb })),
  allowMissingMask: z.boolean(),
  // Fields added to the form later fall back to their defaults.
  output: z.object({ layout: layoutKind }).passthrough(),
  dirty: z.boolean(),
  runs: z.record(z.string(), z.object({ jobId: z.string(), request: z.string() })),
  forms: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
})

type Kept = Pick<ProjectState, 'projectPath' | 'step' | 'imagesDir' | 'labels' | 'allowMissingMask' | 'output' | 'dirty' | 'runs' | 'forms'>

function keptOf(s: ProjectState): Kept & { version: 1 } {
  const { projectPath, step, imagesDir, labels, allowMissingMask, output, dirty, runs, forms } = s
  return { version: 1, projectPath, step, imagesDir, labels, allowMissingMask, output, dirty, runs, forms }
}

function browserStorage(): Storage | undefined {
  try {
    return globalThis.localStorage
  } catch {
    return undefined // storage disabled by the browser's settings
  }
}

/** Puts the kept project back into the store; false when there is none (or it cannot be read). */
export function restoreProject(storage: Storage | undefined = browserStorage()): boolean {
  let text: string | null = null
  try {
    text = storage?.getItem(KEEP_KEY) ?? null
  } catch {
    return false
  }
  if (!text) return false
  let parsed: z.infer<typeof keptSchema>
  try {
    parsed = keptSchema.parse(JSON.parse(text))
  } catch {
    return false // written by another version of the app: start clean rather than half-restore
  }
  useProject.setState({
    projectPath: parsed.projectPath,
    step: parsed.step as StepId,
    imagesDir: parsed.imagesDir,
    labels: parsed.labels,
    allowMissingMask: parsed.allowMissingMask,
    output: { ...DEFAULT_OUTPUT, ...(parsed.output as Partial<typeof DEFAULT_OUTPUT>) },
    dirty: parsed.dirty,
    runs: parsed.runs as Partial<Record<JobKind, { jobId: string; request: string }>>,
    labelHistory: [],
    forms: parsed.forms,
  })
  return true
}

let keptOk = true

/** Keeps every change of the project; returns the unsubscribe. */
export function keepProject(storage: Storage | undefined = browserStorage()): () => void {
  const write = (s: ProjectState) => {
    try {
      if (!storage) throw new Error('no storage')
      storage.setItem(KEEP_KEY, JSON.stringify(keptOf(s)))
      keptOk = true
    } catch {
      keptOk = false // quota or private mode: the beforeunload warning covers it
    }
  }
  write(useProject.getState())
  return useProject.subscribe((s, prev) => {
    // Undo history alone is not kept; every other change is.
    if (s.labelHistory !== prev.labelHistory && s.labels === prev.labels && s.output === prev.output) return
    write(s)
  })
}

/** Work that leaving the page now would lose: the browser could not keep it, or its project file is behind. */
export function unsavedWork(s: ProjectState = useProject.getState()): boolean {
  const hasWork = !!s.imagesDir || s.labels.length > 0 || !!s.output.outDir || !!s.output.name
  if (!hasWork) return false
  return !keptOk || (!!s.projectPath && s.dirty)
}

/** The browser's "Leave site?" question while unsavedWork holds (browser mode only: Electron would close silently otherwise). */
export function warnBeforeLeaving(): () => void {
  const onBeforeUnload = (e: BeforeUnloadEvent) => {
    if (!unsavedWork()) return
    e.preventDefault()
    e.returnValue = '' // Chrome before 119 asks only when returnValue is set
  }
  window.addEventListener('beforeunload', onBeforeUnload)
  return () => window.removeEventListener('beforeunload', onBeforeUnload)
}
