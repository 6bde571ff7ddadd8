// "Is this path inside that folder", answered once for the whole app: lexically (after resolving
// "." and "..") and through symbolic links (real paths), because a path that looks inside a folder
// can lead out of it through a link, and one that looks outside can lead in.
import { lstat, realpath, rm } from 'node:fs/promises'
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path'

/** True when `child` is `parent` or lies below it, comparing resolved paths (no filesystem access). */
export function isInside(child: string, parent: string): boolean {
  const rel = relative(resolve(parent), resolve(child))
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/** The real path, through symbolic links, of a path that may not exist yet (its missing tail is kept). */
export async function realPathOf(path: string): Promise<string> {
  const missing: string[] = []
  let head = resolve(path)
  for (;;) {
    try {
      return join(await realpath(head), ...missing)
    } catch {
      const parent = dirname(head)
      if (parent === head) return resolve(path)
      missing.unshift(basename(head))
      head = parent
    }
  }
}

/** `child` lies inside `parent` as written or through symbolic links (either is enough to refuse a write there). */
export async function leadsInside(child: string, parent: string): Promise<boolean> {
  if (isInside(child, parent)) return true
  return isInside(await realPathOf(child), await realPathOf(parent))
}

/** Either path lies inside the other, as written or through symbolic links. */
export async function overlaps(a: string, b: string): Promise<boolean> {
  if (isInside(a, b) || isInside(b, a)) return true
  const [ra, rb] = await Promise.all([realPathOf(a), realPathOf(b)])
  return isInside(ra, rb) || isInside(rb, ra)
}

export class OutsideFolderError extends Error {}

/**
 * Removes `path` (a file, or a folder with `recursive`) only when it lies strictly inside `root`,
 * as written and by its real parent folder; a symbolic link is removed itself, never followed.
 * Every delete the dataset engine makes goes through here, so no edited manifest or crafted name
 * can make it delete anything outside the folder it owns.
 */
export async function removeInside(root: string, path: string, opts: { recursive?: boolean } = {}): Promise<void> {
  const target = resolve(path)
  const refuse = () => new OutsideFolderError(`Refusing to delete ${target}: it is not inside ${resolve(root)}.`)
  if (target === resolve(root) || !isInside(target, root)) throw refuse()
  // The parent's real path decides where the entry really is; the entry itself (maybe a link) is not followed.
  if (!isInside(join(await realPathOf(dirname(target)), basename(target)), await realPathOf(root))) throw refuse()
  const info = await lstat(target).catch(() => null)
  if (!info) return
  if (info.isDirectory() && !opts.recursive) throw new Error(`Refusing to delete the folder ${target} (a file was expected).`)
  await rm(target, { recursive: opts.recursive ?? false, force: true })
}
