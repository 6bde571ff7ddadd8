// `nnunet-wizard prepare`: the dataset engine from a terminal, through the same service as the
// wizard (electron/service.ts), so every rule the app applies (names, ids, the nnU-Net folders,
// overlap with the sources, the lock) applies here too, with the same messages.
import { resolve } from 'node:path'
import type { Finding, JobEvent, PrepareSummary, Progress } from '../../shared/api'
import { prepareRequest, type PrepareRequest } from '../../shared/schema'
import { toApiError } from '../transport/errors'
import { cliService, settingsFrom } from './support'
import { UsageError, parseFlags, usageFailure, validRequest } from './common'
import { stopNow } from '../dataset/prepare'
import { readFileSync } from 'node:fs'
import { parseGroupsCsv } from '../../shared/splits'
import { parseStructureSource } from '../../shared/structureSpec'

/** case -> group from a "case,group" CSV file. */
function groupsFromCsvFile(file: string): Record<string, string> {
  let text: string
  try {
    text = readFileSync(resolve(file), 'utf8')
  } catch (err) {
    throw new UsageError(`--groups-csv: cannot read ${file} (${(err as Error).message}).`)
  }
  const groups = parseGroupsCsv(text)
  if ('error' in groups && typeof groups.error === 'string') throw new UsageError(`--groups-csv ${file}: ${groups.error}`)
  return groups as Record<string, string>
}

export const help = `usage: nnunet-wizard prepare --images DIR --label NAME=DIR [--label NAME=DIR ...]
                             --out DIR --id N --name NAME [options]

Turns one folder of images plus one folder of binary masks per structure into an nnU-Net
dataset. Files are matched by name without extension (image-1.nrrd <-> image-1.nii.gz).

required:
  --images DIR            folder of 3D images (.nrrd .nhdr .nii .nii.gz .mha .mhd), or of one
                          sub-folder of DICOM files per case (case name = folder name)
  --label NAME=DIR        a structure and its folder of 0/1 masks; repeat per structure.
                          The first is label 1, the second 2, ...; a later label wins
                          where masks overlap (tumor after organ: tumor overwrites organ).
  --label NAME=rtstruct:DIR:ROI, --label NAME=seg:DIR:SEGMENT
                          DICOM cases: the structure from the RTSTRUCT / DICOM-SEG files in
                          DIR (any names, any depth; may be the --images folder) that
                          reference the case's series, never matched by file name. ROI or
                          SEGMENT is a name or aliases 'A|B|C', matched without case (a SEG
                          segment may also be given by number)
  --label NAME=segnrrd:DIR:SEGMENT
                          the segment named SEGMENT (or aliases 'A|B|C', without case) of each
                          case's 3D Slicer segmentation in DIR (case01.seg.nrrd for case01)
  --label NAME=labelmap:DIR:VALUE
                          the voxels of value VALUE (or several, '3|4') of each case's label
                          map in DIR (named like its image); several labels may share DIR
  --out DIR               where the dataset folder is created (e.g. your nnUNet_raw)
  --id N                  dataset id: 1-999 (nnunet-v2), 1-99 (msd)
  --name NAME             dataset name: letters, digits, - and _

options:
  --layout nnunet-v2|msd  nnunet-v2 (default): DatasetNNN_NAME with {case}_0000.nii.gz;
                          msd: TaskNN_NAME as the Decathlon / nnU-Net v1 expects
  --prefix P              case id prefix (default: the name in lower case), no "_"
  --modality NAME         channel name written to dataset.json (default CT)
  --test-count N          put N cases in imagesTs (their merged labels go to labelsTs,
                          which nnU-Net never trains on; used to score test predictions)
  --test-fraction F       or a fraction of the cases (0-0.9)
  --seed S                seed of the train/test split (default 0)
  --no-test-labels        write no labelsTs for the test cases (images only)
  --group-pattern REGEX   patients: a regular expression on the image file name (without
                          extension) whose first group is the patient, e.g. '^(pat\\d+)_';
                          test cases are then whole patients, and case_groups.json lets
                          'nnunet-wizard splits --write' make grouped folds after planning
  --groups-csv FILE       or a CSV of "case,group" (case = image file name without extension)
  --ignore NAME=DIR       nnunet-v2: a folder of 0/1 masks of voxels nobody annotated (partly
                          annotated data): merged last with the highest value, named "ignore"
                          in dataset.json; nnU-Net leaves them out of the loss
  --regions               nnunet-v2: where a mask lies inside another (tumor in organ), write
                          dataset.json for region-based training ("organ": [1, 2], "tumor": 2,
                          regions_class_order); label files unchanged. Masks that only partly
                          overlap are refused, with the voxel counts
  --allow-missing-mask    a case without a mask for a structure gets that label empty
  --series REGEX          DICOM case folders (one sub-folder of --images per case): the series
                          whose description matches (case-insensitive), where a folder holds
                          several and no structure set / SEG says which
  --overwrite             replace a non-empty dataset folder not made by this tool, or one
                          whose manifest.json was damaged or edited
  --no-source-paths       keep nothing derived from source file or folder names, and no
                          times, in the dataset folder: only case ids, sizes and content
                          hashes (a re-run still resumes: the names stay in a private
                          index in your own state folder)
  --description TEXT, --reference TEXT, --licence TEXT, --release TEXT
                          dataset.json metadata
  --json                  print a JSON summary on stdout
  -h, --help              show this help

Each case is checked completely before it is written, and recorded in manifest.json as soon
as its files are in place: after a crash, Ctrl-C or SIGTERM (the case being written is
finished first; Ctrl-C twice stops at once), run the same command again to continue.
dataset.json is written when every case is written or has failed. A finished dataset is
left as it is.
manifest.json maps each source file (absolute path) to its case id; the job log, kept in your
own state folder, names the source files too.

exit codes: 0 every case is in the dataset (written now or before)
            1 some cases failed their checks; the others are written
            2 bad usage, the request was refused (nothing was written), no case could be
              written, or an error stopped the run (the message says what was kept)
            75 the disk or file system failed (full, quota, read-only, I/O error): the run
              stopped, no case was marked failed, no dataset.json; fix it and run again
            130 interrupted by Ctrl-C, 143 by SIGTERM: the cases written so far are kept
            129 the terminal closed (SIGHUP; run it under nohup or tmux to keep it going): stopped
              at once; the cases recorded so far are kept and a re-run goes on from there`

