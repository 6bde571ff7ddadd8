// A project owns its nnU-Net environment (issue 18.2): the interpreter, nnU-Net version and folders
// every nnU-Net call of the open project uses come from the project (its file or draft), and the
// app's settings file holds only the defaults new projects start from plus what belongs to the
// machine (device, workers, scheduler). So `env --create-folders X --nnunet v1` in another terminal
// no longer moves the open project: the change is noticed on disk and shown (environmentChanges),
// and adopted only when the user says so (settleEnvChange). The same holds for the project's own
// file changed by another window or `env --save --project FILE`.
import type { z } from 'zod'
import type { AutosaveResult, EnvChange, ProjectEnv, ProjectSession } from '../../shared/api'
import { PROJECT_ENV_KEYS } from '../../shared/api'
import * as s from '../../shared/schema'
import type { ProjectRef, ProjectStore } from '../projects'

/** The defaults: the settings file (or, for the CLI, settings held in memory). */
export interface SettingsSource {
  get(): Promise<s.Settings>
  update(patch: s.SettingsPatch): Promise<s.Settings>
}

type EnvKey = (typeof PROJECT_ENV_KEYS)[number]

/** The environment part of settings (a key without a value is left out). */
export function envOf(st: Pick<s.Settings, EnvKey>): ProjectEnv {
  return s.projectEnv.parse({ nnunetVersion: st.nnunetVersion, ...(st.pythonPath && { pythonPath: st.pythonPath }), ...(st.folders && { folders: st.folders }) })
}

/** Settings with a project's environment in place of the defaults' (a key the project leaves out stays out). */
export function withEnv(st: s.Settings, env: ProjectEnv): s.Settings {
  const rest: Record<string, unknown> = { ...st }
  for (const k of PROJECT_ENV_KEYS) delete rest[k]
  return s.settings.parse({ ...rest, ...env })
}

/** The keys in which two environments differ. */
export function envDiff(a: ProjectEnv, b: ProjectEnv): EnvKey[] {
  return PROJECT_ENV_KEYS.filter((k) => JSON.stringify(a[k] ?? null) !== JSON.stringify(b[k] ?? null))
}

/** A patch's environment keys applied to an environment (null clears the interpreter or the folders). */
function patchEnv(env: ProjectEnv, patch: s.SettingsPatch): ProjectEnv {
  const next: Record<string, unknown> = { ...env }
  for (const k of PROJECT_ENV_KEYS) {
    const v = (patch as Record<string, unknown>)[k]
    if (v === null) delete next[k]
    else if (v !== undefined) next[k] = v
  }
  return s.projectEnv.parse(next)
}

function sameRef(a: ProjectRef, b: ProjectRef): boolean {
  return (a.path ?? null) === (b.path ?? null) && (a.draftId ?? null) === (b.draftId ?? null)
}

interface OpenProject {
  ref: ProjectRef
  env: ProjectEnv
  /** The environment this app last read from or wrote to the project's file: what "changed elsewhere" is measured against. */
  seen: ProjectEnv
}

export class ProjectEnvironment {
  /** undefined: not looked up yet (the first call reads current-project.json); null: no project open. */
  private open: OpenProject | null | undefined
  /** The defaults' environment as this app last read or wrote them. */
  private defaultsSeen: ProjectEnv | undefined
  /** Changes to the project's file noticed when an autosave was about to overwrite them. */
  private projectChange: EnvChange | undefined
  private firstSeen = new Map<string, number>()

  /**
   * follow: the open project's environment is used (the app); false: the defaults alone (the CLI,
   * whose settings come from its flags and an explicit --project).
   */
  constructor(
    private readonly defaults: SettingsSource,
    private readonly projects: ProjectStore,
    private readonly defaultsFile: string,
    private readonly follow = true,
  ) {}

  /** The settings every nnU-Net call uses: the machine's, with the open project's environment. */
  async get(): Promise<s.Settings> {
    const st = await this.defaults.get()
    this.defaultsSeen ??= envOf(st)
    const open = await this.openProject()
    return open ? withEnv(st, open.env) : st
  }

