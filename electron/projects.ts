// Project files (a wizard session saved to disk) and the "recent projects" list of the Start step.
import { readFile, stat } from 'node:fs/promises'
import { basename, extname, resolve } from 'node:path'
import { z } from 'zod'
import * as s from '../shared/schema'
import { writeFileAtomic } from './files/writeAtomic'

export interface RecentProject {
  path: string
  name: string
  savedAt: number
}

const MAX_RECENT = 10
const recentList = z.array(z.object({ path: z.string(), name: z.string(), savedAt: z.number() }))

function projectName(path: string, project: s.ProjectFile): string {
  return project.output.name?.trim() || basename(path, extname(path))
}

export class ProjectStore {
  private chain: Promise<unknown> = Promise.resolve()

  constructor(private readonly recentFile: string) {}

  async save(path: string, project: s.ProjectFile): Promise<void> {
    const file = resolve(path)
    const valid = s.projectFile.parse(project)
    await writeFileAtomic(file, `${JSON.stringify(valid, null, 2)}\n`)
    await this.remember({ path: file, name: projectName(file, valid), savedAt: Date.now() })
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
      await writeFileAtomic(this.recentFile, `${JSON.stringify(list.slice(0, MAX_RECENT * 2), null, 2)}\n`)
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
