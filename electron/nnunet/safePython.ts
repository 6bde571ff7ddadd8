// Every Python the app starts (the probe, the version check, venv and pip, nnU-Net's tools)
// starts with a sys.path nobody else chose. Python puts a folder first on sys.path: the current
// working folder for `-c` and `-m`, the script's folder for a script. From a working folder
// that holds a json.py or a pip/ package (a downloads folder, a shared dataset folder), that
// code would run as the user. Two guards, because each covers what the other cannot:
// - PYTHONSAFEPATH=1 is `-P` as an environment variable: from 3.11 on nothing is prepended, and
//   the child's own children (nnU-Net's spawned workers) inherit it. Older Pythons ignore it,
//   where a literal `-P` would stop them with "Unknown option".
// - The working folder is an empty private folder of the app, so on 3.10 and older the folder
//   that is prepended holds nothing to import.
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, isAbsolute, join, resolve } from 'node:path'
import { stateDir } from '../paths'

let fallbackDir: string | undefined

/** An empty folder only this user can write to: the working folder of every Python we start. */
export function pythonWorkDir(): string {
  // Made on every call (cheap): the state folder may have changed or been removed since.
  try {
    const dir = join(stateDir(), 'python-cwd')
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    return dir
  } catch {
    // No writable state folder (a read-only home): a private folder in the temp folder, made once.
    return (fallbackDir ??= mkdtempSync(join(tmpdir(), 'nnunet-wizard-python-')))
  }
}

/** nnU-Net's folder variables; a relative one would change meaning in another working folder. */
const PATH_VARS = ['nnUNet_raw', 'nnUNet_preprocessed', 'nnUNet_results', 'nnUNet_raw_data_base', 'RESULTS_FOLDER']
const PATH_LIST_VARS = ['nnUNet_extTrainer']

/**
 * `file` as the child will find it: a relative path (".venv/bin/python") is resolved against
 * our own working folder, since the child starts in another. Bare names stay PATH lookups.
 */
export function programPath(file: string): string {
  return /[\\/]/.test(file) && !isAbsolute(file) ? resolve(file) : file
}

/** How to start a Python child: its environment and working folder (see the top of this file). */
export function pythonSpawn(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; cwd: string } {
  const here = process.cwd()
  const out: NodeJS.ProcessEnv = { ...env, PYTHONSAFEPATH: '1' }
  for (const k of PATH_VARS) {
    const v = out[k]
    if (v && !isAbsolute(v)) out[k] = resolve(here, v)
  }
  for (const k of PATH_LIST_VARS) {
    const v = out[k]
    if (v) out[k] = v.split(delimiter).map((p) => (p && !isAbsolute(p) ? resolve(here, p) : p)).join(delimiter)
  }
  return { env: out, cwd: pythonWorkDir() }
}