  /**
   * setSettings: the environment keys go to the open project (its file or draft at once); the
   * rest, and everything while no project is open, to the settings file. A project's first choice
   * of an interpreter or folders also becomes the default where the settings file has none yet, so
   * the next project (and the CLI) start from it.
   */
  async update(patch: s.SettingsPatch): Promise<s.Settings> {
    const open = await this.openProject()
    const envKeys = PROJECT_ENV_KEYS.filter((k) => (patch as Record<string, unknown>)[k] !== undefined)
    const machine: Record<string, unknown> = { ...patch }
    if (open && envKeys.length) {
      for (const k of envKeys) delete machine[k]
      const env = patchEnv(open.env, patch)
      // Only a real change is written (a whole settings object sent back must not overwrite a
      // change another window made to the file, nor hide it).
      if (envDiff(env, open.env).length) {
        await this.projects.writeEnv(open.ref, env)
        Object.assign(open, { env, seen: env })
      }
      const current = await this.defaults.get()
      if (!current.pythonPath && env.pythonPath) machine.pythonPath = env.pythonPath
      if (!current.folders && env.folders) Object.assign(machine, { folders: env.folders, nnunetVersion: env.nnunetVersion })
    }
    if (Object.keys(machine).length) {
      const saved = await this.defaults.update(machine as s.SettingsPatch)
      // This app's own write is no change from elsewhere.
      if (PROJECT_ENV_KEYS.some((k) => machine[k] !== undefined)) this.defaultsSeen = envOf(saved)
    }
    return this.get()
  }

  /** The project just opened (a file, a draft, or the one the app reopens); an older one without an environment takes the defaults', once (written to it). */
  async opened<T extends { project: s.ProjectFile; ref: ProjectRef }>(p: T): Promise<T> {
    let env = p.project.env
    if (!env) {
      env = envOf(await this.defaults.get())
      await this.projects.writeEnv(p.ref, env).catch(() => undefined) // a read-only file still opens
    }
    this.open = { ref: p.ref, env, seen: env }
    this.projectChange = undefined
    return { ...p, project: { ...p.project, env } }
  }

  /** loadProject */
  async openFile(path: string): Promise<s.ProjectFile> {
    const project = await this.projects.open(path)
    return (await this.opened({ project, ref: { path, draftId: null } })).project
  }

  /** openDraft */
  async openDraft(draftId: string): Promise<ProjectSession> {
    return this.sessionWithEnv(await this.projects.openDraft(draftId))
  }

  /** currentProject: the project the app reopens, with its environment (an older one gets the defaults', once). */
  async current(): Promise<ProjectSession | null> {
    const session = await this.projects.current()
    if (!session) {
      this.open = null
      return null
    }
    return this.sessionWithEnv(session)
  }

  private async sessionWithEnv(session: ProjectSession): Promise<ProjectSession> {
    const { project } = await this.opened({ project: session.project, ref: { path: session.path, draftId: session.draftId } })
    return { ...session, project }
  }

  /**
   * autosaveProject: the page's project with its environment. One that comes without (the page
   * did not change it; a new project's first write) keeps the open project's, else what its file
   * or draft holds, else takes the defaults', which the result returns so the page holds it. A change another process made to the
   * file's environment since this app last saw it is recorded before it is overwritten.
   */
  autosave(r: z.infer<typeof s.autosaveProjectRequest>): Promise<AutosaveResult> {
    // One at a time: each reads the open project's environment and then writes. Two tabs writing
    // together (one with a new environment, the other without one) otherwise both read the old
    // environment, and the second write put it back over the first's (a lost update under load).
    const run = this.autosaves.then(() => this.autosaveNow(r))
    this.autosaves = run.catch(() => undefined)
    return run
  }

  private autosaves: Promise<unknown> = Promise.resolve()

  private async autosaveNow(r: z.infer<typeof s.autosaveProjectRequest>): Promise<AutosaveResult> {
    const ref = { path: r.path, draftId: r.draftId }
    const stored = await this.projects.storedEnv(ref)
    const open = await this.openProject()
    const same = !!open && sameRef(open.ref, ref)
    // A page sends the environment only when it changed it: otherwise the open project keeps the
    // one it runs with (never the file's when another process changed it: that is reported below).
    const env = r.project.env ?? (same ? open!.env : undefined) ?? stored ?? envOf(await this.defaults.get())
    if (open && sameRef(open.ref, ref) && stored && envDiff(stored, open.seen).length && envDiff(stored, env).length) {
      this.projectChange = this.change('project', this.projects.fileOf(ref) ?? '', env, stored)
    }
    const result = await this.projects.autosave({ ...r, project: { ...r.project, env } })
    this.open = { ref: { path: result.path, draftId: result.draftId }, env, seen: env }
    return { ...result, env }
  }

