// The label table: name, value (= priority: a later label wins where masks overlap), colour, and
// the channel names. Rows reorder by dragging or with the ↑/↓ buttons; every edit can be undone.
import { useEffect, useMemo, useState } from 'react'
import { useProject } from '../../store/projectStore'
import { useWizard } from '../../store/wizardStore'
import { hexToRgb, rgbToHex } from '../../viewer/labelLut'
import { labelFieldErrors } from './labelFieldErrors'
import { RegionsCard, useLastCheckCases } from '../check/RegionsCard'
import { IgnoreNote, IgnoreToggle } from './IgnoreToggle'
import { StructureMapping } from './StructureMapping'
import type { StructureKind } from '../../../shared/structureSpec'

/** The badge of a label read from a structure file rather than a mask folder. */
const SOURCE_BADGE: Record<StructureKind, string> = { rtstruct: 'RTSTRUCT', seg: 'SEG', segnrrd: '.seg.nrrd', labelmap: 'label map' }

export function LabelsStep() {
  const labels = useProject((s) => s.labels)
  const channelNames = useProject((s) => s.output.channelNames)
  const canUndo = useProject((s) => s.labelHistory.length > 0)
  const { updateLabel, moveLabel, removeLabel, undoLabels, setChannelName, addChannel, removeChannel } = useProject.getState()
  const setBlocker = useWizard((s) => s.setBlocker)
  const [dragFrom, setDragFrom] = useState<number | null>(null)
  const [dragOver, setDragOver] = useState<number | null>(null)
  // Nested masks found by the last check (Check step): offered here too, in the current label order.
  const labelNames = useMemo(() => labels.map((l) => l.name), [labels])
  const checked = useLastCheckCases(labelNames)

  const nameErrors = labelFieldErrors(labels.map((l) => l.name))
  const firstBad = nameErrors.findIndex((e) => e !== null)
  const blocker = firstBad >= 0 ? `Label ${firstBad + 1}: ${nameErrors[firstBad]}` : null
  useEffect(() => {
    if (labels.length === 0) setBlocker('labels', 'Add mask folders in the Sources step first.')
    else if (blocker) setBlocker('labels', blocker)
    else if (channelNames.some((c) => !c.trim())) setBlocker('labels', 'Every channel needs a name.')
    else setBlocker('labels', null)
  }, [labels.length, blocker, channelNames, setBlocker])

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 'z' && !(e.target instanceof HTMLInputElement)) {
        e.preventDefault()
        undoLabels()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [undoLabels])

  return (
    <div className="stack">
      <section className="card">
        <div className="row">
          <h2 className="grow">Labels</h2>
          <button type="button" className="btn btn-small" onClick={undoLabels} disabled={!canUndo} data-testid="undo-labels" title="Undo (Ctrl+Z)">
            ↶ Undo
          </button>
        </div>
        <p className="muted small">
          Value 0 is the background. Where masks overlap, the label with the higher value wins (as in the guide: organ = 1, then tumor = 2 is painted over it). Drag a row or use ↑/↓ to change the order.
        </p>
        {labels.length === 0 && <p className="muted">No mask folders yet — add them in the Sources step.</p>}
        {labels.length > 0 && (
          <table className="labels-table" data-testid="labels-table">
            <thead>
              <tr>
                <th aria-label="Drag handle" />
                <th>Value</th>
                <th>Name</th>
                <th>Colour</th>
                <th title="nnU-Net v2's ignore label: voxels nobody annotated, left out of the loss">Ignore</th>
                <th>Mask folder</th>
                <th>Order</th>
              </tr>
            </thead>
            <tbody>
              <tr className="muted">
                <td />
                <td>0</td>
                <td>background</td>
                <td />
                <td />
                <td className="small">(everything else)</td>
                <td />
              </tr>
              {labels.map((l, i) => (
                <tr
                  key={`${l.dir}-${i}`}
                  draggable
                  onDragStart={(e) => {
                    setDragFrom(i)
                    e.dataTransfer.effectAllowed = 'move'
                  }}
                  onDragOver={(e) => {
                    e.preventDefault()
                    setDragOver(i)
                  }}
                  onDragLeave={() => setDragOver((d) => (d === i ? null : d))}
                  onDrop={(e) => {
                    e.preventDefault()
                    if (dragFrom !== null) moveLabel(dragFrom, i)
                    setDragFrom(null)
                    setDragOver(null)
                  }}
                  onDragEnd={() => {
                    setDragFrom(null)
                    setDragOver(null)
                  }}
                  className={dragOver === i && dragFrom !== i ? 'drop-target' : undefined}
                  data-testid="label-row"
                >
                  <td className="drag-handle" aria-hidden="true" title="Drag to reorder">
                    ⠿
                  </td>
                  <td data-testid="label-value">{i + 1}</td>
                  <td>
                    <input value={l.name} onChange={(e) => updateLabel(i, { name: e.target.value })} aria-label={`Name of label ${i + 1}`} aria-invalid={nameErrors[i] ? true : undefined} data-testid={`label-name-${i}`} />
                    {nameErrors[i] && (
                      <div className="field-error" role="alert" data-testid={`label-name-${i}-error`}>
                        {nameErrors[i]}
                      </div>
                    )}
                  </td>
                  <td>
                    <input type="color" value={rgbToHex(l.color)} onChange={(e) => updateLabel(i, { color: hexToRgb(e.target.value) })} aria-label={`Colour of ${l.name}`} data-testid={`label-color-${i}`} />
                  </td>
                  <td>
                    <IgnoreToggle index={i} label={l} />
                  </td>
                  <td className="mono small ellipsis" title={l.structure ? `${l.structure.kind}: ${l.structure.names} in ${l.dir}` : l.dir}>
                    {l.structure && <span className="badge">{SOURCE_BADGE[l.structure.kind]} {l.structure.names}</span>} {l.dir || <span className="text-error">no folder</span>}
                  </td>
                  <td className="nowrap">
                    <button type="button" className="btn btn-small" disabled={i === 0} onClick={() => moveLabel(i, i - 1)} aria-label={`Move ${l.name} up`} data-testid={`label-up-${i}`}>
                      ↑
                    </button>
                    <button type="button" className="btn btn-small" disabled={i === labels.length - 1} onClick={() => moveLabel(i, i + 1)} aria-label={`Move ${l.name} down`} data-testid={`label-down-${i}`}>
                      ↓
                    </button>
                    <button type="button" className="btn btn-small btn-quiet" onClick={() => removeLabel(i)} aria-label={`Remove ${l.name}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card">
        <h2>Channels (modalities)</h2>
        <p className="muted small">One name per input channel of every case, e.g. “CT”, or “T1” and “T2” for MRI. Written to dataset.json (channel_names in v2, modality in MSD).</p>
        {channelNames.map((c, i) => (
          <div className="row" key={i}>
            <span className="mono small">{String(i).padStart(4, '0')}</span>
            <input value={c} onChange={(e) => setChannelName(i, e.target.value)} aria-label={`Channel ${i} name`} data-testid={`channel-${i}`} />
            {!c.trim() && (
              <span className="field-error" role="alert" data-testid={`channel-${i}-error`}>
                Name this channel, e.g. CT.
              </span>
            )}
            {channelNames.length > 1 && (
              <button type="button" className="btn btn-small btn-quiet" onClick={() => removeChannel(i)}>
                Remove
              </button>
            )}
          </div>
        ))}
        <button type="button" className="btn btn-small" onClick={addChannel}>
          + Add a channel
        </button>
      </section>
      <StructureMapping />
      <IgnoreNote />
      {checked && <RegionsCard labelNames={labelNames} cases={checked} />}
    </div>
  )
}
