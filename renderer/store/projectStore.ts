// The project: source folders, label table, output options and the current step. This is what a
// project file holds; everything else (jobs, settings) lives in its own store.
import { useMemo } from 'react'
import { create } from 'zustand'
import type { JobKind, ProjectEnv, ProjectSession } from '../../shared/api'
import { DEFAULT_SPLIT, type LayoutKind, type PrepareRequest, type ProjectFile, type Rgb, type SourceSpecInput } from '../../shared/schema'
import { defaultLabelColor } from '../viewer/labelLut'
import { isStepId, type StepId } from '../steps/stepList'
import { lastPathPart } from '../lib/format'
import type { StructureChoice } from '../../shared/structureSpec'

export interface LabelRow {
  name: string
  dir: string
  color: Rgb
  /** nnU-Net's ignore label (unannotated voxels): kept last, "ignore" in dataset.json. */
  ignore?: boolean
  /** Read from RTSTRUCT ROIs / SEG segments in `dir` named `names` ("A|B|C" aliases); absent: `dir` holds masks. */
  structure?: StructureChoice
}

export interface OutputForm {
  layout: LayoutKind
  outDir: string
  id: number | null
  name: string
  prefix: string
  testCount: number | null
  testFraction: number | null
  seed: number
  description: string
  reference: string
  licence: string
  release: string
  channelNames: string[]
  overwrite: boolean
  /** false: manifest.json keeps no source file names or folders (hashes and case ids only). */
  sourcePaths: boolean
  /** false: held-out test cases get no merged label in labelsTs. */
  testLabels: boolean
  /** v2: dataset.json for region-based training where masks nest (Check step's regions card). */
  regions: boolean
  /** Patients: a regular expression on the case key (shared/splits.ts); '' = none. */
  groupPattern: string
}

/** A job this project started, and the request it ran (as text), so a step shows it only while the project still asks for the same. */
export interface ProjectRun {
  jobId: string
  request: string
}

export interface ProjectState {
  projectPath: string | null
  /** The draft in the data folder that holds this project while it has no file of its own. */
  draftId: string | null
  /** Bumped whenever another project replaces this one (new, opened), so a late autosave reply is never taken for the next. */
  generation: number
  step: StepId
  imagesDir: string
  labels: LabelRow[]
  allowMissingMask: boolean
  output: OutputForm
  /** Earlier label tables, newest last, for Undo. */
  labelHistory: LabelRow[][]
  /** Changed since the last save or load. */
  dirty: boolean
  /** The newest job of each kind this project started (not in the project file: jobs belong to one server). */
  runs: Partial<Record<JobKind, ProjectRun>>
  /** Each step's form by step id (read and written through useProjectForm in projectForms.ts). */
  forms: ProjectForms
  /**
   * The nnU-Net environment the project owns (interpreter, version, folders; issue 18.2). null: a
   * new project before its first write, which takes the defaults then (the autosave returns them).
   */
  env: ProjectEnv | null

  setStep(step: StepId): void
  setImagesDir(dir: string): void
  setAllowMissingMask(v: boolean): void
  addMaskFolder(dir: string): void
  setMaskDir(index: number, dir: string): void
  updateLabel(index: number, patch: Partial<LabelRow>): void
  removeLabel(index: number): void
  moveLabel(from: number, to: number): void
  /** Marks one mask folder as the ignore label (moved to the end, merged last) or, with null, none. */
  setIgnoreLabel(index: number | null): void
  undoLabels(): void
  setChannelName(index: number, name: string): void
  addChannel(): void
  removeChannel(index: number): void
  setOutput(patch: Partial<OutputForm>): void
  newProject(): void
  loadFile(file: ProjectFile, path: string | null): void
  /** The project as the Node side kept it (after a reload, a restart, or opening a draft). */
  loadSession(session: Pick<ProjectSession, 'project' | 'path' | 'draftId' | 'runs'>): void
  markSaved(path: string): void
  recordRun(kind: JobKind, jobId: string, request: string): void
  /** Merges a patch into one step's form (the project becomes dirty, so autosave writes it). */
  setForm(id: string, patch: Record<string, unknown>): void
  /** The project's nnU-Net environment (the Environment step; renderer/store/settingsStore.ts). */
  setEnv(env: ProjectEnv): void
}

/** A step's form as the project file holds it: plain JSON values by field name. */
export type ProjectForms = Record<string, Record<string, unknown>>

