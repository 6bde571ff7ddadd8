// Which image series of a case folder is the case's scan: the one its structure sets / SEGs
// reference; else the only volumetric series; else none, and the case is refused with its series
// listed so the user can choose (`--series REGEX` on the description, or per case in the app).
import type { DicomCaseIndex, DicomProblem, DicomSeriesChoice, DicomSeriesInfo } from '../../../shared/api/dicom'
import { nameFiles } from './seriesGeometry'

/** One line per series, as the refusal lists them: number, description, modality, slices, spacing. */
export function describeSeries(s: DicomSeriesInfo): string {
  const sp = s.spacing.map((v) => Number(v.toFixed(3))).join(' x ')
  return `#${s.seriesNumber ?? '?'} "${s.seriesDescription || '(no description)'}" ${s.modality || '?'}, ${s.size[2]} slice${s.size[2] === 1 ? '' : 's'}, ${s.size[0]}x${s.size[1]}, ${sp} mm`
}

function refuse(code: DicomProblem['code'], text: string, series: DicomSeriesInfo[]): DicomSeriesChoice {
  return { ok: false, problem: { code, text, files: series.flatMap((s) => s.files.slice(0, 1)) } }
}

export interface ChooseOptions {
  /** A regular expression matched (case-insensitive) against SeriesDescription: `--series REGEX`. */
  pattern?: string
  /** A SeriesInstanceUID chosen in the app for this case. */
  seriesUid?: string
}

export function chooseSeries(index: DicomCaseIndex, opts: ChooseOptions = {}): DicomSeriesChoice {
  const all = index.series
  const where = index.dir
  if (all.length === 0) {
    const also = index.unreadable.length ? ` (${index.unreadable.length} file${index.unreadable.length === 1 ? ' is' : 's are'} not readable DICOM: ${nameFiles(index.unreadable.map((u) => u.file))})` : ''
    return refuse('no-series', `${where} holds no DICOM image series${also}.`, [])
  }
  const listing = all.map((s) => `  ${describeSeries(s)}`).join('\n')
  if (opts.seriesUid) {
    const s = all.find((x) => x.seriesInstanceUid === opts.seriesUid)
    return s ? { ok: true, series: s, why: 'pattern' } : refuse('series-not-matched', `${where} has no series with the chosen SeriesInstanceUID; its series:\n${listing}`, all)
  }
  if (opts.pattern) {
    let re: RegExp
    try {
      re = new RegExp(opts.pattern, 'i')
    } catch (err) {
      return refuse('series-not-matched', `--series ${opts.pattern} is not a valid regular expression (${(err as Error).message}).`, all)
    }
    const hits = all.filter((s) => re.test(s.seriesDescription))
    if (hits.length === 1) return { ok: true, series: hits[0]!, why: 'pattern' }
    return refuse('series-not-matched', `${hits.length === 0 ? 'No' : `${hits.length}`} series of ${where} ${hits.length === 0 ? 'has a description matching' : 'have descriptions matching'} /${opts.pattern}/i (one is needed); its series:\n${listing}`, hits.length ? hits : all)
  }
  const referenced = [...new Set(index.structures.map((s) => s.referencedSeriesUid).filter((u): u is string => !!u))]
  if (referenced.length > 0) {
    const present = referenced.map((u) => all.find((s) => s.seriesInstanceUid === u)).filter((s): s is DicomSeriesInfo => !!s)
    if (present.length === 1) return { ok: true, series: present[0]!, why: 'referenced' }
    if (present.length === 0) {
      const refs = index.structures.filter((s) => s.referencedSeriesUid)
      return refuse('referenced-series-missing', `The ${refs.map((r) => (r.kind === 'seg' ? 'SEG' : 'RTSTRUCT')).filter((k, i, a) => a.indexOf(k) === i).join(' / ')} in ${where} (${nameFiles(refs.map((r) => r.file))}) reference${refs.length === 1 ? 's' : ''} a series that is not in the folder; its series:\n${listing}\nPut the referenced series in the case folder.`, all)
    }
    return refuse('ambiguous-series', `The structure sets / SEGs in ${where} reference ${present.length} different series of it:\n${present.map((s) => `  ${describeSeries(s)}`).join('\n')}\nKeep one per case, or choose one with --series REGEX (matched against the description).`, present)
  }
  const volumetric = all.filter((s) => s.slices.length >= 2)
  if (volumetric.length === 1) return { ok: true, series: volumetric[0]!, why: 'only-volumetric' }
  return refuse('ambiguous-series', `${where} holds ${volumetric.length === 0 ? 'no volumetric series' : `${volumetric.length} volumetric series`} and no structure set or SEG that says which one is the scan:\n${listing}\nChoose one with --series REGEX (matched against the series description), or per case in the Sources step.`, all)
}
