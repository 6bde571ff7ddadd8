// Every scored case, one row each, worst first: Dice, false-positive and false-negative voxels per
// label. Virtualised (fixed row height): a scroll or a sort of thousands of rows renders only the
// rows on screen. A click on a row opens that case in the viewer.
import { useMemo, useRef, useState, type UIEvent } from 'react'
import type { CaseResult } from '../../../shared/api'
import { virtualWindow } from '../../lib/virtualWindow'
import { surfaceText } from '../../../shared/surfaceFigures'
import { LARGER_IS_WORSE, modelText, rowKey, sortCases, type CaseSort, type SortKey } from './caseRows'

export const ROW_HEIGHT = 28
const VIEWPORT = 420

interface Props {
  cases: readonly CaseResult[]
  /** The label columns shown (all labels, or the one filtered to). */
  labels: readonly string[]
  sort: CaseSort
  onSort(sort: CaseSort): void
  onOpen?(c: CaseResult): void
  selected?: string | null
}

const d3 = (d: number | null | undefined) => (d === null || d === undefined ? 'NaN' : d.toFixed(3))
const count = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toLocaleString('en'))

const modelTitle = (c: CaseResult) => (c.fold === 'test' ? `${c.predictedBy ?? 'Model unknown (no nnunet_wizard_prediction.json)'}; predictions in ${c.model}` : c.model)

/** Dice below this is drawn as a failure. */
const POOR = 0.5

export function CaseTable({ cases, labels, sort, onSort, onOpen, selected }: Props) {
  const [scrollTop, setScrollTop] = useState(0)
  const box = useRef<HTMLDivElement>(null)
  const rows = useMemo(() => sortCases(cases, sort, labels), [cases, sort, labels])
  const win = virtualWindow(rows.length, ROW_HEIGHT, scrollTop, VIEWPORT)
  // HD95 (mm) and NSD beside Dice once any case has them (the surfaceMetrics job).
  const surface = cases.some((c) => c.surface)
  // With HD95 and NSD a label takes five columns: they shrink to fit the card instead of running past it.
  // The source name (manifest.json's case key) has a column of its own once any case has one: beside
  // the case id in the same cell it ran into the fold column and pushed every value one column right.
  const sources = cases.some((c) => c.source)
  const columns = `minmax(110px, 1.3fr) ${sources ? 'minmax(90px, 1.2fr) ' : ''}60px minmax(110px, 1.4fr) ${labels.map(() => (surface ? 'minmax(52px, 72px) minmax(44px, 80px) minmax(44px, 80px) minmax(52px, 76px) minmax(48px, 64px)' : '72px 80px 80px')).join(' ')}`
  const header = (key: SortKey, text: string, title?: string) => (
    <button
      type="button"
      className={`th-sort${key.includes(':') ? ' num' : ''}${sort.key === key ? ' sorted' : ''}`}
      title={title ?? `Sort by ${text}`}
      onClick={() => onSort({ key, ascending: sort.key === key ? !sort.ascending : !LARGER_IS_WORSE.some((p) => key.startsWith(p)) })}
      data-testid={`sort-${key}`}
    >
      {text}
      {sort.key === key ? (sort.ascending ? ' ▲' : ' ▼') : ''}
    </button>
  )
  const onScroll = (e: UIEvent<HTMLDivElement>) => setScrollTop(e.currentTarget.scrollTop)
  return (
    <div className="case-table" data-testid="case-table" data-rows={rows.length}>
      <div className="case-table-head" style={{ gridTemplateColumns: columns }}>
        {header('case', 'case')}
        {sources && header('source', 'source', 'Sort by the source each case was made from (the dataset\'s manifest.json)')}
        {header('fold', 'fold')}
        {header('model', 'model')}
        {labels.map((l) => (
          <span key={l} className="case-table-group">
            {header(`dice:${l}`, `Dice ${l}`)}
            {header(`fp:${l}`, 'FP', `False-positive voxels of ${l}`)}
            {header(`fn:${l}`, 'FN', `False-negative voxels of ${l}`)}
            {surface && header(`hd95:${l}`, 'HD95 mm', `95th-percentile Hausdorff distance of ${l} in mm (∞: the prediction or the reference is empty)`)}
            {surface && header(`nsd:${l}`, 'NSD', `Normalised surface Dice of ${l} at its tolerance`)}
          </span>
        ))}
      </div>
      <div className="case-table-body" ref={box} style={{ height: Math.min(VIEWPORT, Math.max(ROW_HEIGHT, rows.length * ROW_HEIGHT)) }} onScroll={onScroll} data-testid="case-table-body">
        <div style={{ height: win.totalHeight, position: 'relative' }}>
          <div style={{ position: 'absolute', top: win.offset, left: 0, right: 0 }}>
            {rows.slice(win.start, win.end).map((c) => {
              const key = rowKey(c)
              return (
                <div
                  key={key}
                  className={`case-row${selected === key ? ' selected' : ''}`}
                  style={{ gridTemplateColumns: columns, height: ROW_HEIGHT }}
                  onClick={() => onOpen?.(c)}
                  role="button"
                  tabIndex={0}
                  onKeyDown={(e) => (e.key === 'Enter' ? onOpen?.(c) : undefined)}
                  data-testid="case-row"
                  data-case={c.case}
                  data-fold={String(c.fold)}
                >
                  <span className="mono ellipsis" title={c.case} data-testid="case-id">
                    {c.case}
                  </span>
                  {sources && (
                    <span className="muted small ellipsis" title={c.source ? `${c.source}: the source it was made from (the dataset's manifest.json)` : undefined} data-testid="case-source">
                      {c.source ?? ''}
                    </span>
                  )}
                  <span className={c.fold === 'test' ? 'test-mark' : ''}>{c.fold === 'test' ? 'test' : c.fold}</span>
                  <span className="small muted ellipsis" title={modelTitle(c)} data-testid="case-model">
                    {modelText(c)}
                  </span>
                  {labels.map((l) => {
                    const d = c.dice[l]
                    return (
                      <span key={l} className="case-table-group">
                        <span className={`num${d !== null && d !== undefined && d < POOR ? ' poor' : ''}`} data-testid={`dice-${l}`}>
                          {d3(d)}
                        </span>
                        <span className="num">{count(c.fp[l])}</span>
                        <span className="num">{count(c.fn[l])}</span>
                        {surface && (
                          <span className="num" data-testid={`hd95-${l}`} title={c.surface?.[l]?.empty ? surfaceText(c.surface[l], 'hd95') : undefined}>
                            {surfaceText(c.surface?.[l], 'hd95').replace(/ \(.*\)$/, '')}
                          </span>
                        )}
                        {surface && (
                          <span className="num" data-testid={`nsd-${l}`} title={c.surface?.[l] ? `at ${c.surface[l].tolerance} mm${c.surface[l].empty ? `; ${surfaceText(c.surface[l], 'nsd')}` : ''}` : undefined}>
                            {surfaceText(c.surface?.[l], 'nsd').replace(/ \(.*\)$/, '')}
                          </span>
                        )}
                      </span>
                    )
                  })}
                </div>
              )
            })}
          </div>
        </div>
      </div>
    </div>
  )
}
