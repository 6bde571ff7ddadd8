// Project files and drafts: the wizard's state, saved to a file of its own or kept as a draft in
// the data folder, and the project the app reopens.
import { z } from 'zod'
import { type Input, pathText } from './common'
import { labelSource, outputSpec, sourceSpec } from './dataset'
import { projectEnv, type ProjectEnv } from './env'

export const projectFile = z.object({
  format: z.literal('nnunet-wizard-project'),
  version: z.literal(1),
  // A project in progress may have no folders yet (autosave keeps it from the first edit).
  sources: sourceSpec.partial({ imagesDir: true }).extend({ imagesDir: z.string().default(''), labels: z.array(labelSource).max(254).default([]) }),
  // What the user typed, even out of range (an id of 1000 while typing): the Output step says
  // what is wrong; the project file keeps it so nothing typed is lost.
  output: outputSpec.partial({ outDir: true, id: true, name: true }).extend({ id: z.number().int().optional() }),
  step: z.string().default('start'),
  /**
   * Each step's form, by step id (e.g. forms.plan, forms.train): plain JSON the step owns. A step
   * reads it through useProjectForm (renderer/store/projectForms.ts), which fills missing keys with
   * its defaults, so a form that gains a field still opens older files.
   */
  forms: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  /**
   * The nnU-Net environment this project runs with (electron/service/projectEnvironment.ts). A
   * project without one (an older file, a new project) takes the defaults of the settings file
   * once, when it is first opened or written.
   */
  env: projectEnv.optional(),
})

export type ProjectFile = z.infer<typeof projectFile>

export const saveProjectRequest = z.object({ path: pathText, project: projectFile })

export const loadProjectRequest = z.object({ path: pathText })

/** A draft: a project never saved to a file of its own, kept in the data folder (drafts/<id>.json). */
export const draftId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'a draft id')

/** The newest job of each kind the open project started, with its request as text. */
export const projectRuns = z.record(z.string(), z.object({ jobId: z.string().max(200), request: z.string().max(1_000_000) }))

export type ProjectRuns = z.infer<typeof projectRuns>

/**
 * The open project, written a moment after each edit: to its own file when it has one (path),
 * else to its draft (a new one when draftId is null). Either way it is what the app reopens.
 */
export const autosaveProjectRequest = z.object({
  project: projectFile,
  path: pathText.nullable().default(null),
  draftId: draftId.nullable().default(null),
  runs: projectRuns.default({}),
})

export const draftRequest = z.object({ draftId })

/** Where an autosave went: the project's own file, or its draft. */
export interface AutosaveResult {
  path: string | null
  draftId: string | null
  savedAt: number
  /** The environment the project was written with (the defaults' when it came without one). */
  env?: ProjectEnv
}

/** The open project as the data folder keeps it: the file's content, where it lives, and its jobs. */
export interface ProjectSession extends AutosaveResult {
  project: ProjectFile
  runs: ProjectRuns
}

export interface ProjectDraft {
  draftId: string
  name: string
  step: string
  savedAt: number
}

/** The methods of this area, each with the zod schema of its request (null: it takes none). */
export const projectsRequests = {
  saveProject: saveProjectRequest,
  loadProject: loadProjectRequest,
  recentProjects: null,
  autosaveProject: autosaveProjectRequest,
  currentProject: null,
  projectDrafts: null,
  openDraft: draftRequest,
  discardDraft: draftRequest,
} as const

type Req<K extends keyof typeof projectsRequests> = Input<(typeof projectsRequests)[K]>

export interface ProjectsApi {
  saveProject(req: Req<'saveProject'>): Promise<void>
  loadProject(req: Req<'loadProject'>): Promise<ProjectFile>
  recentProjects(): Promise<{ path: string; name: string; savedAt: number }[]>
  /** Writes the open project (its own file, or its draft in the data folder) and makes it the one the app reopens. */
  autosaveProject(req: Req<'autosaveProject'>): Promise<AutosaveResult>
  /** The project the app had open last (after a reload or a restart), or null. */
  currentProject(): Promise<ProjectSession | null>
  /** Projects never saved to a file of their own, newest first. */
  projectDrafts(): Promise<ProjectDraft[]>
  /** Opens a draft (it becomes the project the app reopens). */
  openDraft(req: Req<'openDraft'>): Promise<ProjectSession>
  discardDraft(req: Req<'discardDraft'>): Promise<void>
}
