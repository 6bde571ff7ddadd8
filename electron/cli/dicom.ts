// `nnunet-wizard dicom <subcommand>`: DICOM tools (issue 20). Each subcommand is a CliCommand
// module of its own, loaded on demand like the top-level commands (cli/table.ts); add one with a
// line in `subcommands`.
import type { CliCommand } from './command'
import type { DicomOverview, DicomOverviewCase } from '../../shared/api/dicom'
import { parseFlags, UsageError, usageFailure } from './common'
import { cliService } from './support'

export const subcommands: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  list: { summary: 'the series, structure sets / SEGs and problems of each DICOM case folder', load: async () => ({ help: listHelp, run: runList }) },
  export: { summary: 'a label map as a DICOM-SEG or RTSTRUCT referencing its series', load: () => import('./dicomExport') },
}

export const help = `usage: nnunet-wizard dicom <subcommand> [options]

subcommands:
${Object.entries(subcommands)
  .map(([n, c]) => `  ${n.padEnd(8)} ${c.summary}`)
  .join('\n')}

Run 'nnunet-wizard dicom <subcommand> --help' for its options.`

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  const entry = name ? subcommands[name] : undefined
  if (!entry) {
    console.error(name ? `nnunet-wizard dicom: unknown subcommand '${name}'.\n\n${help}` : help)
    return 2
  }
  const cmd = await entry.load()
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(cmd.help)
    return 0
  }
  return cmd.run(rest)
}

export const listHelp = `usage: nnunet-wizard dicom list DIR [--series REGEX] [--json]

Lists the DICOM case folders of DIR (each sub-folder holding DICOM files is one case, named after
the folder; DIR itself when it holds DICOM files directly): per case the patient, study and
series found (files of any name, at any depth, grouped by SeriesInstanceUID), each series'
modality, description, slices, spacing, orientation and transfer syntax, the structure sets and
SEGs that reference it with their ROI / segment names, the series prepare would use, and every
problem (gantry tilt, missing or uneven slices, mixed orientation or size, several series and
nothing that says which). Nothing is written.

  --series REGEX    as prepare's --series: choose the series whose description matches
  --json            print the overview as JSON (shared/api/dicom.ts: DicomOverview)

exit codes: 0 every case has a readable series, 1 some case has a problem, 2 bad usage.`

function fmt(n: number): string {
  return Number(n.toFixed(3)).toString()
}

/** The text of one case, as the terminal shows it. */
export function caseLines(c: DicomOverviewCase): string[] {
  const lines = [`${c.caseKey}  (${c.dir})`]
  const first = c.series[0]
  if (first) lines.push(`  patient ${first.patientId || '-'}  ${first.patientName || ''}  study ${first.studyDate || '-'} ${first.studyDescription || ''}`.trimEnd())
  for (const s of c.series) {
    const chosen = s.seriesInstanceUid === c.chosenSeriesUid ? '*' : ' '
    lines.push(`  ${chosen} series #${s.seriesNumber ?? '?'} "${s.seriesDescription}"  ${s.modality}  ${s.size[2]} slices ${s.size[0]}x${s.size[1]}  ${s.spacing.map(fmt).join(' x ')} mm  orientation ${s.orientation.map(fmt).join(',')}  ${s.transferSyntax}${s.multiFrame ? '  multi-frame' : ''}`)
    for (const r of s.referencedBy) lines.push(`      ${r.kind === 'seg' ? 'SEG' : 'RTSTRUCT'} ${r.file}: ${r.names.join(', ') || '(no names)'}`)
  }
  for (const st of c.structures.filter((x) => !c.series.some((s) => s.seriesInstanceUid === x.referencedSeriesUid))) {
    lines.push(`    ${st.kind === 'seg' ? 'SEG' : 'RTSTRUCT'} ${st.file} (references no series here): ${st.names.join(', ') || '(no names)'}`)
  }
  for (const p of c.problems) lines.push(`  problem (${p.code}): ${p.text.replace(/\n/g, '\n    ')}`)
  if (c.unreadable.length) lines.push(`  ${c.unreadable.length} file(s) not DICOM, ignored: ${c.unreadable.slice(0, 3).map((u) => u.file).join(', ')}${c.unreadable.length > 3 ? ', …' : ''}`)
  return lines
}

async function runList(argv: string[]): Promise<number> {
  let dir: string
  let values: { series?: string; json?: boolean }
  try {
    const positional = argv.filter((a, i) => !a.startsWith('-') && argv[i - 1] !== '--series')
    if (positional.length !== 1) throw new UsageError(positional.length ? `give one folder, got ${positional.join(' ')}.` : 'missing DIR.')
    dir = positional[0]!
    values = parseFlags(
      argv.filter((a) => a !== dir),
      { series: { type: 'string' }, json: { type: 'boolean' } },
    )
  } catch (err) {
    return usageFailure('dicom list', err)
  }
  let overview: DicomOverview
  try {
    overview = await cliService().dicomOverview({ dir, ...(values.series && { series: values.series }) })
  } catch (err) {
    console.error(`nnunet-wizard dicom list: ${err instanceof Error ? err.message : String(err)}`)
    return 1
  }
  if (values.json) console.log(JSON.stringify(overview, null, 2))
  else {
    if (overview.cases.length === 0) console.log(`${overview.dir} holds no DICOM case folders.`)
    for (const c of overview.cases) console.log(caseLines(c).join('\n'))
  }
  return overview.cases.length > 0 && overview.cases.every((c) => c.problems.length === 0) ? 0 : 1
}