/** sysexits' EX_TEMPFAIL: the machine failed (disk full, read-only, I/O error), not the input; a re-run continues. */
export const EXIT_ENVIRONMENT = 75

function parseNumber(flag: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new UsageError(`${flag} needs ${integer ? 'a whole number' : 'a number'}, got "${text}".`)
  return n
}

export function parsePrepareArgs(argv: string[]): { request: PrepareRequest; json: boolean } {
  const values = parseFlags(argv, {
    images: { type: 'string' },
    label: { type: 'string', multiple: true },
    out: { type: 'string' },
    id: { type: 'string' },
    name: { type: 'string' },
    layout: { type: 'string' },
    prefix: { type: 'string' },
    modality: { type: 'string' },
    'test-count': { type: 'string' },
    'test-fraction': { type: 'string' },
    seed: { type: 'string' },
    overwrite: { type: 'boolean' },
    'allow-missing-mask': { type: 'boolean' },
    series: { type: 'string' },
    'no-source-paths': { type: 'boolean' },
    'no-test-labels': { type: 'boolean' },
    regions: { type: 'boolean' },
    'group-pattern': { type: 'string' },
    'groups-csv': { type: 'string' },
    ignore: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    description: { type: 'string' },
    reference: { type: 'string' },
    licence: { type: 'string' },
    release: { type: 'string' },
  })
  const missing = (['images', 'out', 'id', 'name'] as const).filter((k) => !values[k])
  if (!values.label?.length) missing.push('label' as never)
  if (missing.length) throw new UsageError(`missing ${missing.map((m) => `--${m}`).join(', ')}.`)
  const labelOf = (flag: string, spec: string) => {
    const eq = spec.indexOf('=')
    if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`${flag} needs NAME=DIR (e.g. ${flag} organ=data/organ), got "${spec}".`)
    // rtstruct:DIR:ROI / seg:DIR:SEGMENT (shared/structureSpec.ts): ROIs or segments matched to each case by the series they reference;
    // segnrrd:DIR:SEGMENT / labelmap:DIR:VALUE: the case's own .seg.nrrd / label map, matched by name.
    const structure = parseStructureSource(spec.slice(eq + 1))
    if (structure && 'error' in structure) throw new UsageError(`${flag} ${structure.error}`)
    if (structure) return { name: spec.slice(0, eq), dir: resolve(structure.dir), structure: structure.structure }
    return { name: spec.slice(0, eq), dir: resolve(spec.slice(eq + 1)) }
  }
  // The ignore folder is merged last, so it gets the highest value (nnU-Net requires it).
  const labels = [...values.label!.map((spec) => labelOf('--label', spec)), ...(values.ignore ?? []).map((spec) => ({ ...labelOf('--ignore', spec), ignore: true }))]
  if (values.layout && values.layout !== 'nnunet-v2' && values.layout !== 'msd') throw new UsageError(`--layout is nnunet-v2 or msd, got "${values.layout}".`)
  if (values['test-count'] !== undefined && values['test-fraction'] !== undefined) throw new UsageError('give --test-count or --test-fraction, not both.')
  const request = validRequest(
    prepareRequest,
    {
      sources: { imagesDir: resolve(values.images!), labels, allowMissingMask: values['allow-missing-mask'] ?? false, ...(values.series && { dicomSeries: values.series }) },
      output: {
        layout: values.layout ?? 'nnunet-v2',
        outDir: resolve(values.out!),
        id: parseNumber('--id', values.id, true),
        name: values.name,
        prefix: values.prefix,
        split: {
          testCount: parseNumber('--test-count', values['test-count'], true),
          testFraction: parseNumber('--test-fraction', values['test-fraction'], false),
          seed: parseNumber('--seed', values.seed, true) ?? 0,
          ...(values['group-pattern'] && { groupPattern: values['group-pattern'] }),
          ...(values['groups-csv'] && { groups: groupsFromCsvFile(values['groups-csv']) }),
        },
        metadata: {
          description: values.description ?? '',
          reference: values.reference ?? '',
          licence: values.licence ?? '',
          release: values.release ?? '1.0',
          channelNames: [values.modality ?? 'CT'],
        },
        overwrite: values.overwrite ?? false,
        ...(values['no-source-paths'] && { sourcePaths: false }),
        ...(values['no-test-labels'] && { testLabels: false }),
        ...(values.regions && { regions: true }),
      },
    },
    { id: '--id', testCount: '--test-count', testFraction: '--test-fraction', name: '--name', prefix: '--prefix' },
  )
  return { request, json: values.json ?? false }
}