export const DEFAULT_OUTPUT: OutputForm = {
  layout: 'nnunet-v2',
  outDir: '',
  id: null,
  name: '',
  prefix: '',
  // DEFAULT_SPLIT: no held-out test set unless the Output step asks for one.
  testCount: null,
  testFraction: null,
  seed: DEFAULT_SPLIT.seed,
  description: '',
  reference: '',
  licence: '',
  release: '1.0',
  channelNames: ['CT'],
  overwrite: false,
  sourcePaths: true,
  testLabels: true,
  regions: false,
  groupPattern: '',
}

const HISTORY_LIMIT = 50

export const useProject = create<ProjectState>()((set, get) => {
  /** Every label-table edit goes through here so Undo can restore the table before it. */
  const editLabels = (next: (labels: LabelRow[]) => LabelRow[]) => {
    const { labels, labelHistory } = get()
    set({ labels: next(labels.map((l) => ({ ...l }))), labelHistory: [...labelHistory, labels].slice(-HISTORY_LIMIT), dirty: true })
  }
  return {
    projectPath: null,
    draftId: null,
    generation: 0,
    step: 'start',
    imagesDir: '',
    labels: [],
    allowMissingMask: false,
    output: { ...DEFAULT_OUTPUT },
    labelHistory: [],
    dirty: false,
    runs: {},
    forms: {},
    env: null,

    setStep: (step) => set({ step }),
    setImagesDir: (imagesDir) => set({ imagesDir, dirty: true }),
    setAllowMissingMask: (allowMissingMask) => set({ allowMissingMask, dirty: true }),
    addMaskFolder: (dir) =>
      editLabels((labels) => {
        const taken = new Set(labels.map((l) => l.name))
        let name = dir ? lastPathPart(dir) : `label ${labels.length + 1}`
        for (let k = 2; taken.has(name); k++) name = `${lastPathPart(dir) || 'label'} ${k}`
        return [...labels, { name, dir, color: defaultLabelColor(labels.length) }]
      }),
    setMaskDir: (index, dir) =>
      editLabels((labels) =>
        labels.map((l, i) => {
          if (i !== index) return l
          // A name still equal to the old folder's name follows the folder; a typed name stays.
          const followsFolder = !l.name || l.name === lastPathPart(l.dir) || /^label \d+$/.test(l.name)
          return { ...l, dir, name: followsFolder && dir ? lastPathPart(dir) : l.name }
        }),
      ),
    updateLabel: (index, patch) => editLabels((labels) => labels.map((l, i) => (i === index ? { ...l, ...patch } : l))),
    removeLabel: (index) => editLabels((labels) => labels.filter((_, i) => i !== index)),
    setIgnoreLabel: (index) =>
      editLabels((labels) => {
        const rows = labels.map((l, i) => ({ ...l, ignore: i === index ? true : undefined }))
        if (index === null || !rows[index]) return rows
        const [row] = rows.splice(index, 1)
        return [...rows, row!]
      }),
    moveLabel: (from, to) =>
      editLabels((labels) => {
        if (to < 0 || to >= labels.length || from === to) return labels
        const next = [...labels]
        const [row] = next.splice(from, 1)
        next.splice(to, 0, row!)
        return next
      }),
    undoLabels: () => {
      const { labelHistory } = get()
      const prev = labelHistory[labelHistory.length - 1]
      if (prev) set({ labels: prev, labelHistory: labelHistory.slice(0, -1), dirty: true })
    },
    setChannelName: (index, name) => {
      const channelNames = get().output.channelNames.map((c, i) => (i === index ? name : c))
      set({ output: { ...get().output, channelNames }, dirty: true })
    },
    addChannel: () => set({ output: { ...get().output, channelNames: [...get().output.channelNames, `channel ${get().output.channelNames.length}`] }, dirty: true }),
    removeChannel: (index) => {
      const names = get().output.channelNames
      if (names.length > 1) set({ output: { ...get().output, channelNames: names.filter((_, i) => i !== index) }, dirty: true })
    },
    setOutput: (patch) => set({ output: { ...get().output, ...patch }, dirty: true }),
    // A new project is kept at once (dirty): its first write gives it the defaults' environment as
    // they are now, so the Environment step and every nnU-Net call see this project's, not the last one's.
    newProject: () =>
      set({ projectPath: null, draftId: null, generation: get().generation + 1, step: 'sources', imagesDir: '', labels: [], allowMissingMask: false, output: { ...DEFAULT_OUTPUT }, labelHistory: [], dirty: true, runs: {}, forms: {}, env: null }),
    loadFile: (file, path) => {
      const o = file.output
      set({
        projectPath: path,
        draftId: null,
        generation: get().generation + 1,
        step: isStepId(file.step) ? file.step : 'sources',
        imagesDir: file.sources.imagesDir ?? '',
        labels: file.sources.labels.map((l, i) => ({ name: l.name, dir: l.dir, color: l.color ?? defaultLabelColor(i), ...(l.ignore && { ignore: true }), ...(l.structure && { structure: { ...l.structure } }) })),
        allowMissingMask: file.sources.allowMissingMask ?? false,
        output: {
          layout: o.layout ?? 'nnunet-v2',
          outDir: o.outDir ?? '',
          id: o.id ?? null,
          name: o.name ?? '',
          prefix: o.prefix ?? '',
          testCount: o.split?.testCount ?? null,
          testFraction: o.split?.testFraction ?? null,
          seed: o.split?.seed ?? 0,
          description: o.metadata?.description ?? '',
          reference: o.metadata?.reference ?? '',
          licence: o.metadata?.licence ?? '',
          release: o.metadata?.release ?? '1.0',
          channelNames: o.metadata?.channelNames?.length ? [...o.metadata.channelNames] : ['CT'],
          overwrite: o.overwrite ?? false,
          sourcePaths: o.sourcePaths ?? true,
          testLabels: o.testLabels ?? true,
          regions: o.regions ?? false,
          groupPattern: o.split?.groupPattern ?? '',
        },
        labelHistory: [],
        dirty: false,
        runs: {},
        forms: file.forms ?? {},
        env: file.env ?? null,
      })
    },
    loadSession: (session) => {
      get().loadFile(session.project, session.path)
      set({ draftId: session.draftId, runs: session.runs as ProjectState['runs'] })
    },
    markSaved: (path) => set({ projectPath: path, draftId: null, dirty: false }),
    recordRun: (kind, jobId, request) => set({ runs: { ...get().runs, [kind]: { jobId, request } } }),
    setForm: (id, patch) => set({ forms: { ...get().forms, [id]: { ...get().forms[id], ...patch } }, dirty: true }),
    setEnv: (env) => set({ env, dirty: true }),
  }
})

