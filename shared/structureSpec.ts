// Structure label sources (issue 20, item 4): a label read from RTSTRUCT ROIs or DICOM-SEG segments
// instead of a folder of masks. The CLI form is `--label NAME=rtstruct:DIR:ROI` or
// `--label NAME=seg:DIR:SEGMENT`, where ROI / SEGMENT is one name or aliases `A|B|C` (planning
// systems name the same organ "Liver", "LIVER", "liver_1"), matched without case. The folder is
// given between the kind and the last ":", so a Windows path (C:\data) keeps its colon; an ROI
// name with a ":" in it cannot be given here (use an alias without it).
// Issue 18 item 6: multi-label files as sources too, matched to cases by file name like masks:
// `segnrrd:DIR:SEGMENT` (3D Slicer .seg.nrrd, segments by name, aliases as above) and
// `labelmap:DIR:VALUE` (a label map per case; VALUE one label value or several "3|4").

export type StructureKind = 'rtstruct' | 'seg' | 'segnrrd' | 'labelmap'

export const STRUCTURE_KINDS: readonly StructureKind[] = ['rtstruct', 'seg', 'segnrrd', 'labelmap']

/** DICOM structure files, matched to a case by the series they reference (structureMask.ts). */
export type DicomStructureKind = 'rtstruct' | 'seg'

export function isDicomStructure(kind: StructureKind): kind is DicomStructureKind {
  return kind === 'rtstruct' || kind === 'seg'
}

/** One file per case in the label folder, matched by file name as masks are (labelSourceMask.ts). */
export function isFileMatched(kind: StructureKind): boolean {
  return kind === 'segnrrd' || kind === 'labelmap'
}

/** The label values of a labelmap choice ("3|4"); an error text when one is not a whole number 1..65535. */
export function labelMapValues(names: string): number[] | { error: string } {
  const aliases = aliasesOf(names)
  const bad = aliases.filter((a) => !/^\d+$/.test(a) || +a < 1 || +a > 65535)
  if (bad.length || aliases.length === 0) return { error: `label map values are whole numbers 1..65535 (one, or several as 3|4), got "${names}".` }
  return [...new Set(aliases.map(Number))]
}

const PART: Record<StructureKind, string> = { rtstruct: 'ROI', seg: 'SEGMENT', segnrrd: 'SEGMENT', labelmap: 'VALUE' }
const PART_NAME: Record<StructureKind, string> = { rtstruct: 'ROI name', seg: 'segment label', segnrrd: 'segment name', labelmap: 'label value' }
const EXAMPLE: Record<StructureKind, string> = { rtstruct: 'rtstruct:data/rtstruct:Liver|liver_1', seg: 'seg:data/seg:Liver|liver_1', segnrrd: 'segnrrd:data/slicer:Liver|liver_1', labelmap: 'labelmap:data/labelmaps:3|4' }

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
  const m = /^(rtstruct|segnrrd|seg|labelmap):(.*)$/i.exec(value)
  if (!m) return null
  const kind = m[1]!.toLowerCase() as StructureKind
  const rest = m[2]!
  const colon = rest.lastIndexOf(':')
  if (colon <= 0) return { error: `"${value}" needs ${kind}:DIR:${PART[kind]} (e.g. ${EXAMPLE[kind]}), the folder and the ${PART_NAME[kind]} after the last ":".` }
  const dir = rest.slice(0, colon)
  const names = rest.slice(colon + 1)
  if (aliasesOf(names).length === 0) return { error: `"${value}" names no ${kind === 'rtstruct' ? 'ROI' : kind === 'labelmap' ? 'value' : 'segment'} after the last ":" (give ${kind === 'labelmap' ? 'a value, or several 3|4' : 'a name, or aliases A|B|C'}).` }
  if (kind === 'labelmap') {
    const values = labelMapValues(names)
    if ('error' in values) return { error: `"${value}": ${values.error}` }
  }
  return { dir, structure: { kind, names } }
}

/** A structure file as the header index lists it (DicomStructureInfo fits). */
export interface StructureFileFacts {
  kind: StructureKind
  file: string
  referencedSeriesUid: string | null
  names: string[]
}

export interface StructureNameCount {
  /** As first found (case differences folded: "Liver" and "LIVER" are one row). */
  name: string
  /** The spellings found, when more than one. */
  spellings: string[]
  /** Cases with at least one file of the kind on their series holding this name. */
  cases: number
}

export interface StructureNames {
  kind: StructureKind
  dir: string
  /** Every case of the image folder, with the names found for it (in files referencing its series). */
  perCase: { caseKey: string; names: string[] }[]
  names: StructureNameCount[]
  /** Files of the kind that reference no case's series (another export, a series not in the image folder). */
  unmatchedFiles: string[]
}

/**
 * Which ROI / segment names the cases have: each case's series (the chosen one, else every series
 * of its folder) against the files of `kind` that reference it. Rows sorted by how many cases have
 * the name, then by name.
 */
export function countStructureNames(kind: StructureKind, dir: string, cases: { caseKey: string; seriesUids: string[] }[], files: StructureFileFacts[]): StructureNames {
  const ofKind = files.filter((f) => f.kind === kind)
  const used = new Set<string>()
  const rows = new Map<string, StructureNameCount>()
  const perCase = cases.map((c) => {
    const mine = ofKind.filter((f) => f.referencedSeriesUid !== null && c.seriesUids.includes(f.referencedSeriesUid))
    for (const f of mine) used.add(f.file)
    const byKey = new Map<string, string>()
    for (const n of mine.flatMap((f) => f.names)) if (!byKey.has(structureKey(n))) byKey.set(structureKey(n), n)
    for (const [key, n] of byKey) {
      const row = rows.get(key) ?? { name: n, spellings: [], cases: 0 }
      row.cases++
      rows.set(key, row)
    }
    for (const n of mine.flatMap((f) => f.names)) {
      const row = rows.get(structureKey(n))!
      if (!row.spellings.includes(n)) row.spellings.push(n)
    }
    return { caseKey: c.caseKey, names: [...byKey.values()] }
  })
  const names = [...rows.values()].map((r) => ({ ...r, spellings: r.spellings.length > 1 ? r.spellings : [] })).sort((a, b) => b.cases - a.cases || a.name.localeCompare(b.name))
  return { kind, dir, perCase, names, unmatchedFiles: ofKind.filter((f) => !used.has(f.file)).map((f) => f.file) }
}

/** The cases that have none of the aliases `names` (they fail unless cases may lack a mask). */
export function casesLacking(found: StructureNames, names: string): string[] {
  return found.perCase.filter((c) => !c.names.some((n) => matchesStructure(n, names))).map((c) => c.caseKey)
}
