// nnU-Net's own postprocessing (v2): determined on a model's cross-validation results and applied
// to a folder of predictions, with nnU-Net's commands, as its documentation describes:
//   nnUNetv2_accumulate_crossval_results D -c C -f F.. -p P -tr T   (MODEL/crossval_results_folds_F)
//   nnUNetv2_determine_postprocessing -i MODEL/crossval_results_folds_F -ref labelsTr ...
//     -> postprocessing.pkl (what to apply) and postprocessing.json (Dice before / after)
//   nnUNetv2_apply_postprocessing -i PREDICTIONS -o OUT -pp_pkl_file .../postprocessing.pkl ...
// The files nnU-Net writes (also find_best_configuration's) are found in the model folder and
// used; nothing of the app's own is written there. v1 keeps postprocessing inside its
// find_best / consolidate steps, which have no determine / apply commands of this shape.
import { existsSync } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { NnunetCommand, NnunetTool } from '../../shared/nnunetArgs'
import { defaultPlans } from '../../shared/nnunetArgs'
import type { PostprocessingInfo, TrainedModel } from '../../shared/api'
import type { ApplyPostprocessingRequest, DeterminePostprocessingRequest, Settings } from '../../shared/schema'
import type { JobContext } from '../jobs/jobManager'
import { leadsInside } from '../files/pathInside'
import { folderEnv, trainedModels } from '../nnunet/folders'
import { childEnv, datasetFolderName, datasetLabels } from '../nnunet/pipeline'
import { resolvePython } from '../nnunet/python'
import { runTool } from '../nnunet/runner'
import { labelName, parsePythonJson } from '../nnunet/summaries'

export const POSTPROCESSING_TOOLS = {
  accumulate: { script: 'nnUNetv2_accumulate_crossval_results', entry: 'nnunetv2.evaluation.find_best_configuration:accumulate_crossval_results_entry_point' },
  determine: { script: 'nnUNetv2_determine_postprocessing', entry: 'nnunetv2.postprocessing.remove_connected_components:entry_point_determine_postprocessing_folder' },
  apply: { script: 'nnUNetv2_apply_postprocessing', entry: 'nnunetv2.postprocessing.remove_connected_components:entry_point_apply_postprocessing' },
} as const satisfies Record<string, NnunetTool>

const V1_REFUSAL =
  'nnU-Net v1 determines its postprocessing inside nnUNet_find_best_configuration (consolidate_postprocessing) and applies it with nnUNet_ensemble --pp; it has no separate determine / apply commands. Run find_best in the Train step, or use nnU-Net v2 for this.'

/** nnU-Net's folds_tuple_to_string: (0, 1, 2) -> "0_1_2". */
export const foldsKey = (folds: readonly number[]) => folds.join('_')

export function accumulateArgs(datasetId: number, configuration: string, folds: readonly number[], plans: string, trainer: string): NnunetCommand {
  return { tool: POSTPROCESSING_TOOLS.accumulate, args: [String(datasetId), '-c', configuration, '-f', ...folds.map(String), '-p', plans, '-tr', trainer] }
}

export function determineArgs(a: { merged: string; reference: string; plansJson: string; datasetJson: string; processes: number }): NnunetCommand {
  return { tool: POSTPROCESSING_TOOLS.determine, args: ['-i', a.merged, '-ref', a.reference, '-plans_json', a.plansJson, '-dataset_json', a.datasetJson, '-np', String(a.processes)] }
}

export function applyArgs(a: { input: string; output: string; pkl: string; plansJson: string; datasetJson: string; processes: number }): NnunetCommand {
  return { tool: POSTPROCESSING_TOOLS.apply, args: ['-i', a.input, '-o', a.output, '-pp_pkl_file', a.pkl, '-np', String(a.processes), '-plans_json', a.plansJson, '-dataset_json', a.datasetJson] }
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/**
 * nnU-Net's postprocessing.json: { input_folder: { foreground_mean: { Dice }, mean: { "1": { Dice } } },
 * postprocessed: { ... }, postprocessing_fns: ["remove_all_but_largest_component_from_segmentation"],
 * postprocessing_kwargs: [{ labels_or_regions: [1, 2] }] }, label keys as nnU-Net writes them.
 */
export function postprocessingOf(json: unknown, file: string, labels: Parameters<typeof labelName>[1]): Omit<PostprocessingInfo, 'pkl' | 'folds' | 'folder'> {
  const j = json as { input_folder?: { foreground_mean?: { Dice?: unknown }; mean?: Record<string, { Dice?: unknown }> }; postprocessed?: { foreground_mean?: { Dice?: unknown }; mean?: Record<string, { Dice?: unknown }> }; postprocessing_fns?: unknown[]; postprocessing_kwargs?: unknown[] } | null
  if (!j?.input_folder || !j.postprocessed) throw new Error(`${file} is not nnU-Net's postprocessing.json (no input_folder / postprocessed results).`)
  const perLabel = (m: Record<string, { Dice?: unknown }> | undefined) => Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [labelName(k, labels), num(v?.Dice)]))
  const kwargs = j.postprocessing_kwargs ?? []
  const steps = (j.postprocessing_fns ?? []).map((fn, i) => {
    const k = (kwargs[i] ?? {}) as { labels_or_regions?: unknown }
    const which = k.labels_or_regions
    const name = (v: unknown) => (Array.isArray(v) ? `region (${v.join(', ')})` : labelName(String(v), labels))
    // A list is every label at once (nnU-Net's first try) or one region; a number is one label.
    const target = Array.isArray(which) ? (which.length > 1 ? `${which.map(name).join(' + ')} together` : name(which[0])) : which !== undefined ? name(which) : 'all labels'
    return String(fn) === 'remove_all_but_largest_component_from_segmentation' ? `keep the largest connected component of ${target}` : `${String(fn)} (${target})`
  })
  return {
    json: file,
    before: { mean: num(j.input_folder.foreground_mean?.Dice), dice: perLabel(j.input_folder.mean) },
    after: { mean: num(j.postprocessed.foreground_mean?.Dice), dice: perLabel(j.postprocessed.mean) },
    steps,
  }
}

