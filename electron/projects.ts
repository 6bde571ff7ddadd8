// Project files (a wizard session saved to disk), the "recent projects" list of the Start step, and
// the open project kept from its first edit: a project without a file of its own is a draft in the
// data folder (drafts/<id>.json); current-project.json names the project the app reopens (a file
// or a draft) with the jobs it started, so a reload or a restart lands where the user left off.
import { randomUUID } from 'node:crypto'
import { readdir, readFile, rm, stat } from 'node:fs/promises'
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path'
import { z } from 'zod'
import type { AutosaveResult, ProjectDraft, ProjectEnv, ProjectSession } from '../shared/api'
import * as s from '../shared/schema'
import { writeFileAtomic } from './files/writeAtomic'
import { PRIVATE } from './paths'

export interface RecentProject {
  path: string
  name: string
  savedAt: number
}

const MAX_RECENT = 10
/** The ending of a project file (the Save dialog adds it to a typed name). */
export const PROJECT_ENDING = '.nnwizard.json'

export class ProjectPathError extends Error {}
const recentList = z.array(z.object({ path: z.string(), name: z.string(), savedAt: z.number() }))

function projectName(path: string, project: s.ProjectFile): string {
  return project.output.name?.trim() || basename(path, path.endsWith(PROJECT_ENDING) ? PROJECT_ENDING : extname(path))
}

function draftName(project: s.ProjectFile): string {
  const name = project.output.name?.trim()
  if (name) return name
  return project.sources.imagesDir ? `Untitled (${basename(project.sources.imagesDir)})` : 'Untitled'
}

/** Where a project lives: its own file, or its draft in the data folder. */
export interface ProjectRef {
  path: string | null
  draftId: string | null
}

