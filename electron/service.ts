// The one service object that implements the Api. Both transports (ipc.ts, server.ts) bind
// exactly this; nothing here knows which transport called it. No Electron import: the native
// pieces (dialogs, shell.openPath) are passed in by main.ts.
import { join } from 'node:path'
import type { Api, JobRef } from '../shared/api'
import * as s from '../shared/schema'
import { JobManager } from './jobs/jobManager'
import { dataDir } from './paths'
import { listDir, makeFolder } from './files/listDir'
import { isInside, leadsInside } from './files/pathInside'
import { MemorySettings, SettingsStore } from './settings'
import { ProjectStore } from './projects'
import { ProjectEnvironment } from './service/projectEnvironment'
import { VolumeCache } from './imaging/volumeCache'
import { scanSources, validateSources, planOutput, runPrepare, previewCase, viewFiles } from './dataset'
import { detectEnv, installNnunet, createFolders, folderStatus, shellExports, idClashFindings } from './nnunet'
import { createRuns } from './service/runMethods'
import { createReview } from './service/review'
import { projectTrainingCaseFiles, saveLabelEdit, sourceFoldersOf, trainingCaseFiles } from './dataset/labelEdit'
import { checkServable } from './dataset/viewFiles'
import { createLabelCorrections } from './service/labelCorrections'
import { dicomOverview } from './dataset/dicomOverview'
import { structureNames } from './dataset/structureNames'
import { dicomOverviewRequest } from '../shared/api/dicom'
import { EventfulJobs } from './jobs/eventBus'
import { createResults } from './results'
import { caseErrors } from './results/caseErrors'
import { createTrainerMethods } from './nnunet/trainerService'
import { withPlansChoice } from './nnunet/plansChoice'
import { splitsStatus } from './nnunet/splits'
import { DomainError } from './domainError'
import { APP_VERSION } from './appVersion'
import { projectFolders } from '../shared/projectFolders'

export interface NativeHooks {
  mode: 'electron' | 'browser'
  pickFolder?: (title?: string, defaultPath?: string) => Promise<string | null>
  openPath?: (path: string) => Promise<void>
}

export interface Service extends Api {
  readonly jobs: JobManager
  /** Starts nothing more from the run queue and finishes writing it (before the app stops its jobs). */
  dispose(): Promise<void>
}

/** A service other than the app's own: the CLI's (settings from its flags, its own job folder, a queue in memory). */
export interface ServiceOptions {
  /** Fixed settings, never read from or saved to the settings file. */
  settings?: s.Settings
  jobsDir?: string
  /** Keep the run queue in memory only (default: run-queue.json in the data folder, resumed on start). */
  memoryQueue?: boolean
}