type ProjectData = Pick<ProjectState, 'imagesDir' | 'labels' | 'allowMissingMask' | 'output' | 'step'>

/** The source folders as the Api wants them, or null while a folder is still missing. */
export function sourceSpecOf(p: Pick<ProjectState, 'imagesDir' | 'labels' | 'allowMissingMask'> & { forms?: Partial<ProjectState['forms']> }): SourceSpecInput | null {
  if (!p.imagesDir.trim() || p.labels.length === 0 || p.labels.some((l) => !l.dir.trim() || !l.name.trim())) return null
  return {
    imagesDir: p.imagesDir.trim(),
    labels: p.labels.map((l) => ({ name: l.name.trim(), dir: l.dir.trim(), color: l.color, ...(l.ignore && { ignore: true }), ...(l.structure && { structure: { ...l.structure } }) })),
    allowMissingMask: p.allowMissingMask,
    ...dicomChoiceOf(p.forms?.[DICOM_FORM]),
  }
}

/** The DICOM series choice of the Sources step (DicomOverviewPanel), kept as the project's form "dicom". */
export const DICOM_FORM = 'dicom'

function dicomChoiceOf(form: Record<string, unknown> | undefined): Pick<SourceSpecInput, 'dicomSeries' | 'dicomSeriesByCase'> {
  const series = typeof form?.series === 'string' ? form.series.trim() : ''
  const byCase = form?.byCase && typeof form.byCase === 'object' ? Object.entries(form.byCase as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '') : []
  return { ...(series && { dicomSeries: series }), ...(byCase.length > 0 && { dicomSeriesByCase: Object.fromEntries(byCase) }) }
}

function splitOf(o: OutputForm): PrepareRequest['output']['split'] {
  // Patients: test cases are then whole groups (shared/splits.ts).
  const groups = o.groupPattern?.trim() ? { groupPattern: o.groupPattern.trim() } : {}
  // A test count, when given, takes precedence over a fraction (the service applies one of them).
  if (o.testCount !== null) return { testCount: o.testCount, seed: o.seed, ...groups }
  if (o.testFraction !== null) return { testFraction: o.testFraction, seed: o.seed, ...groups }
  return { seed: o.seed, ...groups }
}

