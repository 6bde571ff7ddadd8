// Why a plan, train or predict command has no nnU-Net folders, told as it is. After
// `env --nnunet v1 --save` in another shell, `plan -d 501 --python <a v2 venv>` said "The nnU-Net
// folders are not set" although folders were remembered: v1's, which a v2 run does not read (and
// which did not even exist) (issue 18). The message names the folders that are remembered, for
// which version, whether they exist, why this run is another version, and the ways out.
import { existsSync } from 'node:fs'
import type * as s from '../../shared/schema'
import { FOLDER_VARS } from '../nnunet/folders'

export interface FoldersContext {
  /** The settings the command resolved (no folders). */
  settings: s.Settings
  /** What was remembered (the defaults, or the --project's environment over them). */
  saved: s.Settings
  /** Where that was remembered: the settings file or the project file. */
  savedIn: string
  /** Why this run uses its version: --nnunet, the interpreter's one nnU-Net, or the remembered version. */
  versionWhy: 'flag' | 'interpreter' | 'remembered'
}

const KEYS = ['raw', 'preprocessed', 'results'] as const
/** What --base makes under DIR (nnunet/folders.ts foldersUnder). */
const FOLDER_NAMES = { v2: 'nnUNet_raw, nnUNet_preprocessed and nnUNet_results', v1: 'nnUNet_raw_data_base, nnUNet_preprocessed and nnUNet_trained_models' } as const

function why(c: FoldersContext): string {
  const v = c.settings.nnunetVersion
  if (c.versionWhy === 'flag') return `--nnunet ${v}`
  if (c.versionWhy === 'interpreter') return `the interpreter ${c.settings.pythonPath} has nnU-Net ${v}`
  return `remembered in ${c.savedIn}`
}

/** The message for a command that needs the nnU-Net folders and resolved none. */
export function foldersMissingMessage(c: FoldersContext): string {
  const v = c.settings.nnunetVersion
  const vars = FOLDER_VARS[v]
  const create = `create and remember them: nnunet-wizard env --create-folders DIR --nnunet ${v}`
  const base = `give --base DIR (${v}'s ${FOLDER_NAMES[v]} under DIR) or --raw, --preprocessed and --results`
  const other = c.saved.folders && c.saved.nnunetVersion !== v ? c.saved.folders : undefined
  if (other) {
    const ov = c.saved.nnunetVersion
    const missing = KEYS.filter((k) => !existsSync(other[k]))
    const listed = KEYS.map((k) => `${FOLDER_VARS[ov][k]}=${other[k]}${existsSync(other[k]) ? '' : ' (does not exist)'}`).join(', ')
    const state = missing.length === KEYS.length ? 'none of them exists' : missing.length ? `${missing.length} of them do not exist` : 'they exist'
    return (
      `no nnU-Net ${v} folders are set. The folders remembered in ${c.savedIn} are nnU-Net ${ov}'s (${listed}; ${state}), ` +
      `and this run is nnU-Net ${v} (${why(c)}), which does not read ${ov}'s folders. ` +
      `Either ${base}; or ${create}` +
      (c.versionWhy === 'interpreter' ? '.' : `; or, for ${ov}'s folders, --nnunet ${ov} with an interpreter that has nnU-Net ${ov}.`)
    )
  }
  return (
    `no nnU-Net ${v} folders are set (${why(c)}): no --base or --raw/--preprocessed/--results, no ${vars.raw}, ${vars.preprocessed} and ${vars.results} in the environment, and none remembered in ${c.savedIn}. ` +
    `Either ${base}; or ${create}.`
  )
}
