// The server-side folder browser (browser mode has no native dialog; the desktop app uses it too
// for typing paths). The path is untrusted text: it is only ever resolved and read, never run.
import { access, mkdir, readdir, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join, parse, resolve } from 'node:path'
import type { DirEntry, DirListing } from '../../shared/api'
import { caseFileParts } from '../../shared/layout'

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

/** Home, then the filesystem roots: "/" on Linux and macOS, the drive letters that exist on Windows. */
export async function listRoots(): Promise<string[]> {
  const roots = [homedir()]
  if (process.platform === 'win32') {
    const letters = 'CDEFGHIJKLMNOPQRSTUVWXYZAB'.split('')
    const found = await Promise.all(letters.map((l) => access(`${l}:\\`).then(() => `${l}:\\`, () => null)))
    roots.push(...found.filter((d): d is string => d !== null))
  } else {
    roots.push('/')
    if (process.platform === 'darwin') roots.push('/Volumes')
  }
  return roots
}

function explain(path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return new Error(`The folder ${path} does not exist.`)
  if (code === 'ENOTDIR') return new Error(`${path} is a file, not a folder.`)
  if (code === 'EACCES' || code === 'EPERM') return new Error(`The folder ${path} cannot be read (permission denied).`)
  return new Error(`The folder ${path} cannot be read: ${(err as Error).message}`)
}

export async function listDir(req: { path?: string; showFiles: boolean; showHidden?: boolean }): Promise<DirListing> {
  const path = resolve(req.path ?? homedir())
  let names
  try {
    const st = await stat(path)
    if (!st.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' })
    names = await readdir(path, { withFileTypes: true })
  } catch (err) {
    throw explain(path, err)
  }
  const entries: DirEntry[] = []
  await Promise.all(
    names
      .filter((d) => req.showHidden || !d.name.startsWith('.'))
      .map(async (d) => {
        let isDir = d.isDirectory()
        // A symlink to a folder is a folder to the user; a broken one is left out.
        if (d.isSymbolicLink()) {
          const target = await stat(join(path, d.name)).catch(() => null)
          if (!target) return
          isDir = target.isDirectory()
        }
        if (isDir) entries.push({ name: d.name, path: join(path, d.name), isDir })
        else if (req.showFiles) entries.push({ name: d.name, path: join(path, d.name), isDir, volume: caseFileParts(d.name) !== null })
      }),
  )
  entries.sort((a, b) => (a.isDir !== b.isDir ? (a.isDir ? -1 : 1) : collator.compare(a.name, b.name)))
  const root = parse(path).root
  return { path, parent: path === root ? null : dirname(path), entries, roots: await listRoots() }
}

/**
 * The folder browser's "New folder": one folder named `name` inside `parent`, which must exist; a
 * name already taken is refused (nothing is replaced) and the message says what to do.
 */
export async function makeFolder(req: { parent: string; name: string }): Promise<string> {
  const parent = resolve(req.parent)
  const st = await stat(parent).catch((err: unknown) => {
    throw explain(parent, err)
  })
  if (!st.isDirectory()) throw explain(parent, Object.assign(new Error('not a folder'), { code: 'ENOTDIR' }))
  const path = join(parent, req.name)
  try {
    await mkdir(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw new Error(`${path} already exists: open it, or choose another name.`)
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new Error(`A folder cannot be created in ${parent} (permission denied): choose a folder you can write to.`)
    throw new Error(`The folder ${path} could not be created: ${(err as Error).message}`)
  }
  return path
}