/** The newest postprocessing nnU-Net determined for a model (MODEL/crossval_results_folds_*), or undefined. */
export async function readModelPostprocessing(modelFolder: string, labels: Parameters<typeof labelName>[1]): Promise<PostprocessingInfo | undefined> {
  const names = (await readdir(modelFolder).catch(() => [] as string[])).filter((n) => /^crossval_results_folds_[\d_]+$/.test(n))
  let best: { info: PostprocessingInfo; at: number } | undefined
  for (const n of names) {
    const folder = join(modelFolder, n)
    const pkl = join(folder, 'postprocessing.pkl')
    const json = join(folder, 'postprocessing.json')
    const at = await stat(pkl).then((s) => s.mtimeMs, () => null)
    if (at === null || (best && best.at >= at)) continue
    try {
      const parsed = postprocessingOf(parsePythonJson(await readFile(json, 'utf8')), json, labels)
      best = { info: { ...parsed, folder, pkl, folds: n.replace('crossval_results_folds_', '').split('_').map(Number) }, at }
    } catch {
      // a pkl without its json (cut short): not shown
    }
  }
  return best?.info
}

async function findModel(settings: Settings, req: { datasetId: number; configuration: string; trainer?: string; plans?: string }): Promise<TrainedModel> {
  const plans = req.plans ?? defaultPlans(settings.nnunetVersion)
  const models = (await trainedModels(settings)).filter((m) => m.datasetId === req.datasetId && m.configuration === req.configuration && m.plans === plans && (!req.trainer || m.trainer === req.trainer))
  if (models.length > 1 && !req.trainer) throw new Error(`Dataset ${req.datasetId} has ${req.configuration} models of several trainers (${models.map((m) => m.trainer).join(', ')}): name the trainer.`)
  const m = models[0]
  if (!m) throw new Error(`There is no trained ${req.configuration} model${req.trainer ? ` with ${req.trainer}` : ''} (${plans}) of dataset ${req.datasetId}. Train it first.`)
  return m
}

const processes = (settings: Settings) => Math.max(1, Math.min(settings.augmentationWorkers ?? 2, 8))

/**
 * Determines the postprocessing of a model on its cross-validation results: gathers the folds'
 * validation predictions (accumulate), then lets nnU-Net try removing all but the largest
 * component (all labels together, then each label) and keep what raises the Dice.
 */