function metadataOf(o: OutputForm): PrepareRequest['output']['metadata'] {
  const channelNames = o.channelNames.map((c) => c.trim()).filter(Boolean)
  return { description: o.description, reference: o.reference, licence: o.licence, release: o.release, channelNames: channelNames.length ? channelNames : ['CT'] }
}

/** The prepare/planOutput request, or null with the reason while the form is incomplete. */
export function prepareRequestOf(p: Omit<ProjectData, 'step'> & { forms?: Partial<ProjectState['forms']> }): { request: PrepareRequest | null; missing: string[] } {
  const sources = sourceSpecOf(p)
  const o = p.output
  const missing: string[] = []
  if (!sources) missing.push('the image folder and at least one mask folder (Sources step)')
  if (!o.outDir.trim()) missing.push('an output folder')
  if (o.id === null || !Number.isInteger(o.id)) missing.push('a dataset id')
  if (!o.name.trim()) missing.push('a dataset name')
  if (missing.length || !sources || o.id === null) return { request: null, missing }
  return {
    request: {
      sources: { ...sources, allowMissingMask: sources.allowMissingMask ?? false },
      output: {
        layout: o.layout,
        outDir: o.outDir.trim(),
        id: o.id,
        name: o.name.trim(),
        prefix: o.prefix.trim() || undefined,
        split: splitOf(o),
        metadata: metadataOf(o),
        overwrite: o.overwrite,
        ...(!o.sourcePaths && { sourcePaths: false }),
        ...(!o.testLabels && { testLabels: false }),
        ...(o.regions && { regions: true }),
      },
    },
    missing,
  }
}

/** The project file written by saveProject. */
export function projectFileOf(p: ProjectData & { forms?: ProjectForms; env?: ProjectEnv | null }): ProjectFile {
  const o = p.output
  return {
    format: 'nnunet-wizard-project',
    version: 1,
    sources: {
      imagesDir: p.imagesDir,
      // A row still waiting for its folder cannot be stored (the file format needs both).
      labels: p.labels.filter((l) => l.dir.trim() && l.name.trim()).map((l) => ({ name: l.name, dir: l.dir, color: l.color, ...(l.ignore && { ignore: true }), ...(l.structure && { structure: { ...l.structure } }) })),
      allowMissingMask: p.allowMissingMask,
    },
    output: {
      layout: o.layout,
      outDir: o.outDir || undefined,
      id: o.id ?? undefined,
      name: o.name || undefined,
      prefix: o.prefix || undefined,
      split: splitOf(o),
      metadata: metadataOf(o),
      overwrite: o.overwrite,
      ...(!o.sourcePaths && { sourcePaths: false }),
      ...(!o.testLabels && { testLabels: false }),
      ...(o.regions && { regions: true }),
    },
    step: p.step,
    forms: p.forms ?? {},
    ...(p.env && { env: p.env }),
  }
}

/** The current source spec, stable between renders while the folders do not change. */
export function useSourceSpec(): SourceSpecInput | null {
  const imagesDir = useProject((s) => s.imagesDir)
  const labels = useProject((s) => s.labels)
  const allowMissingMask = useProject((s) => s.allowMissingMask)
  const dicom = useProject((s) => s.forms[DICOM_FORM])
  return useMemo(() => sourceSpecOf({ imagesDir, labels, allowMissingMask, forms: { [DICOM_FORM]: dicom } }), [imagesDir, labels, allowMissingMask, dicom])
}

/** prepareRequestOf the open project, recomputed only when a part it reads changes. */
export function usePrepareRequest(): { request: PrepareRequest | null; missing: string[] } {
  const imagesDir = useProject((s) => s.imagesDir)
  const labels = useProject((s) => s.labels)
  const allowMissingMask = useProject((s) => s.allowMissingMask)
  const output = useProject((s) => s.output)
  const dicom = useProject((s) => s.forms[DICOM_FORM])
  return useMemo(() => prepareRequestOf({ imagesDir, labels, allowMissingMask, output, forms: { [DICOM_FORM]: dicom } }), [imagesDir, labels, allowMissingMask, output, dicom])
}
