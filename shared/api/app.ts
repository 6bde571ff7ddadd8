// The app itself: what it is and where it runs, the folder browser, opening a path, settings.
import { z } from 'zod'
import { type Input, nnunetVersion, pathText } from './common'
import { nnunetFolders } from './env'
import { slurmOptions } from './cluster'

export interface AppInfo {
  version: string
  mode: 'electron' | 'browser'
  platform: string
  home: string
  dataDir: string
}

export interface DirEntry {
  name: string
  path: string
  isDir: boolean
  /** A file the scan reads as a volume (by its ending: .nii.gz, .nrrd, ...). */
  volume?: boolean
}

export interface DirListing {
  path: string
  parent: string | null
  entries: DirEntry[]
  roots: string[]
}

/** showHidden: folders whose names start with a dot (.venv, .nnunet) are listed too. */
export const listDirRequest = z.object({ path: pathText.optional(), showFiles: z.boolean().default(false), showHidden: z.boolean().default(false) })

/** A new folder in the folder browser: one name (no separators, not . or ..) inside an existing folder. */
export const makeFolderRequest = z.object({
  parent: pathText,
  name: z
    .string()
    .trim()
    .min(1, 'a folder name is required')
    .max(255)
    .refine((n) => !/[\\/\0]/.test(n) && n !== '.' && n !== '..', 'a folder name, without / or \\, and not . or ..'),
})

export const pickFolderRequest = z.object({ title: z.string().max(200).optional(), defaultPath: pathText.optional() })

export const openPathRequest = z.object({ path: pathText })

/** Is `path` the folder or inside it? */
export const pathInsideRequest = z.object({ path: pathText, folder: pathText })

const settingsFields = {
  pythonPath: pathText.optional(),
  /** Where nnU-Net runs: this machine (the default) or a SLURM cluster (electron/schedulers/). */
  scheduler: z.enum(['local', 'slurm']).optional(),
  slurm: slurmOptions.optional(),
  nnunetVersion,
  folders: nnunetFolders.optional(),
  device: z.enum(['cuda', 'cpu', 'mps']),
  augmentationWorkers: z.number().int().min(0).max(64).optional(),
  torchCompile: z.boolean(),
}

export const settings = z.object({
  ...settingsFields,
  nnunetVersion: settingsFields.nnunetVersion.default('v2'),
  device: settingsFields.device.default('cuda'),
  torchCompile: settingsFields.torchCompile.default(false),
})

/** Built from the fields without defaults: zod fills defaults even in .partial(), and a patch must
 * never reset a setting the caller did not send. A key left out keeps its value; the workers take
 * null to go back to nnU-Net's own default (undefined cannot say that: JSON drops it). */
export const settingsPatch = z.object({ ...settingsFields, augmentationWorkers: settingsFields.augmentationWorkers.nullable() }).partial()

export type Settings = z.infer<typeof settings>

export type SettingsPatch = z.infer<typeof settingsPatch>

/** The methods of this area, each with the zod schema of its request (null: it takes none). */
export const appRequests = {
  appInfo: null,
  listDir: listDirRequest,
  makeFolder: makeFolderRequest,
  pickFolder: pickFolderRequest,
  openPath: openPathRequest,
  pathInside: pathInsideRequest,
  getSettings: null,
  setSettings: settingsPatch,
} as const

type Req<K extends keyof typeof appRequests> = Input<(typeof appRequests)[K]>

export interface AppApi {
  appInfo(): Promise<AppInfo>
  /** Server-side folder browser (browser mode has no native dialog). */
  listDir(req: Req<'listDir'>): Promise<DirListing>
  /** Creates one folder inside an existing one (the folder browser's "New folder"); returns its path. */
  makeFolder(req: Req<'makeFolder'>): Promise<string>
  /** Native folder dialog under Electron; null when cancelled or when there is none (browser mode). */
  pickFolder(req: Req<'pickFolder'>): Promise<string | null>
  openPath(req: Req<'openPath'>): Promise<void>
  /**
   * Whether a path is the folder or lies inside it, as written or through symbolic links: the one
   * containment rule of the Node side (electron/files/pathInside.ts), so no client compares prefixes.
   */
  pathInside(req: Req<'pathInside'>): Promise<boolean>
  getSettings(): Promise<Settings>
  setSettings(req: Req<'setSettings'>): Promise<Settings>
}
