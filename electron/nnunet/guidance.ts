// Known nnU-Net failures, recognised in the log and turned into advice in a researcher's words.
// The patterns are the messages nnunet 1.7.1 / nnunetv2 2.8.1 (and the libraries they use) print.
import type { Finding } from '../../shared/api'
import { defaultTrainer, trainArgs } from '../../shared/nnunetArgs'
import type { Configuration, FindBestRequest, NnunetVersion } from '../../shared/schema'
import { HOW, either } from './howTo'

/** One fold to re-validate: the dataset, configuration, trainer and plans it was trained with. */
export type RevalidateFold = Pick<FindBestRequest, 'datasetId' | 'plans'> & { configuration: Configuration; fold: number; trainer?: string }

/**
 * The command that re-runs a fold's validation and saves the softmax (.npz) files, as typed in a
 * terminal with the version's own tool (built by the same argv builder the app trains with): for
 * one fold when given, else with the version's placeholders.
 */
export function revalidateCommand(version: NnunetVersion, fold?: RevalidateFold): string {
  if (!fold) return version === 'v2' ? 'nnUNetv2_train DATASET CONFIGURATION FOLD -tr TRAINER --val --npz' : 'nnUNet_train CONFIGURATION TRAINER TASK FOLD -val --npz'
  const trainer = fold.trainer ?? defaultTrainer(version, fold.configuration)
  const request = { datasetId: fold.datasetId, configuration: fold.configuration, fold: fold.fold, npz: true, continueTraining: false, validationOnly: true, ...(fold.plans ? { plans: fold.plans } : {}) }
  const { tool, args } = trainArgs(version, request, { trainer })
  return [tool.script, ...args].join(' ')
}

const npzText = 'Finding the best configuration (or ensembling) needs the softmax outputs of the validation, which are only saved with --npz.'
const npzHint = (version: NnunetVersion) =>
  `Re-run the validation of each fold with "validation only" and --npz ticked (${revalidateCommand(version)}), then run find_best_configuration again.`

interface Rule {
  code: string
  re: RegExp
  text: string
  hint: string
}

const RULES: Rule[] = [
  {
    code: 'too-few-cases',
    // sklearn's KFold when nnU-Net builds its 5-fold split from fewer than 5 training cases.
    re: /Cannot have number of splits n_splits=\d+ greater than the number of samples/,
    text: 'nnU-Net could not make its 5-fold cross-validation split: the dataset has fewer than 5 training cases.',
    hint: "Train with fold 'all' (all cases train, no validation split), add cases, or write your own splits_final.json in the preprocessed dataset folder.",
  },
  // The message tells the version: nnunetv2 points at nnUNetv2_train, nnunet 1.x at nnUNet_train.
  { code: 'find-best-needs-npz', re: /No \.npz files found in folder/, text: npzText, hint: npzHint('v2') },
  { code: 'find-best-needs-npz', re: /rerun validation with `nnUNet_train CONFIG TRAINER TASK FOLD -val --npz`/i, text: npzText, hint: npzHint('v1') },
  {
    code: 'torch-compile-failed',
    re: /torch\._dynamo|torch\._inductor|BackendCompilerFailed|InductorError|triton.*(?:not found|error)/i,
    text: 'torch.compile failed while building the network (a compiler or Triton problem, common on new GPUs, Windows and some drivers).',
    hint: 'Turn off torch.compile (in the app: the "torch.compile" setting; on the command line: leave out --compile; nnUNet_compile=false) and start the training again; it only costs some speed.',
  },
  {
    code: 'augmentation-workers-died',
    re: /background workers are no longer alive|One or more background workers/,
    text: "nnU-Net's data-augmentation worker processes died. Usually they ran out of memory (RAM) or were killed by the system; the real error is often printed further up.",
    hint: 'Lower the data-augmentation workers (nnUNet_n_proc_DA, e.g. 2-4; in the app: the settings; on the command line: --workers 2), close other programs, and check free RAM and shared memory (/dev/shm in containers).',
  },
  {
    code: 'folders-not-set',
    re: /\b(nnUNet_raw|nnUNet_preprocessed|nnUNet_results|nnUNet_raw_data_base|RESULTS_FOLDER) is not defined/,
    text: 'nnU-Net says one of its folder variables is not set.',
    hint: `${either(HOW.folders)} They are then passed as nnUNet_raw / nnUNet_preprocessed / nnUNet_results (v1: nnUNet_raw_data_base / nnUNet_preprocessed / RESULTS_FOLDER) to every run.`,
  },
  {
    code: 'dataset-not-found',
    re: /Could not find a (?:dataset|task) with the ID (\d+)/,
    text: 'nnU-Net cannot find a dataset with this id in its folders.',
    hint: 'Check that the dataset was written into the nnU-Net raw folder (DatasetNNN_Name for v2, nnUNet_raw_data/TaskNNN_Name for v1) and that plan and preprocess ran for it; the ids the folders hold are listed in the Environment step of the app and by nnunet-wizard env.',
  },
  {
    code: 'dataset-id-collision',
    re: /More than one dataset name found for dataset id (\d+)/,
    text: 'Two datasets with different names use the same id in the nnU-Net folders.',
    hint: "Rename or remove one of them (the app's Environment step and nnunet-wizard env list both), or write the new dataset with a free id.",
  },
  {
    code: 'cuda-unavailable',
    re: /Torch not compiled with CUDA enabled|Found no NVIDIA driver|No CUDA GPUs are available/,
    text: 'The run asked for a CUDA GPU, but torch cannot use one here.',
    hint: either(HOW.device, 'install a CUDA build of torch that matches your driver'),
  },
  {
    code: 'nnunet-not-installed',
    // The console script or `python -c` could not import the package of the chosen version.
    re: /No module named '?(nnunetv2|nnunet)'?/,
    text: 'The chosen Python environment does not have the nnU-Net version selected in the settings (v1 is the package nnunet, v2 is nnunetv2).',
    hint: either(`${HOW.pickPython}; nnunet-wizard env lists them`, 'switch the nnU-Net version (--nnunet v1|v2 on the command line)', `for v1, pip install nnunet==1.7.1 there; for v2, ${HOW.install}`),
  },
  {
    code: 'out-of-gpu-memory',
    re: /CUDA out of memory|OutOfMemoryError/,
    text: 'The GPU ran out of memory.',
    hint: 'Close other programs that use the GPU, or plan with a smaller GPU memory target (nnUNetv2_plan_and_preprocess -gpu_memory_target) and use those plans.',
  },
]

export class GuidanceMatcher {
  private readonly seen = new Set<string>()

  /** Returns the findings this line triggers for the first time. */
  match(line: string): Finding[] {
    const out: Finding[] = []
    for (const r of RULES) {
      if (this.seen.has(r.code) || !r.re.test(line)) continue
      this.seen.add(r.code)
      out.push({ severity: 'error', code: r.code, text: r.text, hint: r.hint })
    }
    return out
  }
}
