// The nnU-Net folders an Output folder already implies. A researcher who writes the dataset into
// /x/nnunet/nnUNet_raw has chosen /x/nnunet as the base of nnU-Net's three folders; the
// Environment step offered empty fields all the same (issue 18). Pure string work (the renderer
// asks, never builds paths on its own): the folder names are nnU-Net's own per version, the
// separator is the one the Output folder is written with.
import type { NnunetFolders, NnunetVersion } from './schema'

/** The three folders nnU-Net reads under one base (electron/nnunet/folders.ts foldersUnder creates these). */
export const BASE_FOLDER_NAMES: Record<NnunetVersion, NnunetFolders> = {
  v2: { raw: 'nnUNet_raw', preprocessed: 'nnUNet_preprocessed', results: 'nnUNet_results' },
  v1: { raw: 'nnUNet_raw_data_base', preprocessed: 'nnUNet_preprocessed', results: 'nnUNet_trained_models' },
}

/**
 * The base and the three folders under it when `outDir` is the version's raw folder
 * (…/nnUNet_raw for v2, …/nnUNet_raw_data_base for v1), else undefined. A trailing separator is
 * ignored; a raw folder at the root of a drive has no base to offer.
 */
export function foldersFromOutput(outDir: string, version: NnunetVersion): { base: string; folders: NnunetFolders } | undefined {
  const trimmed = outDir.trim().replace(/[\\/]+$/, '')
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'))
  if (cut <= 0) return undefined
  const names = BASE_FOLDER_NAMES[version]
  if (trimmed.slice(cut + 1) !== names.raw) return undefined
  const base = trimmed.slice(0, cut)
  if (/^[A-Za-z]:$/.test(base)) return undefined
  const sep = trimmed[cut]!
  return { base, folders: { raw: trimmed, preprocessed: `${base}${sep}${names.preprocessed}`, results: `${base}${sep}${names.results}` } }
}