export async function runDeterminePostprocessing(req: DeterminePostprocessingRequest, settings: Settings, ctx: JobContext, dataDir: string): Promise<PostprocessingInfo> {
  if (settings.nnunetVersion === 'v1') throw new Error(V1_REFUSAL)
  folderEnv(settings)
  const dataset = await datasetFolderName(settings, req.datasetId)
  if (!dataset) throw new Error(`Dataset ${req.datasetId} is not in the nnU-Net folders: check the dataset id and the folders.`)
  const model = await findModel(settings, { ...req, trainer: req.trainer ?? undefined })
  const finished = model.finished.filter((f) => f !== 'all').map(Number)
  const folds = [...(req.folds ?? finished)].sort((a, b) => a - b)
  const lacking = folds.filter((f) => !existsSync(join(model.folder, `fold_${f}`, 'validation', 'summary.json')))
  if (!folds.length) throw new Error(`No fold of ${model.folder} has finished training with its validation; postprocessing is determined on the cross-validation results.`)
  if (lacking.length) throw new Error(`Fold ${lacking.join(', ')} of ${model.folder} has no validation (fold_N/validation/summary.json): finish its training (or run its validation with --val) first.`)
  const labels = await datasetLabels(settings, dataset)
  const python = resolvePython(settings)
  const env = childEnv(settings, dataDir)
  const merged = join(model.folder, `crossval_results_folds_${foldsKey(folds)}`)
  const f = settings.folders!
  const labelsTr = join(f.raw, dataset, 'labelsTr')
  const reference = existsSync(labelsTr) ? labelsTr : join(f.preprocessed, dataset, 'gt_segmentations')
  ctx.progress({ done: 0, total: 2, unit: 'step', message: `gathering the validation of folds ${folds.join(', ')}` })
  await runTool(ctx, { python, env, command: accumulateArgs(req.datasetId, model.configuration, folds, model.plans, model.trainer) })
  ctx.progress({ done: 1, total: 2, unit: 'step', message: 'trying the postprocessing on the cross-validation results' })
  await runTool(ctx, { python, env, command: determineArgs({ merged, reference, plansJson: join(model.folder, 'plans.json'), datasetJson: join(model.folder, 'dataset.json'), processes: processes(settings) }) })
  const info = await readModelPostprocessing(model.folder, labels)
  if (!info || resolve(info.folder) !== resolve(merged)) throw new Error(`nnU-Net's determine_postprocessing ended without writing ${join(merged, 'postprocessing.pkl')} and postprocessing.json; see the log.`)
  ctx.log(info.steps.length ? `Postprocessing that raises the cross-validation Dice: ${info.steps.join('; ')} (Dice ${info.before.mean?.toFixed(4)} -> ${info.after.mean?.toFixed(4)}).` : `No postprocessing raises the cross-validation Dice (${info.before.mean?.toFixed(4)}): applying it changes nothing.`, 'info')
  ctx.progress({ done: 2, total: 2, unit: 'step', message: 'determined' })
  return info
}

export interface ApplyPostprocessingResult {
  input: string
  output: string
  pkl: string
  files: string[]
  steps: string[]
}

/** Applies a model's determined postprocessing to a folder of its predictions, into another folder. */
export async function runApplyPostprocessing(req: ApplyPostprocessingRequest, settings: Settings, ctx: JobContext, dataDir: string): Promise<ApplyPostprocessingResult> {
  if (settings.nnunetVersion === 'v1') throw new Error(V1_REFUSAL)
  folderEnv(settings)
  const dataset = await datasetFolderName(settings, req.datasetId)
  if (!dataset) throw new Error(`Dataset ${req.datasetId} is not in the nnU-Net folders: check the dataset id and the folders.`)
  const model = await findModel(settings, { ...req, trainer: req.trainer ?? undefined })
  const labels = await datasetLabels(settings, dataset)
  const info = await readModelPostprocessing(model.folder, labels)
  const pkl = req.pkl ?? info?.pkl
  if (!pkl) throw new Error(`No postprocessing has been determined for ${model.folder} (no crossval_results_folds_*/postprocessing.pkl): determine it first (Results, or nnunet-wizard results --determine-postprocessing).`)
  if (!existsSync(pkl)) throw new Error(`The postprocessing file ${pkl} does not exist.`)
  const inputFiles = (await readdir(req.input).catch(() => null))?.filter((n) => /\.(nii\.gz|nii|nrrd|mha|tif|png)$/i.test(n) && !n.endsWith('.seg.nrrd'))
  if (!inputFiles) throw new Error(`The prediction folder ${req.input} does not exist.`)
  if (!inputFiles.length) throw new Error(`${req.input} holds no segmentations to postprocess: predict into it first.`)
  const output = req.output ?? `${req.input.replace(/[\\/]+$/, '')}_postprocessed`
  if (resolve(output) === resolve(req.input) || (await leadsInside(output, req.input))) throw new Error(`The postprocessed folder ${output} must not be the prediction folder ${req.input} or inside it: nnU-Net writes the postprocessed copies beside the originals, which stay as they were.`)
  ctx.log(info && pkl === info.pkl ? `Applying ${info.steps.length ? info.steps.join('; ') : 'no change (nothing raised the cross-validation Dice)'} from ${pkl}.` : `Applying ${pkl}.`, 'info')
  ctx.progress({ done: 0, total: 1, unit: 'step', message: `postprocessing ${inputFiles.length} segmentation${inputFiles.length === 1 ? '' : 's'}` })
  await runTool(ctx, { python: resolvePython(settings), env: childEnv(settings, dataDir), command: applyArgs({ input: req.input, output, pkl, plansJson: join(model.folder, 'plans.json'), datasetJson: join(model.folder, 'dataset.json'), processes: processes(settings) }) })
  const files = ((await readdir(output).catch(() => [] as string[])) ?? []).filter((n) => inputFiles.includes(n)).sort()
  if (files.length !== inputFiles.length) throw new Error(`nnU-Net's apply_postprocessing wrote ${files.length} of ${inputFiles.length} segmentations into ${output}; see the log.`)
  ctx.progress({ done: 1, total: 1, unit: 'step', message: `wrote ${output}` })
  return { input: req.input, output, pkl, files, steps: info && pkl === info.pkl ? info.steps : [] }
}
