// Whether an nnU-Net training nobody started through the app trains a fold folder now. Every
// training the app starts holds the fold's lock (foldLock.ts), so a fold without a lock is not
// trained by the app; but a researcher may run `nnUNetv2_train` (or v1's `nnUNet_train`) in a
// terminal, which takes no lock. Results must not call that fold stopped while it trains: look for
// such a process by its command line.
import { execFile } from 'node:child_process'
import { basename, dirname } from 'node:path'

/** The fold a results folder belongs to, read from its path (v2 and v1 layouts). */
export interface FoldIdentity {
  version: 'v1' | 'v2'
  /** The dataset's number (v2 DatasetNNN_Name, v1 TaskNNN_Name) and its full folder name. */
  datasetId: number
  datasetName: string
  trainer: string
  plans: string
  configuration: string
  fold: string
}

/**
 * v2: <results>/DatasetNNN_Name/<trainer>__<plans>__<config>/fold_F;
 * v1: <results>/nnUNet/<config>/TaskNNN_Name/<trainer>__<plans>/fold_F. Undefined for anything else.
 */
export function foldIdentity(foldFolder: string): FoldIdentity | undefined {
  const fold = /^fold_(\d+|all)$/.exec(basename(foldFolder))?.[1]
  const model = basename(dirname(foldFolder))
  const dataset = basename(dirname(dirname(foldFolder)))
  if (!fold) return undefined
  const parts = model.split('__')
  const v2 = /^Dataset(\d+)_/.exec(dataset)
  if (v2 && parts.length === 3) return { version: 'v2', datasetId: Number(v2[1]), datasetName: dataset, trainer: parts[0]!, plans: parts[1]!, configuration: parts[2]!, fold }
  const v1 = /^Task(\d+)_/.exec(dataset)
  if (v1 && parts.length === 2) return { version: 'v1', datasetId: Number(v1[1]), datasetName: dataset, trainer: parts[0]!, plans: parts[1]!, configuration: basename(dirname(dirname(dirname(foldFolder)))), fold }
  return undefined
}

/** The value after a flag (`-tr X`), or the default when the flag is absent. */
function flag(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name)
  return i >= 0 && i + 1 < args.length ? args[i + 1]! : fallback
}

const sameDataset = (arg: string, f: FoldIdentity) => arg === f.datasetName || (/^\d+$/.test(arg) && Number(arg) === f.datasetId)

/** Whether one process's arguments (split on white space) train this fold. */
export function trainsFold(args: string[], f: FoldIdentity): boolean {
  if (f.version === 'v2') {
    const at = args.findIndex((a) => basename(a) === 'nnUNetv2_train')
    if (at < 0) return false
    const [dataset, configuration, fold] = args.slice(at + 1, at + 4)
    return !!dataset && sameDataset(dataset, f) && configuration === f.configuration && fold === f.fold && flag(args, '-tr', 'nnUNetTrainer') === f.trainer && flag(args, '-p', 'nnUNetPlans') === f.plans
  }
  const at = args.findIndex((a) => basename(a) === 'nnUNet_train')
  if (at < 0) return false
  const [configuration, trainer, task, fold] = args.slice(at + 1, at + 5)
  return configuration === f.configuration && trainer === f.trainer && !!task && sameDataset(task, f) && fold === f.fold && flag(args, '-p', 'nnUNetPlansv2.1') === f.plans
}

/**
 * True when a process on this machine trains the fold, false when none does, undefined when that
 * cannot be told (not a results folder of nnU-Net's layout, or no `ps` here, as on Windows).
 */
export function handRunTraining(foldFolder: string): Promise<boolean | undefined> {
  const f = foldIdentity(foldFolder)
  if (!f || process.platform === 'win32') return Promise.resolve(undefined)
  return new Promise((resolve) => {
    execFile('ps', ['-eo', 'args='], { timeout: 10_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      if (err) return resolve(undefined)
      resolve(stdout.split('\n').some((line) => trainsFold(line.trim().split(/\s+/), f)))
    })
  })
}
