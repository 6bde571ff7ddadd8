// The open project is kept by the Node side from its first edit (DESIGN: state that must survive a
// closed window lives there): a moment after each change it goes to autosaveProject, which writes
// its own file or, before it has one, its draft in the data folder. On load the page asks for the
// project the app had open (currentProject) and shows it at its step, with every form, before the
// first frame. Nothing is kept in the browser itself, so a reload, a second tab and a restarted
// app all see the same project. Leaving while a write is pending or has failed asks first.
import { api } from '../api'
import { errorText } from '../lib/format'
import type { StepId } from '../steps/stepList'
import { projectFileOf, useProject, type ProjectState } from './projectStore'
import { useWizard } from './wizardStore'

/** Long enough to gather a burst of typing into one write, short enough that a reload rarely beats it. */
export const AUTOSAVE_DELAY_MS = 400

let timer: ReturnType<typeof setTimeout> | undefined
/** Edits made since the last write began (bumped by every kept change). */
let edits = 0
let written = 0
let writing: Promise<boolean> | null = null
let failed: string | null = null
/** Set while the store takes what a write returned (a new project's environment): that is on disk already, no edit. */
let adopting = false
/**
 * The project environment as the Node side last had it from this page (written, opened, or
 * returned). An autosave sends the environment only when this page changed it since, so a second
 * tab with older values never writes them back over the newer ones (the server keeps the file's).
 */
let envKnown: unknown = undefined
/**
 * The step written with the project: Start is where projects are chosen, not a step of one, so a
 * project left for Start reopens at the step it was on before.
 */
let workStep: StepId | null = null

/** The step the open project was last on before Start (where "Continue" takes the user back). */
export function resumeStep(): StepId {
  return workStep ?? 'sources'
}

/** Puts the project the app had open back into the store; false when there is none. */
export async function restoreProject(): Promise<boolean> {
  const session = await api.currentProject()
  if (!session) return false
  useProject.getState().loadSession(session)
  edits = written = 0
  const step = useProject.getState().step
  workStep = step === 'start' ? null : step
  return true
}

/**
 * Whether a change is an edit of the same project that is kept (Undo history and save bookkeeping
 * alone are not). Another project coming in (opened, new, restored) is not an edit: the Node side
 * already holds it.
 */
function keptChanged(s: ProjectState, prev: ProjectState): boolean {
  // A new project (dirty from the start) is written at once: it takes its environment then.
  if (s.generation !== prev.generation) return s.dirty && !s.projectPath && !s.draftId && !s.env
  return (
    s.step !== prev.step ||
    s.imagesDir !== prev.imagesDir ||
    s.labels !== prev.labels ||
    s.allowMissingMask !== prev.allowMissingMask ||
    s.output !== prev.output ||
    s.forms !== prev.forms ||
    s.runs !== prev.runs ||
    s.env !== prev.env
  )
}

/** A project is kept from its first edit; one only opened and looked at needs no draft. */
function worthKeeping(s: ProjectState): boolean {
  return s.dirty || !!s.projectPath || !!s.draftId
}

async function write(): Promise<boolean> {
  const s = useProject.getState()
  const upTo = edits
  try {
    const step = s.step === 'start' ? (workStep ?? 'sources') : s.step
    const sendEnv = s.env !== envKnown
    const r = await api.autosaveProject({ project: projectFileOf({ ...s, step, env: sendEnv ? s.env : null }), path: s.projectPath, draftId: s.draftId, runs: s.runs })
    if (sendEnv) envKnown = s.env
    written = Math.max(written, upTo)
    failed = null
    const now = useProject.getState()
    // A project replaced meanwhile (new, opened) keeps its own identity.
    if (now.generation === s.generation) {
      // A new project's first write gave it the defaults' environment: it holds that from now on.
      adopting = true
      try {
        useProject.setState({ draftId: r.draftId, projectPath: r.path, ...(edits === upTo && { dirty: false }), ...(!now.env && r.env && { env: r.env }) })
        if (!now.env && r.env) envKnown = useProject.getState().env
      } finally {
        adopting = false
      }
    }
    useWizard.getState().setSaveResult(null)
    return true
  } catch (err) {
    failed = errorText(err)
    useWizard.getState().setSaveResult(failed)
    return false
  }
}

/** Rounds of writing one flush makes while edits keep arriving during its writes. */
const FLUSH_ROUNDS = 5

/**
 * Writes pending changes now (and waits for a write under way); true when everything is on disk.
 * An edit made while a write was on its way (a slow machine, a step's form settling) is written in
 * the next round: only a write that fails, twice, or edits that never stop count as not kept, so
 * "New project" never asks about changes that were merely late.
 */
export async function flushProject(): Promise<boolean> {
  for (let round = 0; round < FLUSH_ROUNDS; round++) {
    clearTimeout(timer)
    timer = undefined
    while (writing) await writing
    if (edits <= written && !failed) break
    if (failed && round > 0) break // retried once in this flush; it failed again
    writing = write().finally(() => (writing = null))
    await writing
  }
  return edits <= written && !failed
}

/** Keeps every change of the project on the Node side; returns the unsubscribe. */
export function keepProject(): () => void {
  const step = useProject.getState().step
  if (step !== 'start') workStep = step
  envKnown = useProject.getState().env
  const unsubscribe = useProject.subscribe((s, prev) => {
    if (s.step !== 'start') workStep = s.step
    // Another project came in (opened, restored): its environment is what the Node side holds.
    if (s.generation !== prev.generation) envKnown = s.env
    if (adopting || !keptChanged(s, prev) || !worthKeeping(s)) return
    edits++
    clearTimeout(timer)
    timer = setTimeout(() => void flushProject(), AUTOSAVE_DELAY_MS)
  })
  // A page being hidden or closed sends what is pending at once (the server finishes it).
  const onHide = () => {
    if (edits > written) void flushProject()
  }
  globalThis.addEventListener?.('pagehide', onHide)
  return () => {
    unsubscribe()
    globalThis.removeEventListener?.('pagehide', onHide)
  }
}

/** Work that leaving now would lose: changes not yet written, or a write that failed. */
export function unsavedWork(): boolean {
  return edits > written || failed !== null
}

/** The message for an action that would drop unwritten changes, or null when nothing is at risk. */
export async function lossBeforeSwitching(): Promise<string | null> {
  if (await flushProject()) return null
  return `The current project has changes that could not be written (${failed ?? 'still saving'}). They will be lost.`
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
