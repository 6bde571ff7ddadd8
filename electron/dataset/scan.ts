// Finds the cases: one image per file in the image folder, and for each label folder the file
// with the same name (extension aside). Only directory listings: no volume is opened here, so a
// scan is instant even on a network drive with hundreds of cases.
import { readdir, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { CaseMatch, Finding, ScanResult } from '../../shared/api'
import type { SourceSpec } from '../../shared/schema'
import { naturalCompare } from '../../shared/naturalSort'
import { VOLUME_EXTENSIONS, volumeExtension } from '../imaging/volume'
import { ALLOW_MISSING_HINT } from '../../shared/layout'
import { escapedName, RENAME_NOT_UTF8, utf8Name } from '../files/fileNames'
import { isDicomFolder } from '../imaging/dicom/detect'
import { listStructureFolder } from './structureMask'
import { isDicomStructure, isFileMatched } from '../../shared/structureSpec'

/** Pixel-data companions of .nhdr/.mhd headers (and Analyze .img): read through their header, never a case. */
const DATA_FILE = /\.(raw|zraw|img|dat)(\.gz)?$/i

interface FolderListing {
  dir: string
  /** case key -> absolute path */
  files: Map<string, string>
  findings: Finding[]
}

function caseKeyOf(fileName: string): string | null {
  const ext = volumeExtension(fileName)
  // 3D Slicer's segmentation files (case01.seg.nrrd) belong to case01, as its image case01.nrrd does.
  const seg = /\.seg\.nrrd$/i.test(fileName) ? '.seg.nrrd' : ext
  return seg ? fileName.slice(0, fileName.length - seg.length) : null
}

async function listFolder(dir: string, role: string, dicomCases = false, segNrrdOnly = false): Promise<FolderListing> {
  const out: FolderListing = { dir, files: new Map(), findings: [] }
  let entries
  try {
    const info = await stat(dir)
    if (!info.isDirectory()) {
      out.findings.push({ severity: 'error', code: 'folder-not-directory', file: dir, text: `The ${role} path ${dir} is a file, not a folder.`, hint: 'Choose the folder that holds the files.' })
      return out
    }
    // Names as bytes: one that is not UTF-8 is reported by name below, not lost as "does not exist".
    entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    out.findings.push({
      severity: 'error',
      code: code === 'ENOENT' ? 'folder-missing' : 'folder-unreadable',
      file: dir,
      text: code === 'ENOENT' ? `The ${role} folder ${dir} does not exist${dir.includes('\uFFFD') ? ` (the path has a character that stands for bytes that are not UTF-8 text: a folder named in another encoding cannot be given by name)` : ''}.` : `The ${role} folder ${dir} cannot be read (${code ?? String(err)}).`,
      hint: code === 'ENOENT' ? (dir.includes('\uFFFD') ? RENAME_NOT_UTF8 : 'Check the path (spelling, a drive that is not mounted).') : 'Check the folder permissions.',
    })
    return out
  }
  const ignored: string[] = []
  const byKey = new Map<string, string[]>()
  const notUtf8: string[] = []
  const subfolders: string[] = []
  for (const e of entries) {
    const name = utf8Name(e.name)
    if (name === null) {
      if (e.name[0] !== 0x2e) notUtf8.push(escapedName(e.name))
      continue
    }
    if (name.startsWith('.')) continue
    // A Slicer segmentation beside its scan (case01.seg.nrrd next to case01.nrrd) is a label source, not a second image of case01.
    if (dicomCases && /\.seg\.nrrd$/i.test(name)) {
      ignored.push(name)
      continue
    }
    // A folder of Slicer segmentations may be the image folder itself: only its .seg.nrrd files are cases there.
    if (segNrrdOnly && !/\.seg\.nrrd$/i.test(name)) continue
    const key = caseKeyOf(name)
    if (key === null || key === '') {
      // Sub-folders are ordinary (in the image folder each may be a DICOM case); files (and links) that are not volumes are listed as ignored.
      if (e.isDirectory()) subfolders.push(name)
      else if (!DATA_FILE.test(name)) ignored.push(name)
      continue
    }
    // Anything named like a volume is a case, even a broken link, a link loop or a folder: reading
    // it then fails with a message naming it, instead of the case silently disappearing.
    byKey.set(key, [...(byKey.get(key) ?? []), name])
  }
  // A volume-named file whose name is not UTF-8 would be a case that silently goes missing: refused.
  const notUtf8Volumes = notUtf8.filter((n) => caseKeyOf(n))
  if (notUtf8Volumes.length) {
    const shown = notUtf8Volumes.sort(naturalCompare).slice(0, 5).join(', ')
    out.findings.push({ severity: 'error', code: 'name-not-utf8', file: join(dir, notUtf8Volumes[0]!), text: `${notUtf8Volumes.length === 1 ? 'A file' : `${notUtf8Volumes.length} files`} in the ${role} folder ${dir} ${notUtf8Volumes.length === 1 ? 'has a name' : 'have names'} that ${notUtf8Volumes.length === 1 ? 'is' : 'are'} not valid UTF-8 text (bytes that are not UTF-8 shown as \\xHH): ${shown}${notUtf8Volumes.length > 5 ? ', …' : ''}.`, hint: RENAME_NOT_UTF8 })
  }
  ignored.push(...notUtf8.filter((n) => !caseKeyOf(n)))
  // DICOM (issue 20): each sub-folder of the image folder holding DICOM files is one case, named after the folder.
  if (dicomCases) {
    const dicom = await Promise.all(subfolders.map((n) => isDicomFolder(join(dir, n))))
    subfolders.forEach((n, i) => dicom[i] && byKey.set(n, [...(byKey.get(n) ?? []), n]))
  }
  for (const [key, names] of byKey) {
    const sorted = names.sort(naturalCompare)
    if (sorted.length > 1) {
      out.findings.push({ severity: 'error', code: 'duplicate-case', file: join(dir, sorted[0]!), text: `The ${role} folder ${dir} has ${sorted.length} files for case "${key}": ${sorted.join(', ')}.`, hint: 'Keep one file per case name (remove or rename the others).' })
    }
    out.files.set(key, join(dir, sorted[0]!))
  }
  if (ignored.length > 0) {
    const shown = ignored.sort(naturalCompare).slice(0, 5).join(', ')
    out.findings.push({ severity: 'info', code: 'ignored-files', file: dir, text: `${ignored.length} file${ignored.length === 1 ? '' : 's'} in ${dir} ${ignored.length === 1 ? 'is' : 'are'} not a volume and ignored: ${shown}${ignored.length > 5 ? ', …' : ''}.` })
  }
  if (out.files.size === 0 && segNrrdOnly) {
    out.findings.push({ severity: 'error', code: 'folder-empty', file: dir, text: `The ${role} folder ${dir} holds no .seg.nrrd files.`, hint: 'Choose the folder where the segmentations were saved from 3D Slicer (one case01.seg.nrrd per case, named like its image).' })
  } else if (out.files.size === 0) {
    out.findings.push({ severity: 'error', code: 'folder-empty', file: dir, text: `The ${role} folder ${dir} holds no volumes (${VOLUME_EXTENSIONS.join(', ')})${dicomCases ? ' and no sub-folders of DICOM files' : ''}.`, hint: dicomCases ? 'Choose the folder that holds the scans themselves (or one sub-folder of DICOM files per case), not a parent folder.' : 'Choose the folder that holds the scans themselves, not a parent folder.' })
  }
  return out
}

export async function scanSources(spec: SourceSpec): Promise<ScanResult> {
  const imagesDir = resolve(spec.imagesDir)
  const labelDirs = spec.labels.map((l) => resolve(l.dir))
  const findings: Finding[] = []
  const all = [imagesDir, ...labelDirs]
  all.forEach((d, i) => {
    const j = all.indexOf(d)
    // Structure files (RTSTRUCT / SEG) are picked by the series they reference: they may share a folder with the scans and with each other.
    const structure = (k: number) => k > 0 && spec.labels[k - 1]!.structure !== undefined && isDicomStructure(spec.labels[k - 1]!.structure!.kind)
    // Several labels from one folder of label maps / .seg.nrrd files (labelmap:DIR:1, labelmap:DIR:2) share it by design.
    const multi = (k: number) => k > 0 && spec.labels[k - 1]!.structure !== undefined && isFileMatched(spec.labels[k - 1]!.structure!.kind)
    // .seg.nrrd files may sit beside their scans: the image folder skips them (listFolder).
    const besideImages = (k: number) => j === 0 && k > 0 && spec.labels[k - 1]!.structure?.kind === 'segnrrd'
    if (j < i && !structure(i) && !structure(j) && !(multi(i) && multi(j)) && !besideImages(i)) {
      const what = (k: number) => (k === 0 ? 'the image folder' : `the "${spec.labels[k - 1]!.name}" mask folder`)
      findings.push({ severity: 'error', code: 'same-folder', file: d, text: `${what(i).replace(/^t/, 'T')} is the same folder as ${what(j)}: ${d}.`, hint: 'Each structure needs its own folder of masks, separate from the images.' })
    }
  })
  // RTSTRUCT / SEG folders are matched per case by series in the worker; label maps and .seg.nrrd files by name, as masks.
  const dicomStructure = (i: number) => spec.labels[i]!.structure !== undefined && isDicomStructure(spec.labels[i]!.structure!.kind)
  const [images, ...labels] = await Promise.all([listFolder(imagesDir, 'image', true), ...labelDirs.map((d, i) => (dicomStructure(i) ? listStructureFolder(d, spec.labels[i]!.name, spec.labels[i]!.structure!.kind) : listFolder(d, spec.labels[i]!.structure?.kind === 'segnrrd' ? `"${spec.labels[i]!.name}" segmentation (.seg.nrrd)` : spec.labels[i]!.structure?.kind === 'labelmap' ? `"${spec.labels[i]!.name}" label map` : `"${spec.labels[i]!.name}" mask`, false, spec.labels[i]!.structure?.kind === 'segnrrd')))])
  findings.push(...images!.findings, ...labels.flatMap((l) => l.findings))

  const keys = [...images!.files.keys()].sort(naturalCompare)
  const cases: CaseMatch[] = keys.map((caseKey) => ({ caseKey, image: images!.files.get(caseKey)!, masks: labels.map((l, i) => (dicomStructure(i) ? (l.findings.length ? null : l.dir) : (l.files.get(caseKey) ?? null))) }))

  const unmatched = labels
    .map((l) => ({ folder: l.dir, files: [...l.files.entries()].filter(([k]) => !images!.files.has(k)).map(([, p]) => p).sort(naturalCompare) }))
    // One folder given for several labels (labelmap:DIR:1, labelmap:DIR:2) is said once.
    .filter((u, i, all) => u.files.length > 0 && all.findIndex((o) => o.folder === u.folder) === i)
  for (const u of unmatched) {
    const names = u.files.slice(0, 5).map((p) => p.slice(u.folder.length + 1))
    findings.push({ severity: 'warning', code: 'unmatched-files', file: u.folder, text: `${u.files.length} mask file${u.files.length === 1 ? '' : 's'} in ${u.folder} ${u.files.length === 1 ? 'has' : 'have'} no image with the same name and ${u.files.length === 1 ? 'is' : 'are'} ignored: ${names.join(', ')}${u.files.length > 5 ? ', …' : ''}.`, hint: 'Masks are matched to images by file name without extension (image-1.nrrd <-> image-1.nii.gz).' })
  }
  labels.forEach((l, i) => {
    if (l.files.size === 0) return
    const missing = cases.filter((c) => c.masks[i] === null).map((c) => c.caseKey)
    if (missing.length === 0) return
    const name = spec.labels[i]!.name
    // A warning here: the case itself fails (or is kept with an empty label) during validation,
    // and the other cases are still written.
    findings.push({
      severity: 'warning',
      code: 'mask-missing',
      file: l.dir,
      text: `${missing.length} case${missing.length === 1 ? '' : 's'} ${missing.length === 1 ? 'has' : 'have'} no "${name}" mask in ${l.dir}: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}.`,
      hint: spec.allowMissingMask ? `"${name}" is left empty in those cases.` : `Those cases will fail. Add the missing masks, or ${ALLOW_MISSING_HINT} to leave "${name}" empty in them.`,
    })
  })
  return { cases, unmatched, findings }
}
