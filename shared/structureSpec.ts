// Structure label sources (issue 20, item 4): a label read from RTSTRUCT ROIs or DICOM-SEG segments
// instead of a folder of masks. The CLI form is `--label NAME=rtstruct:DIR:ROI` or
// `--label NAME=seg:DIR:SEGMENT`, where ROI / SEGMENT is one name or aliases `A|B|C` (planning
// systems name the same organ "Liver", "LIVER", "liver_1"), matched without case. The folder is
// given between the kind and the last ":", so a Windows path (C:\data) keeps its colon; an ROI
// name with a ":" in it cannot be given here (use an alias without it).

export type StructureKind = 'rtstruct' | 'seg'

export const STRUCTURE_KINDS: readonly StructureKind[] = ['rtstruct', 'seg']

export interface StructureChoice {
  kind: StructureKind
  /** As the user typed it: one name or aliases "A|B|C". */
  names: string
}

/** The aliases of "A|B|C", trimmed, empty ones dropped, in the order given. */
export function aliasesOf(names: string): string[] {
  return names
    .split('|')
    .map((a) => a.trim())
    .filter((a) => a.length > 0)
}

/** Case-insensitive key of a structure name (ROI names differ in case across planning systems). */
export function structureKey(name: string): string {
  return name.trim().toLocaleLowerCase('en-US')
}

/** True when `found` (an ROI name or segment label in a file) is one of the aliases of `names`. */
export function matchesStructure(found: string, names: string): boolean {
  const key = structureKey(found)
  return aliasesOf(names).some((a) => structureKey(a) === key)
}

/**
 * The folder and structure of a `--label` value: "DIR" is a folder of masks (null here);
 * "rtstruct:DIR:ROI" or "seg:DIR:SEGMENT" a structure source. Returns an error text for a value
 * that starts with a kind but lacks its parts.
 */
export function parseStructureSource(value: string): { dir: string; structure: StructureChoice } | { error: string } | null {
  const m = /^(rtstruct|seg):(.*)$/i.exec(value)
  if (!m) return null
  const kind = m[1]!.toLowerCase() as StructureKind
  const rest = m[2]!
  const colon = rest.lastIndexOf(':')
  const what = kind === 'rtstruct' ? 'ROI' : 'SEGMENT'
  if (colon <= 0) return { error: `"${value}" needs ${kind}:DIR:${what} (e.g. ${kind}:data/${kind}:Liver|liver_1), the folder and the ${kind === 'rtstruct' ? 'ROI name' : 'segment label'} after the last ":".` }
  const dir = rest.slice(0, colon)
  const names = rest.slice(colon + 1)
  if (aliasesOf(names).length === 0) return { error: `"${value}" names no ${kind === 'rtstruct' ? 'ROI' : 'segment'} after the last ":" (give a name, or aliases A|B|C).` }
  return { dir, structure: { kind, names } }
}