export function createService(hooks: NativeHooks, base = dataDir(), opts: ServiceOptions = {}): Service {
  const jobs = new EventfulJobs(opts.jobsDir ?? join(base, 'jobs'))
  const projects = new ProjectStore(join(base, 'recent-projects.json'))
  // The open project's environment over the defaults (issue 18.2); the CLI's fixed settings follow no project.
  const settings = new ProjectEnvironment(opts.settings ? new MemorySettings(opts.settings) : new SettingsStore(join(base, 'settings.json')), projects, join(base, 'settings.json'), !opts.settings)
  const runs = createRuns({ jobs, dataDir: base, settings: () => settings.get(), queueFile: opts.memoryQueue ? undefined : join(base, 'run-queue.json') })
  const volumes = new VolumeCache()
  const ref = (p: Promise<{ id: string }>): Promise<JobRef> => p.then((j) => ({ jobId: j.id }))

  /** Id clashes with what the nnU-Net folders already hold: an error when writing into nnUNet_raw. */
  const nnunetFolderFindings = async (r: s.PrepareRequest) => {
    const st = await settings.get()
    if (!st.folders) return []
    return idClashFindings(await folderStatus(st), r.output.id, r.output.name, isInside(r.output.outDir, st.folders.raw))
  }
  /** The dataset plan plus id clashes with what the nnU-Net folders already hold. */
  const planWithNnunetFolders = async (r: s.PrepareRequest) => {
    const plan = await planOutput(r)
    plan.findings.push(...(await nnunetFolderFindings(r)))
    return plan
  }

  return {
    jobs,
    async appInfo() {
      const { homedir } = await import('node:os')
      return { version: APP_VERSION, mode: hooks.mode, platform: process.platform, home: homedir(), dataDir: base }
    },
    listDir: (req) => listDir(s.listDirRequest.parse(req)),
    makeFolder: (req) => makeFolder(s.makeFolderRequest.parse(req)),
    pickFolder: async (req) => (hooks.pickFolder ? hooks.pickFolder(req.title, req.defaultPath) : null),
    pathInside: async (req) => {
      const r = s.pathInsideRequest.parse(req)
      return leadsInside(r.path, r.folder)
    },
    openPath: async (req) => {
      if (!hooks.openPath) throw new Error('Opening folders is only available in the desktop app; the path is shown instead.')
      await hooks.openPath(req.path)
    },
    scanSources: (req) => scanSources(s.sourceSpec.parse(req)),
    dicomOverview: (req) => dicomOverview(dicomOverviewRequest.parse(req)),
    structureNames: (req) => structureNames(s.structureNamesRequest.parse(req)),
    validate: (req) => {
      const spec = s.sourceSpec.parse(req)
      return ref(jobs.start('validate', 'Check cases', (ctx) => validateSources(spec, ctx)))
    },
    preview: async (req) => {
      const r = s.previewRequest.parse(req)
      const p = await previewCase(r)
      return {
        caseKey: r.caseKey,
        imageVolume: volumes.put(p.image),
        labelVolume: volumes.put(p.label),
        labels: p.labels,
        report: p.report,
        ...(p.reduced && { reduced: p.reduced }),
      }
    },
    // Served only from the folders the open project names (its last autosave: the page writes
    // its forms before asking to view), so a path or crafted header cannot reach other files.
    viewFiles: async (req) => {
      const r = s.viewFilesRequest.parse(req)
      const roots = projectFolders((await projects.current())?.project ?? null, (await settings.get()).folders)
      const v = await viewFiles(r, { roots })
      return {
        caseKey: v.caseKey,
        imageVolume: volumes.put(v.image),
        labelVolume: volumes.put(v.label),
        labels: v.labels,
        report: v.report,
        image: v.imagePath,
        label: v.labelPath,
        datasetJson: v.datasetJson,
        ...(v.reduced && { reduced: v.reduced }),
      }
    },
    getVolume: async (req) => volumes.get(req.id),
    planOutput: (req) => planWithNnunetFolders(s.prepareRequest.parse(req)),
    // The one door for prepare (the wizard over IPC or HTTP, and the CLI): a request the plan
    // refuses gets no job; the job checks every rule again under its lock.
    prepare: async (req) => {
      const r = s.prepareRequest.parse(req)
      const blocking = (await planWithNnunetFolders(r)).findings.filter((f) => f.severity === 'error')
      if (blocking.length) throw new DomainError(blocking.length === 1 ? blocking[0]!.text : `${blocking[0]!.text} (and ${blocking.length - 1} more problem${blocking.length === 2 ? '' : 's'})`, blocking[0]!.code, 'conflict', blocking)
      return ref(jobs.start('prepare', `Write ${r.output.layout === 'msd' ? 'Task' : 'Dataset'} ${r.output.id} ${r.output.name}`, (ctx) => runPrepare(r, ctx, { extraChecks: () => nnunetFolderFindings(r) })))
    },
    listJobs: () => jobs.list(),
    getJobLog: (req) => {
      const r = s.jobLogRequest.parse(req)
      return jobs.log(r.jobId, r.from, r.max)
    },
    cancelJob: async (req) => jobs.cancel(req.jobId),
    getSettings: () => settings.get(),
    setSettings: (req) => settings.update(s.settingsPatch.parse(req)),
    saveProject: (req) => settings.save(req.path, s.projectFile.parse(req.project)),
    loadProject: (req) => settings.openFile(req.path),
    recentProjects: () => projects.recent(),
    autosaveProject: (req) => settings.autosave(s.autosaveProjectRequest.parse(req)),
    currentProject: () => settings.current(),
    projectDrafts: () => projects.drafts(),
    openDraft: (req) => settings.openDraft(s.draftRequest.parse(req).draftId),
    discardDraft: (req) => projects.discardDraft(s.draftRequest.parse(req).draftId),
    detectEnv: async (req) => detectEnv({ ...(await settings.get()), ...req }),
    installNnunet: () => ref(jobs.start('install', 'Install nnU-Net (managed venv)', (ctx) => installNnunet(ctx, base))),
    createFolders: async (req) => {
      const folders = await createFolders(req.base, req.version)
      await settings.update({ folders, nnunetVersion: req.version })
      return folders
    },
    splits: async (req) => splitsStatus(s.splitsRequest.parse(req), await settings.get()),
    folderStatus: async () => {
      const st = await settings.get()
      return withPlansChoice(await folderStatus(st), st, base)
    },
    shellExports: async () => shellExports(await settings.get()),
    environmentChanges: () => settings.changes(),
    settleEnvChange: async (req) => {
      const r = s.settleEnvChangeRequest.parse(req)
      return settings.settle(r.where, r.take)
    },
    // plan, train, predict, findBest and the run queue: electron/service/runMethods.ts
    ...runs,
    ...createTrainerMethods({ jobs, dataDir: base, settings: () => settings.get() }),
    // results, test evaluation, report and model zips: electron/results/index.ts
    ...createResults({ jobs, dataDir: base, settings: () => settings.get() }),
    caseErrors: async (req) => {
      const { image, label, ...rest } = await caseErrors(await settings.get(), s.caseErrorsRequest.parse(req))
      return { ...rest, imageVolume: volumes.put(image), labelVolume: volumes.put(label) }
    },
    // the labelling loop (issue 21): review ranking, grow the dataset, fine-tune, model versions
    ...createReview({ dataDir: base, settings: () => settings.get(), runs, cancelJob: (id) => jobs.cancel(id) }),
    // A label map corrected in the viewer's editor: read only from the project's folders, never written into its sources.
    saveLabelEdit: async (req) => {
      const project = (await projects.current())?.project ?? null
      const roots = projectFolders(project, (await settings.get()).folders)
      return saveLabelEdit(s.saveLabelEditRequest.parse(req), { sourceFolders: sourceFoldersOf(project), checkReadable: (p) => checkServable(p, roots, true) })
    },
    // A training case's label for the same editor: the service names its files (the page builds no path).
    trainingCase: async (req) => {
      const r = s.trainingCaseRequest.parse(req)
      if (!r.caseKey && !(r.datasetId && r.caseId)) throw new DomainError('Name the training case: a dataset id and case id, or a source case key.', 'no-case', 'invalid')
      // By source case key (Preview): in the dataset the open project writes; else by id in the raw folder.
      const f = r.caseKey
        ? await projectTrainingCaseFiles((await projects.current())?.project.output, r.caseKey)
        : { ...(await trainingCaseFiles((await settings.get()).folders?.raw, r.datasetId!, r.caseId!)), caseId: r.caseId! }
      const v = await viewFiles({ image: f.image, label: f.label, datasetJson: f.datasetJson }, { roots: [f.datasetDir] })
      return { caseKey: v.caseKey, imageVolume: volumes.put(v.image), labelVolume: volumes.put(v.label), labels: v.labels, report: v.report, image: v.imagePath, label: v.labelPath, datasetJson: v.datasetJson, datasetDir: f.datasetDir, caseId: f.caseId }
    },
    // drafts of unsaved corrections, where each predicted case stands, a corrected DICOM case as DICOM-SEG
    ...createLabelCorrections({ settings: () => settings.get(), project: async () => (await projects.current())?.project ?? null }),
    dispose: () => runs.queue.close(),
  }
}
