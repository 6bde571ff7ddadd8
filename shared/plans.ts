// nnU-Net v2's planner presets and the plans identifier each produces. The residual-encoder
// presets (nnUNetPlannerResEncM/L/XL, nnunetv2 >= 2.4) are what nnU-Net's authors recommend now;
// every later command must then name their plans with -p. The names and GPU memory targets are
// those of nnunetv2 2.8.1 (experiment_planning/experiment_planners/residual_unets/
// residual_encoder_unet_planners.py and default_experiment_planner.py).
import type { NnunetVersion } from './schema'

export type PlanPresetId = 'default' | 'resenc-m' | 'resenc-l' | 'resenc-xl'

export interface PlanPreset {
  id: PlanPresetId
  /** What -pl takes: the planner class. */
  planner: string
  /** The plans identifier it writes (preprocessed/DatasetX/<plans>.json), what -p takes later. */
  plans: string
  /** The planner's own GPU memory target in GB (its gpu_memory_target_in_gb default). */
  targetGb: number
  /** The GPUs it is meant for, in nnU-Net's words. */
  gpus: string
  label: string
}

export const PLAN_PRESETS: readonly PlanPreset[] = [
  { id: 'default', planner: 'ExperimentPlanner', plans: 'nnUNetPlans', targetGb: 8, gpus: 'about 10 GB of GPU memory', label: 'Default U-Net' },
  { id: 'resenc-m', planner: 'nnUNetPlannerResEncM', plans: 'nnUNetResEncUNetMPlans', targetGb: 8, gpus: '9-11 GB (RTX 2080 Ti, older Titan)', label: 'ResEnc M' },
  { id: 'resenc-l', planner: 'nnUNetPlannerResEncL', plans: 'nnUNetResEncUNetLPlans', targetGb: 24, gpus: '24 GB (RTX 3090/4090, A5000)', label: 'ResEnc L' },
  { id: 'resenc-xl', planner: 'nnUNetPlannerResEncXL', plans: 'nnUNetResEncUNetXLPlans', targetGb: 40, gpus: '40 GB (A100 40GB, RTX 6000 Ada)', label: 'ResEnc XL' },
]

export const PLAN_PRESET_IDS = PLAN_PRESETS.map((p) => p.id) as [PlanPresetId, ...PlanPresetId[]]

export function planPreset(id: PlanPresetId | undefined): PlanPreset {
  return PLAN_PRESETS.find((p) => p.id === (id ?? 'default'))!
}

/** A plans identifier nnU-Net accepts as a file name and the app as a folder part (TRAINER__PLANS__CONFIG). */
export const PLANS_NAME_RE = /^[A-Za-z0-9_.-]+$/

/** "12" -> "12", 7.5 -> "7.5", 7.25 -> "7.25": a GPU memory target as it reads in a plans name. */
function gbText(gb: number): string {
  return String(Math.round(gb * 100) / 100).replace('.', 'p')
}

/**
 * The plans identifier a plan request produces: its own name when given; with a custom GPU memory
 * target and no name, the preset's name with the target appended (nnUNetResEncUNetMPlans_12GB),
 * because planning a custom target under the preset's own name would overwrite the standard plans
 * (nnU-Net's help for -overwrite_plans_name says exactly that). Else the preset's identifier.
 */
export function plannedIdentifier(req: { preset?: PlanPresetId; gpuMemoryTargetGb?: number; plansName?: string }): string {
  if (req.plansName) return req.plansName
  const preset = planPreset(req.preset)
  if (req.gpuMemoryTargetGb !== undefined && req.gpuMemoryTargetGb !== preset.targetGb) return `${preset.plans}_${gbText(req.gpuMemoryTargetGb)}GB`
  return preset.plans
}

/** Why nnU-Net v1 cannot plan this request, or undefined: v1 has no residual-encoder planners and no memory target flag. */
export function v1PlanRefusal(req: { preset?: PlanPresetId; gpuMemoryTargetGb?: number; plansName?: string }): string | undefined {
  if (req.preset && req.preset !== 'default') {
    return `nnU-Net v1 has no residual-encoder planners (${planPreset(req.preset).planner} came with nnU-Net v2.4): plan with the default preset, or switch to nnU-Net v2 in the Environment step.`
  }
  if (req.gpuMemoryTargetGb !== undefined || req.plansName) {
    return 'nnU-Net v1 has no -gpu_memory_target or -overwrite_plans_name: plan with the default preset, or switch to nnU-Net v2.'
  }
  return undefined
}

/** The preset whose identifier this is, if any (for labels: "nnUNetResEncUNetMPlans (ResEnc M)"). */
export function presetOfPlans(plans: string): PlanPreset | undefined {
  return PLAN_PRESETS.find((p) => p.plans === plans)
}

/** "nnUNetResEncUNetMPlans (ResEnc M)" or the name alone. */
export function plansLabel(plans: string, version: NnunetVersion = 'v2'): string {
  const p = version === 'v2' ? presetOfPlans(plans) : undefined
  return p ? `${plans} (${p.label})` : plans
}
