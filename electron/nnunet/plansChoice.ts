// Which plans a dataset was planned with, so that train, predict and find_best use them without
// the user naming them again (nnU-Net itself would silently fall back to nnUNetPlans, and a
// ResEnc plan would then train the default U-Net, or fail on a missing file). The choice is kept
// per nnU-Net preprocessed folder and dataset id in the app's data folder, written when a plan
// finishes; a plan still waiting in the queue counts for runs queued behind it (runs.ts).
// Also lists the plans files a dataset has, for `nnunet-wizard env` and the Train step.
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { FolderStatus, PlansSummary } from '../../shared/api'
import { defaultPlans } from '../../shared/nnunetArgs'
import type { Settings } from '../../shared/schema'
import { readPlansSummary } from './summaries'
import { writeFileAtomic } from '../files/writeAtomic'

const FILE = 'chosen-plans.json'

type Choices = Record<string, string>

const keyOf = (settings: Settings, datasetId: number) => `${settings.folders?.preprocessed ?? ''}\0${datasetId}`

async function readChoices(dataDir: string): Promise<Choices> {
  try {
    const j = JSON.parse(await readFile(join(dataDir, FILE), 'utf8')) as unknown
    return j && typeof j === 'object' && !Array.isArray(j) ? Object.fromEntries(Object.entries(j).filter(([, v]) => typeof v === 'string')) : {}
  } catch {
    return {}
  }
}

// Several plans may finish close together: one write at a time, each over the newest file.
let writing: Promise<void> = Promise.resolve()

/** Remembers the plans identifier this dataset was last planned with (v2 only: v1 has one planner). */
export function rememberPlans(dataDir: string, settings: Settings, datasetId: number, plans: string): Promise<void> {
  if (settings.nnunetVersion !== 'v2') return Promise.resolve()
  writing = writing.then(async () => {
    const choices = await readChoices(dataDir)
    choices[keyOf(settings, datasetId)] = plans
    await writeFileAtomic(join(dataDir, FILE), JSON.stringify(choices, null, 2))
  })
  return writing
}

/** The plans the dataset was last planned with through the app, or undefined (never, or v1). */
export async function rememberedPlans(dataDir: string, settings: Settings, datasetId: number): Promise<string | undefined> {
  if (settings.nnunetVersion !== 'v2') return undefined
  return (await readChoices(dataDir))[keyOf(settings, datasetId)]
}

/** Files in a preprocessed dataset folder that are not plans. */
const NOT_PLANS = new Set(['dataset.json', 'dataset_fingerprint.json', 'splits_final.json'])

/** Every plans file in preprocessed/DatasetX (v2): nnUNetPlans first, then by name. */
export async function plansInFolder(preprocessedDataset: string): Promise<PlansSummary[]> {
  const names = (await readdir(preprocessedDataset).catch(() => [] as string[])).filter((n) => n.endsWith('.json') && !NOT_PLANS.has(n))
  const out: PlansSummary[] = []
  for (const n of names) {
    const p = await readPlansSummary(join(preprocessedDataset, n))
    // A plans file names itself (plans_name); another JSON someone left there is not one.
    if (p && `${p.plans}.json` === n) out.push(p)
  }
  return out.sort((a, b) => (a.plans === 'nnUNetPlans' ? -1 : b.plans === 'nnUNetPlans' ? 1 : a.plans.localeCompare(b.plans)))
}

/**
 * The folder status with each v2 dataset's plans files (plansAvailable) and its chosen plans: the
 * remembered ones when their file exists, else nnUNetPlans. `plans` (what the plan summary card and
 * the Train step's configurations read) becomes the chosen plans' summary.
 */
export async function withPlansChoice(status: FolderStatus, settings: Settings, dataDir: string): Promise<FolderStatus> {
  if (settings.nnunetVersion !== 'v2' || !settings.folders) return status
  for (const d of status.datasets) {
    const folder = `Dataset${String(d.id).padStart(3, '0')}_${d.name}`
    const available = await plansInFolder(join(settings.folders.preprocessed, folder))
    if (!available.length) continue
    d.plansAvailable = available.map((p) => p.plans)
    const remembered = await rememberedPlans(dataDir, settings, d.id)
    const chosen = available.find((p) => p.plans === remembered) ?? available.find((p) => p.plans === defaultPlans('v2')) ?? available[0]!
    d.chosenPlans = chosen.plans
    d.plans = chosen
  }
  return status
}

/**
 * The plans a run of this dataset uses when its request names none: the remembered choice when
 * it differs from nnU-Net's default (nnU-Net then needs -p), else undefined (nnU-Net's default).
 */
export async function plansToUse(dataDir: string, settings: Settings, datasetId: number): Promise<string | undefined> {
  const remembered = await rememberedPlans(dataDir, settings, datasetId)
  return remembered && remembered !== defaultPlans(settings.nnunetVersion) ? remembered : undefined
}