  /** saveProject: a project written without an environment keeps its file's, else the open one's, else the defaults'. */
  async save(path: string, project: s.ProjectFile): Promise<void> {
    const env = project.env ?? (await this.projects.storedEnv({ path, draftId: null })) ?? (await this.openProject())?.env ?? envOf(await this.defaults.get())
    await this.projects.save(path, { ...project, env })
  }

  /** What changed on disk outside this app and is not settled yet: the defaults (when they differ from the open project's), the project's own file. */
  async changes(): Promise<EnvChange[]> {
    const out: EnvChange[] = []
    const open = await this.openProject()
    const defaults = envOf(await this.defaults.get())
    this.defaultsSeen ??= defaults
    if (!open) {
      // No project: the defaults are what is used, so there is nothing to keep apart from them.
      this.defaultsSeen = defaults
    } else {
      if (envDiff(defaults, this.defaultsSeen).length && envDiff(defaults, open.env).length) out.push(this.change('defaults', this.defaultsFile, open.env, defaults))
      const stored = await this.projects.storedEnv(open.ref)
      if (stored && envDiff(stored, open.seen).length && envDiff(stored, open.env).length) this.projectChange = this.change('project', this.projects.fileOf(open.ref) ?? '', open.env, stored)
      if (this.projectChange) out.push(this.projectChange)
    }
    return out
  }

  /** take: the open project adopts what is on disk; else it keeps its own and the notice goes. Returns the open project's environment. */
  async settle(where: EnvChange['where'], take: boolean): Promise<ProjectEnv> {
    const open = await this.openProject()
    const defaults = envOf(await this.defaults.get())
    if (where === 'defaults') this.defaultsSeen = defaults
    if (!open) return defaults
    if (where === 'project') {
      const onDisk = (await this.projects.storedEnv(open.ref)) ?? this.projectChange?.onDisk ?? open.env
      const theirs = this.projectChange?.onDisk ?? onDisk
      const env = take ? theirs : open.env
      // The file says what the project now runs with, whichever was chosen.
      if (envDiff(onDisk, env).length) await this.projects.writeEnv(open.ref, env)
      Object.assign(open, { env, seen: env })
      this.projectChange = undefined
    } else if (take) {
      await this.projects.writeEnv(open.ref, defaults)
      Object.assign(open, { env: defaults, seen: defaults })
    }
    for (const k of [...this.firstSeen.keys()]) if (k.startsWith(`${where}:`)) this.firstSeen.delete(k)
    return open.env
  }

  private change(where: EnvChange['where'], file: string, kept: ProjectEnv, onDisk: ProjectEnv): EnvChange {
    const key = `${where}:${JSON.stringify(onDisk)}`
    for (const k of [...this.firstSeen.keys()]) if (k.startsWith(`${where}:`) && k !== key) this.firstSeen.delete(k)
    if (!this.firstSeen.has(key)) this.firstSeen.set(key, Date.now())
    return { where, file, kept, onDisk, fields: envDiff(kept, onDisk), seenAt: this.firstSeen.get(key)! }
  }

  /** The open project: looked up once from current-project.json, then followed through open, autosave and settle. */
  private async openProject(): Promise<OpenProject | null> {
    if (!this.follow) return null
    if (this.open === undefined) {
      const ref = await this.projects.session()
      const stored = ref ? await this.projects.storedEnv(ref) : null
      if (!ref || stored === null) this.open = null
      else if (stored) this.open = { ref, env: stored, seen: stored }
      else {
        // An older project without an environment: the defaults', once.
        const env = envOf(await this.defaults.get())
        await this.projects.writeEnv(ref, env).catch(() => undefined)
        this.open = { ref, env, seen: env }
      }
    }
    return this.open
  }
}
