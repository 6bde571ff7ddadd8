// Which Python runs nnU-Net, and where the app's own (managed) environment and its pinned
// requirements live.
import { existsSync, statSync } from 'node:fs'
import { delimiter, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { NnunetVersion, Settings } from '../../shared/schema'
import { dataDir } from '../paths'
import { HOW, either } from './howTo'

export function managedVenvDir(base: string): string {
  return join(base, 'python', 'venv-v2')
}

export function venvPython(venv: string): string {
  return process.platform === 'win32' ? join(venv, 'Scripts', 'python.exe') : join(venv, 'bin', 'python')
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile()
  } catch {
    return false
  }
}

/** The first of `names` on PATH, like a shell's lookup. */
export function whichOnPath(names: string[]): string | undefined {
  for (const name of names) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      if (!dir) continue
      const p = join(dir, process.platform === 'win32' && !name.endsWith('.exe') ? `${name}.exe` : name)
      if (isFile(p) && !p.includes('WindowsApps')) return p
    }
  }
  return undefined
}

/**
 * The interpreter for a run: the one in the settings, else the managed venv, else
 * $NNUNET_WIZARD_PYTHON, else python3/python on PATH. Throws when there is none.
 */
export function resolvePython(settings: Settings): string {
  if (settings.pythonPath) {
    if (!existsSync(settings.pythonPath)) throw new Error(`The chosen Python interpreter ${settings.pythonPath} does not exist. ${either(HOW.pickPython)}`)
    return settings.pythonPath
  }
  const managed = venvPython(managedVenvDir(dataDir()))
  if (isFile(managed)) return managed
  if (process.env.NNUNET_WIZARD_PYTHON) return process.env.NNUNET_WIZARD_PYTHON
  const onPath = whichOnPath(['python3', 'python'])
  if (onPath) return onPath
  throw new Error(`No Python interpreter is set and none is on PATH. ${either(HOW.install, HOW.pickPython)}`)
}

/**
 * python/requirements-<version>.txt of this app. Found by walking up from this module (source
 * tree, dist/node bundle) and in Electron's resources folder for a packaged app.
 */
export function requirementsFile(version: NnunetVersion): string {
  const name = join('python', `requirements-${version}.txt`)
  const starts: string[] = []
  if (process.env.NNUNET_WIZARD_REQUIREMENTS_DIR) return resolve(process.env.NNUNET_WIZARD_REQUIREMENTS_DIR, `requirements-${version}.txt`)
  try {
    starts.push(dirname(fileURLToPath(import.meta.url)))
  } catch {
    /* not an ES module URL (bundled as CommonJS) */
  }
  const resources = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath
  if (resources) starts.push(resources)
  starts.push(process.cwd())
  for (const start of starts) {
    let dir = start
    for (let i = 0; i < 6; i++) {
      if (isFile(join(dir, name))) return join(dir, name)
      const up = dirname(dir)
      if (up === dir) break
      dir = up
    }
  }
  throw new Error(`The pinned requirements (${name}) are missing from this installation; reinstall the app.`)
}