function formatBytes(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.round(n / 1e3)} kB`
}

function progressLine(p: Progress, width: number): string {
  const frac = p.total > 0 ? p.done / p.total : 1
  const barWidth = Math.max(10, Math.min(30, width - 60))
  const filled = Math.round(frac * barWidth)
  const eta = p.etaSeconds !== undefined && p.done < p.total ? `  ETA ${p.etaSeconds}s` : ''
  const bytes = p.bytes ? `  ${formatBytes(p.bytes)}` : ''
  return `${(p.message ?? '').padEnd(15)} [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${p.done}/${p.total} ${p.unit}${bytes}${eta}`.slice(0, width - 1)
}

/** A finding as the terminal shows it: the file it is about is named (as the wizard shows it) unless the text already does. */
function findingText(f: Finding, indent: string): string {
  const file = f.file && !f.text.includes(f.file) ? `\n${indent}  file: ${f.file}` : ''
  return `${indent}${f.severity}: ${f.text}${file}${f.hint ? `\n${indent}  -> ${f.hint}` : ''}`
}

function printFindings(findings: Finding[], out: (s: string) => void): void {
  for (const f of findings) out(findingText(f, ''))
}

/**
 * How the images written in this run were made: carried across (the input's compressed voxels
 * copied behind a new header) or encoded again, with each reason and how many cases it held back.
 */
export function imageWrites(s: PrepareSummary): { carried: number; encoded: number; reasons: Record<string, number> } {
  const out = { carried: 0, encoded: 0, reasons: {} as Record<string, number> }
  for (const c of s.cases) {
    if (!c.imageWrite) continue
    if (c.imageWrite.path === 'carried') out.carried++
    else {
      out.encoded++
      const why = c.imageWrite.reason ?? 'not carried'
      out.reasons[why] = (out.reasons[why] ?? 0) + 1
    }
  }
  return out
}

function printSummary(s: PrepareSummary): void {
  const lines = [`Dataset: ${s.datasetDir}`, `  ${s.written} written, ${s.skipped} skipped (unchanged), ${s.failed} failed, ${s.warnings} warning${s.warnings === 1 ? '' : 's'}`]
  const w = imageWrites(s)
  if (w.carried + w.encoded > 0) {
    const reasons = Object.entries(w.reasons).map(([why, n]) => `${why}: ${n}`)
    lines.push(`  images: ${w.carried} copied with their compressed voxels as they were (fast), ${w.encoded} decoded and compressed anew${reasons.length ? ` (why: ${reasons.join('; ')})` : ''}`)
  }
  for (const c of s.cases) {
    const problems = c.findings.filter((f) => f.severity !== 'info')
    if (!problems.length) continue
    lines.push(`  ${c.caseKey} (${c.status}):`)
    for (const f of problems) lines.push(findingText(f, '    '))
  }
  if (s.manifest) lines.push(`  manifest: ${s.manifest}`)
  if (s.failed > 0) lines.push('Fix the failed cases and run the same command again: finished cases are skipped.')
  console.log(lines.join('\n'))
}

function printRefusal(message: string, findings: Finding[], json: boolean): void {
  if (json) console.log(JSON.stringify({ ok: false, written: 0, error: message, findings }, null, 2))
  else if (findings.length) printFindings(findings, (s) => console.error(s))
  else console.error(message)
  if (!json) console.error('Nothing was written.')
}

export async function run(argv: string[]): Promise<number> {
  let request: PrepareRequest
  let json: boolean
  try {
    ;({ request, json } = parsePrepareArgs(argv))
  } catch (err) {
    return usageFailure('prepare', err)
  }

  // The nnU-Net folders (for the dataset-id check) as the other commands see them: the nnU-Net
  // environment variables, then the app's saved settings; incomplete ones are left to the app's.
  const service = cliService(await settingsFrom({}).catch(() => undefined))
  const jobs = service.jobs
  const tty = process.stderr.isTTY === true && !json
  let barShown = false
  let lastError = ''
  const clearBar = () => {
    if (barShown) process.stderr.write('\r\x1b[2K')
    barShown = false
  }
  const off = jobs.onEvent((e: JobEvent) => {
    if (e.type === 'progress' && tty) {
      process.stderr.write(`\r\x1b[2K${progressLine(e.progress, process.stderr.columns || 80)}`)
      barShown = true
    } else if (e.type === 'log') {
      for (const l of e.lines) if (l.stream === 'stderr') lastError = l.text
      if (json) return
      clearBar()
      for (const l of e.lines) if (!/^info: /.test(l.text)) process.stderr.write(`${l.text}\n`)
    }
  })

  let jobId: string
  try {
    ;({ jobId } = await service.prepare(request))
  } catch (err) {
    off()
    const e = toApiError(err)
    printRefusal(e.message, e.findings ?? [], json)
    return 2
  }

  // Ctrl-C or SIGTERM: no new case starts, the case being written is finished and recorded, and
  // the job says what is kept. A second signal stops at once: the lock, the staging folder and
  // an unfinished dataset.json go synchronously, recorded cases stay, and one line says so.
  let stoppedBy: NodeJS.Signals | null = null
  const codeOf = (sig: NodeJS.Signals) => (sig === 'SIGTERM' ? 143 : 130)
  const onSignal = (sig: NodeJS.Signals) => {
    if (stoppedBy) {
      clearBar()
      process.stderr.write(`${stopNow()}\n`)
      process.exit(codeOf(sig))
    }
    stoppedBy = sig
    clearBar()
    process.stderr.write(`\n${sig === 'SIGTERM' ? 'Terminated' : 'Interrupted'}: finishing the case being written (${sig === 'SIGINT' ? 'Ctrl-C' : 'send it'} again to stop at once)...\n`)
    jobs.cancel(jobId)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const done = await jobs.wait(jobId)
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
  off()
  clearBar()

  if (done.state === 'cancelled') {
    // The job's own last words (already on stderr) say what was written; --json repeats them.
    if (json) console.log(JSON.stringify({ ok: false, interrupted: true, message: lastError }, null, 2))
    return codeOf(stoppedBy ?? 'SIGINT')
  }
  if (done.state === 'failed') {
    // The reason is already on stderr (the job's log); it is not printed twice. A failing disk
    // has its own code (EX_TEMPFAIL: fix the machine and run again), apart from bad input.
    const machine = (done.guidance ?? []).some((f) => f.code.startsWith('environment-'))
    if (json) console.log(JSON.stringify({ ok: false, written: 0, error: done.error ?? 'failed', findings: done.guidance ?? [] }, null, 2))
    return machine ? EXIT_ENVIRONMENT : 2
  }
  const summary = done.result as PrepareSummary
  if (json) console.log(JSON.stringify({ ok: summary.failed === 0, ...summary, imageWrites: imageWrites(summary) }, null, 2))
  else printSummary(summary)
  if (summary.failed === 0) return 0
  return summary.written + summary.skipped > 0 ? 1 : 2
}