/** The project file's JSON, or undefined when it is missing or is not a valid project. */
async function readProjectJson(file: string): Promise<s.ProjectFile | undefined> {
  try {
    const parsed = s.projectFile.safeParse(JSON.parse(await readFile(file, 'utf8')))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

/**
 * The environment a project file keeps (issue 18.2), read without opening it (no recent-list
 * entry): undefined when the file has none (an older project), null when it cannot be read as a project.
 */
export async function readProjectEnv(file: string): Promise<ProjectEnv | undefined | null> {
  const project = await readProjectJson(resolve(file))
  return project ? project.env : null
}

/**
 * Replaces the environment kept in a project file (or draft), nothing else in it; atomic, the
 * file's mode kept. A path that holds no valid project is refused by name.
 */
export async function writeProjectEnv(file: string, env: ProjectEnv): Promise<void> {
  const path = resolve(file)
  const project = await readProjectJson(path)
  if (!project) throw new Error(`${path} is not an nnU-Net Wizard project file (or cannot be read), so its environment was not written.`)
  await writeFileAtomic(path, `${JSON.stringify({ ...project, env: s.projectEnv.parse(env) }, null, 2)}\n`, { keepMode: true })
}

/** current-project.json: which project the app reopens, and the jobs it started. */
const sessionFile = z.object({
  path: z.string().nullable(),
  draftId: s.draftId.nullable(),
  runs: s.projectRuns.default({}),
})
type SessionFile = z.infer<typeof sessionFile>

export class ProjectStore {
  private chain: Promise<unknown> = Promise.resolve()
  /** Autosaves are written one after another, in the order they came. */
  private saves: Promise<unknown> = Promise.resolve()
  private readonly draftsDir: string
  private readonly sessionPath: string

  /** stateDir: where drafts and current-project.json live (the data folder; default: the recent list's folder). */
  constructor(
    private readonly recentFile: string,
    private readonly stateDir = dirname(recentFile),
  ) {
    this.draftsDir = join(stateDir, 'drafts')
    this.sessionPath = join(stateDir, 'current-project.json')
  }

  async save(path: string, project: s.ProjectFile): Promise<void> {
    const file = resolve(path)
    const valid = s.projectFile.parse(project)
    await this.checkProjectPath(file)
    // A file replaced keeps its permissions (a project kept 0600 stays so).
    await writeFileAtomic(file, `${JSON.stringify(valid, null, 2)}\n`, { keepMode: true })
    await this.remember({ path: file, name: projectName(file, valid), savedAt: Date.now() })
  }

  /**
   * A project is written only as a *.nnwizard.json file, inside the app's own folder, or over a file
   * that already is an nnU-Net Wizard project (one saved under another name by an older version):
   * a path from the page must never replace some other file of the user's.
   */
  private async checkProjectPath(file: string): Promise<void> {
    if (file.endsWith(PROJECT_ENDING)) return
    const inside = relative(this.stateDir, file)
    if (inside && !inside.startsWith('..') && !isAbsolute(inside)) return
    const existing = await readFile(file, 'utf8').catch(() => undefined)
    if (existing !== undefined) {
      try {
        if ((JSON.parse(existing) as { format?: unknown })?.format === 'nnunet-wizard-project') return
      } catch {
        // not JSON: not a project file
      }
    }
    throw new ProjectPathError(`${file}: a project is saved as a file whose name ends in ${PROJECT_ENDING} (e.g. ${basename(file, extname(file))}${PROJECT_ENDING}); this name ${existing === undefined ? 'has another ending' : 'belongs to a file that is not a project, which is left as it is'}.`)
  }

  async load(path: string): Promise<s.ProjectFile> {
    const file = resolve(path)
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOENT') throw new Error(`There is no project file at ${file}.`)
      if (code === 'EISDIR') throw new Error(`${file} is a folder; choose the project file (.json) inside it.`)
      if (code === 'EACCES' || code === 'EPERM') throw new Error(`${file} cannot be read (permission denied).`)
      throw new Error(`${file} cannot be read: ${(err as Error).message}`)
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      throw new Error(`${file} is not an nnU-Net Wizard project file (it is not JSON).`)
    }
    if (typeof json !== 'object' || json === null || (json as { format?: unknown }).format !== 'nnunet-wizard-project') {
      throw new Error(`${file} is not an nnU-Net Wizard project file (it has no "format": "nnunet-wizard-project" entry).`)
    }
    const parsed = s.projectFile.safeParse(json)
    if (!parsed.success) {
      const first = parsed.error.issues[0]
      const where = first && first.path.length ? ` at ${first.path.join('.')}` : ''
      throw new Error(`${file} is a damaged nnU-Net Wizard project file: ${first?.message ?? 'invalid content'}${where}.`)
    }
    const st = await stat(file)
    await this.remember({ path: file, name: projectName(file, parsed.data), savedAt: st.mtimeMs })
    return parsed.data
  }

  /** Opens a project file and makes it the one the app reopens. */
  async open(path: string): Promise<s.ProjectFile> {
    const project = await this.load(path)
    await this.serial(() => this.writeSession({ path: resolve(path), draftId: null, runs: {} }))
    return project
  }

  /**
   * Writes the open project: to its own file (a draft it came from is then removed: the file holds
   * it now), or to its draft, a new one when it has none yet. It becomes the project the app reopens.
   */
  autosave(req: z.infer<typeof s.autosaveProjectRequest>): Promise<AutosaveResult> {
    return this.serial(async () => {
      const project = s.projectFile.parse(req.project)
      if (req.path) {
        await this.save(req.path, project)
        const path = resolve(req.path)
        await this.writeSession({ path, draftId: null, runs: req.runs })
        if (req.draftId) await rm(this.draftPath(req.draftId), { force: true })
        return { path, draftId: null, savedAt: Date.now() }
      }
      const draftId = req.draftId ?? randomUUID()
      await writeFileAtomic(this.draftPath(draftId), `${JSON.stringify(project, null, 2)}\n`, PRIVATE)
      await this.writeSession({ path: null, draftId, runs: req.runs })
      return { path: null, draftId, savedAt: Date.now() }
    })
  }

  /** The project the app had open last; null when there is none or its file or draft is gone. */
  async current(): Promise<ProjectSession | null> {
    await this.saves.catch(() => undefined)
    let session: SessionFile
    try {
      session = sessionFile.parse(JSON.parse(await readFile(this.sessionPath, 'utf8')))
    } catch {
      return null // none yet, or damaged: the app starts on Start, where drafts and recent files are listed
    }
    try {
      if (session.path) {
        const project = await this.load(session.path)
        return { project, path: session.path, draftId: null, runs: session.runs, savedAt: (await stat(session.path)).mtimeMs }
      }
      if (session.draftId) return { ...(await this.readDraft(session.draftId)), runs: session.runs }
    } catch {
      // The file was moved or deleted since: nothing to reopen.
    }
    return null
  }

  /** Drafts, newest first (a damaged one is left out, never deleted). */
  async drafts(): Promise<ProjectDraft[]> {
    await this.saves.catch(() => undefined)
    const names = await readdir(this.draftsDir).catch(() => [] as string[])
    const drafts = await Promise.all(
      names
        .filter((n) => n.endsWith('.json') && s.draftId.safeParse(n.slice(0, -5)).success)
        .map(async (n) => {
          try {
            const d = await this.readDraft(n.slice(0, -5))
            return { draftId: d.draftId!, name: draftName(d.project), step: d.project.step, savedAt: d.savedAt }
          } catch {
            return null
          }
        }),
    )
    return drafts.filter((d): d is ProjectDraft => d !== null).sort((a, b) => b.savedAt - a.savedAt)
  }

  /** Opens a draft and makes it the one the app reopens. */
  openDraft(draftId: string): Promise<ProjectSession> {
    return this.serial(async () => {
      const d = await this.readDraft(draftId)
      await this.writeSession({ path: null, draftId, runs: {} })
      return { ...d, runs: {} }
    })
  }

  discardDraft(draftId: string): Promise<void> {
    return this.serial(async () => {
      await rm(this.draftPath(draftId), { force: true })
    })
  }

  /** Which project the app reopens (its file or draft), without reading it; null when none. */
  async session(): Promise<ProjectRef | null> {
    await this.saves.catch(() => undefined)
    try {
      const session = sessionFile.parse(JSON.parse(await readFile(this.sessionPath, 'utf8')))
      return session.path || session.draftId ? { path: session.path, draftId: session.draftId } : null
    } catch {
      return null
    }
  }

  /** The file that holds a project: its own, else its draft's. */
  fileOf(ref: ProjectRef): string | null {
    return ref.path ? resolve(ref.path) : ref.draftId ? this.draftPath(ref.draftId) : null
  }

  /** The environment a project keeps on disk now: undefined when it has none, null when there is no such project. */
  async storedEnv(ref: ProjectRef): Promise<ProjectEnv | undefined | null> {
    const file = this.fileOf(ref)
    const project = file ? await readProjectJson(file) : undefined
    return project ? (project.env ?? undefined) : null
  }

  /** Writes a project's environment into its file or draft, in turn with the autosaves. */
  writeEnv(ref: ProjectRef, env: ProjectEnv): Promise<void> {
    return this.serial(async () => {
      const file = this.fileOf(ref)
      if (file) await writeProjectEnv(file, env)
    })
  }

  private draftPath(draftId: string): string {
    return join(this.draftsDir, `${s.draftId.parse(draftId)}.json`)
  }

  private async readDraft(draftId: string): Promise<Omit<ProjectSession, 'runs'>> {
    const file = this.draftPath(draftId)
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch {
      throw new Error(`There is no draft ${draftId} in ${this.draftsDir} (it was discarded or saved to a file).`)
    }
    const parsed = s.projectFile.safeParse(JSON.parse(text))
    if (!parsed.success) throw new Error(`The draft ${file} is damaged: ${parsed.error.issues[0]?.message ?? 'invalid content'}.`)
    return { project: parsed.data, path: null, draftId, savedAt: (await stat(file)).mtimeMs }
  }

  private writeSession(session: SessionFile): Promise<number> {
    return writeFileAtomic(this.sessionPath, `${JSON.stringify(session, null, 2)}\n`, PRIVATE)
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.saves.catch(() => undefined).then(work)
    this.saves = next
    return next
  }

  /** Projects whose files still exist, most recently saved first. */
  async recent(): Promise<RecentProject[]> {
    await this.chain.catch(() => undefined)
    const list = await this.readList()
    const present = await Promise.all(list.map(async (p) => ((await stat(p.path).then((st) => st.isFile()).catch(() => false)) ? p : null)))
    return present.filter((p): p is RecentProject => p !== null).sort((a, b) => b.savedAt - a.savedAt).slice(0, MAX_RECENT)
  }

  private remember(entry: RecentProject): Promise<void> {
    const next = this.chain.catch(() => undefined).then(async () => {
      const list = (await this.readList()).filter((p) => p.path !== entry.path)
      list.unshift(entry)
      list.sort((a, b) => b.savedAt - a.savedAt)
      // Keep a few more than are shown, so deleting a project file lets an older one reappear.
      await writeFileAtomic(this.recentFile, `${JSON.stringify(list.slice(0, MAX_RECENT * 2), null, 2)}\n`, PRIVATE)
    })
    this.chain = next
    return next
  }

  private async readList(): Promise<RecentProject[]> {
    try {
      const parsed = recentList.safeParse(JSON.parse(await readFile(this.recentFile, 'utf8')))
      return parsed.success ? parsed.data : []
    } catch {
      return []
    }
  }
}
