// The planner preset of the Plan step: nnU-Net's default U-Net or the residual-encoder presets
// its authors now recommend (M/L/XL, with the GPU memory each targets), an optional GPU memory
// target and the plans name it is written under. Says which plans identifier results: train,
// predict and find-best use it afterwards without being told (the service remembers it).
import { PLAN_PRESETS, plannedIdentifier, planPreset, PLANS_NAME_RE, type PlanPresetId } from '../../../shared/plans'

export interface PresetForm {
  preset: string
  gpuTarget: number | null
  plansName: string
}

/** The form's preset, or the default when it holds something unknown (a hand-edited project file). */
export function presetIdOf(form: PresetForm): PlanPresetId {
  return PLAN_PRESETS.some((p) => p.id === form.preset) ? (form.preset as PlanPresetId) : 'default'
}

/** The request fields of a preset form (undefined where nnU-Net's default applies). */
export function presetRequest(form: PresetForm): { preset?: PlanPresetId; gpuMemoryTargetGb?: number; plansName?: string } {
  const preset = presetIdOf(form)
  const name = form.plansName.trim()
  return {
    ...(preset !== 'default' && { preset }),
    ...(form.gpuTarget !== null && { gpuMemoryTargetGb: form.gpuTarget }),
    ...(name && { plansName: name }),
  }
}

/** Why the form cannot be sent, or null. */
export function presetProblem(form: PresetForm): string | null {
  const name = form.plansName.trim()
  if (name && !PLANS_NAME_RE.test(name)) return 'A plans name is letters, digits, _ . and - only (it becomes a file and a folder name).'
  if (form.gpuTarget !== null && !(form.gpuTarget >= 1 && form.gpuTarget <= 1024)) return 'The GPU memory target is in GB, between 1 and 1024.'
  return null
}

export function PlanPresetField({ form, onChange, v1 }: { form: PresetForm; onChange: (patch: Partial<PresetForm>) => void; v1: boolean }) {
  if (v1) {
    return (
      <div className="help" data-testid="plan-preset-v1">
        Planner presets (residual encoder M/L/XL) and a GPU memory target need nnU-Net v2: nnU-Net v1 has one planner. Switch to v2 in the Environment step to use them.
      </div>
    )
  }
  const preset = presetIdOf(form)
  const identifier = plannedIdentifier(presetRequest(form))
  const problem = presetProblem(form)
  return (
    <div className="field" data-testid="plan-presets">
      <span className="label">Planner preset</span>
      <div className="stack-tight">
        {PLAN_PRESETS.map((p) => (
          <label key={p.id} className="check">
            <input type="radio" name="plan-preset" checked={preset === p.id} onChange={() => onChange({ preset: p.id })} data-testid={`plan-preset-${p.id}`} />
            <span>
              <strong>{p.label}</strong> <span className="muted">· {p.gpus} · {p.id === 'default' ? 'nnU-Net’s classic U-Net' : `${p.planner}, recommended by nnU-Net’s authors`}</span>
            </span>
          </label>
        ))}
      </div>
      <div className="grid-2">
        <div className="field">
          <label htmlFor="plan-gpu">GPU memory target (GB)</label>
          <input
            id="plan-gpu"
            type="number"
            min={1}
            max={1024}
            step={0.5}
            placeholder={`${planPreset(preset).targetGb} (the preset’s own)`}
            value={form.gpuTarget ?? ''}
            onChange={(e) => onChange({ gpuTarget: e.target.value === '' ? null : Number(e.target.value) })}
            data-testid="plan-gpu-target"
          />
          <div className="help">
            What the network may use, not the card’s size: the preset plans for {planPreset(preset).targetGb} GB on a card of {planPreset(preset).gpus.replace(/ of GPU memory$/, '')}. Only for a GPU of another size; it changes
            patch and batch size. Plan the preset’s own target first as a baseline.
          </div>
        </div>
        <div className="field">
          <label htmlFor="plan-plans-name">Plans name</label>
          <input id="plan-plans-name" type="text" placeholder={identifier} value={form.plansName} onChange={(e) => onChange({ plansName: e.target.value })} data-testid="plan-plans-name" />
          <div className="help">-overwrite_plans_name; a custom target gets its own name by default, so the standard plans stay.</div>
        </div>
      </div>
      {problem ? (
        <div className="field-error">{problem}</div>
      ) : (
        <div className="help" data-testid="plan-identifier">
          Writes <span className="mono">{identifier}</span>; Train, Predict and Find best then use these plans (-p {identifier}) unless you pick others.
        </div>
      )}
    </div>
  )
}
