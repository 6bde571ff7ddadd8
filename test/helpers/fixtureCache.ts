// Expensive test fixtures (a planned nnU-Net dataset, a trained model) built once and cached by
// content hash, as scripts/setup-python.sh caches the venvs: the key is a hash of every input and
// of the code that builds it, so a change to any of them builds a new one and nothing stale is
// ever reused. A fixture is built in a temporary folder beside its final place and renamed when
// complete; two builders racing (a vitest file and a Playwright spec, two engineers) both finish,
// the first rename wins and the loser's copy is removed. A cached fixture is never written to:
// tests copy it into their own temporary folder (copyFixture) and change the copy.
// nnU-Net writes absolute paths into its JSON files (a validation summary.json names each
// reference and prediction file): the folder a fixture was built in is kept in it (.built-in), and
// a copy has those paths moved to where the copy is, as if nnU-Net had run there.
//
// Where: $NNUNET_WIZARD_FIXTURE_ROOT, else ~/.cache/nnunet-wizard/fixtures/<name>-<hash>/.
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { REPO_ROOT } from './python'

const COMPLETE = '.complete'
/** The folder the fixture was built in (what nnU-Net's absolute paths in it start with). */
const BUILT_IN = '.built-in'

export function fixtureRoot(): string {
  return process.env.NNUNET_WIZARD_FIXTURE_ROOT ?? join(homedir(), '.cache', 'nnunet-wizard', 'fixtures')
}

/** Every file under `paths` (repository-relative files or folders), sorted, with its content in the hash. */
export function hashInputs(paths: string[], extra: string[] = []): string {
  const h = createHash('sha256')
  const files: string[] = []
  const walk = (abs: string): void => {
    const info = statSync(abs, { throwIfNoEntry: false })
    if (!info) return
    if (info.isDirectory()) {
      for (const name of readdirSync(abs).sort()) if (name !== 'node_modules') walk(join(abs, name))
    } else if (info.isFile()) files.push(abs)
  }
  for (const p of paths) walk(p.startsWith('/') ? p : join(REPO_ROOT, p))
  for (const f of files.sort()) {
    h.update(relative(REPO_ROOT, f)).update('\0').update(readFileSync(f)).update('\0')
  }
  for (const e of extra) h.update(e).update('\0')
  return h.digest('hex').slice(0, 12)
}

/**
 * The cached fixture `name` for `key`: returned at once when complete, otherwise built by
 * `build(dir)` into a temporary folder and renamed into place. Older fixtures of the same name are
 * removed once a new one is in place (a day after they were made, so a run using one keeps it).
 */
export async function cachedFixture(name: string, key: string, build: (dir: string) => Promise<void>, log: (line: string) => void = () => undefined): Promise<string> {
  const root = fixtureRoot()
  const final = join(root, `${name}-${key}`)
  if (existsSync(join(final, COMPLETE))) return final
  await mkdir(root, { recursive: true })
  const tmp = join(root, `.${name}-${key}.building-${process.pid}-${Date.now()}`)
  log(`building the ${name} fixture (${final}); cached for the next run`)
  const started = Date.now()
  try {
    await build(tmp)
    await writeFile(join(tmp, BUILT_IN), tmp)
    await writeFile(join(tmp, COMPLETE), `${new Date().toISOString()} built in ${Math.round((Date.now() - started) / 1000)} s\n`)
  } catch (err) {
    await rm(tmp, { recursive: true, force: true })
    throw err
  }
  try {
    await rename(tmp, final)
  } catch (err) {
    // Someone else finished first (ENOTEMPTY/EEXIST): theirs is the same content; drop ours.
    await rm(tmp, { recursive: true, force: true })
    if (!existsSync(join(final, COMPLETE))) throw err
  }
  await pruneOld(root, name, final)
  return final
}

async function pruneOld(root: string, name: string, keep: string): Promise<void> {
  const dayAgo = Date.now() - 24 * 3600_000
  for (const entry of await readdir(root)) {
    const p = join(root, entry)
    if (p === keep) continue
    const ours = entry.startsWith(`${name}-`) || entry.startsWith(`.${name}-`)
    if (!ours) continue
    const info = await stat(p).catch(() => undefined)
    if (info && info.mtimeMs < dayAgo) await rm(p, { recursive: true, force: true })
  }
}

/**
 * A private, writable copy of a cached fixture (the cache itself stays as it was built), with the
 * absolute paths nnU-Net wrote into its JSON files moved from the build folder to the copy.
 */
export async function copyFixture(cached: string, dest: string): Promise<string> {
  const builtIn = await readFile(join(cached, BUILT_IN), 'utf8').catch(() => null)
  await cp(cached, dest, { recursive: true, filter: (src) => !src.endsWith(`/${COMPLETE}`) && !src.endsWith(`/${BUILT_IN}`) })
  if (builtIn) await movePaths(dest, builtIn, resolve(dest))
  return dest
}

/** Rewrites `from` to `to` in every JSON file under `dir` that names it (paths need no JSON escaping here). */
async function movePaths(dir: string, from: string, to: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) await movePaths(p, from, to)
    else if (e.isFile() && e.name.endsWith('.json')) {
      const text = await readFile(p, 'utf8')
      if (text.includes(from)) await writeFile(p, text.replaceAll(from, to))
    }
  }
}
