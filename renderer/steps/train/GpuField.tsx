// Several GPUs on the Train form: which GPUs the runs use, and how. One fold per GPU (nnU-Net's
// documented way: each process sees one GPU through CUDA_VISIBLE_DEVICES) runs folds side by side,
// fold i on the i-th chosen GPU round robin (shared/gpuAssign.ts); one run over all chosen GPUs is
// nnU-Net v2's -num_gpus (DDP). Shown only where detection found two GPUs or more.
import type { GpuInfo } from '../../../shared/api'
import type { GpuUse } from '../../../shared/gpuAssign'
import { gpuText } from '../../../shared/queueConcurrency'

export interface GpuFieldProps {
  /** What nvidia-smi lists; a GPU's index is its place in the list. */
  gpus: readonly GpuInfo[]
  chosen: readonly number[]
  use: GpuUse
  v1: boolean
  onChange: (patch: { gpus?: number[]; gpuUse?: GpuUse }) => void
}

/** The chosen GPUs that exist (a project opened on another machine may name more). */
export function chosenGpus(gpus: readonly GpuInfo[], chosen: readonly number[]): number[] {
  return [...new Set(chosen)].filter((i) => i < gpus.length).sort((a, b) => a - b)
}

export function GpuField({ gpus, chosen, use, v1, onChange }: GpuFieldProps) {
  if (gpus.length < 2) return null
  const picked = chosenGpus(gpus, chosen)
  const toggle = (i: number, on: boolean) => onChange({ gpus: on ? [...picked, i].sort((a, b) => a - b) : picked.filter((g) => g !== i) })
  const together = use === 'together' && !v1
  return (
    <div className="field" style={{ marginTop: 8 }} data-testid="train-gpus">
      <label>GPUs</label>
      <div className="row wrap">
        {gpus.map((g, i) => (
          <label key={i} className="check">
            <input type="checkbox" checked={picked.includes(i)} onChange={(e) => toggle(i, e.target.checked)} data-testid={`train-gpu-${i}`} />
            GPU {i}: {g.name} ({(g.memoryMiB / 1024).toFixed(0)} GB)
          </label>
        ))}
      </div>
      <div className="row wrap">
        <label className="check">
          <input type="radio" name="gpu-use" checked={!together} onChange={() => onChange({ gpuUse: 'per-fold' })} data-testid="train-gpu-per-fold" />
          one fold per GPU (side by side)
        </label>
        {!v1 && (
          <label className="check">
            <input type="radio" name="gpu-use" checked={together} onChange={() => onChange({ gpuUse: 'together' })} data-testid="train-gpu-together" />
            one run over all chosen GPUs (-num_gpus)
          </label>
        )}
      </div>
      <div className="help" data-testid="train-gpus-help">
        {picked.length === 0
          ? 'None ticked: every run sees all GPUs and runs alone (nnU-Net trains on the first).'
          : together
            ? `Each training is one run over ${gpuText(picked)} (-num_gpus ${picked.length}, DDP); trainings run one after another.`
            : picked.length === 1
              ? `Runs use ${gpuText(picked)} only.`
              : `Queue folds 0–4 puts fold i on the i-th ticked GPU in turn (${gpuText(picked)}), so ${picked.length} folds train side by side; Start training uses the ticked GPU with the least queued on it.`}
        {v1 && ' nnU-Net v1 trains one run on one GPU (no -num_gpus): run folds on separate GPUs instead.'}
      </div>
    </div>
  )
}
