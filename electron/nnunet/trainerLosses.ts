// The losses the installed nnU-Net ships, found in its own source (read with `ast`, nothing is
// imported, so it takes a fraction of a second):
// - v2 (nnunetv2): the trainers under training/nnUNetTrainer/variants/loss that define
//   `_build_loss` (nnUNetTrainerCELoss, nnUNetTrainerDiceLoss, nnUNetTrainerTopk10Loss, ...).
// - v1 (nnunet): the trainers under training/network_training/nnUNet_variants/loss_function whose
//   __init__ sets `self.loss = ...` and no other method changes it (nnUNetTrainerV2_Loss_CE,
//   _Loss_Dice, _Loss_TopK10, _Loss_DiceTopK10, ...). The expression and the module's imports are
//   returned, because v1 builds its loss in __init__ and a subclass can only repeat that line.
// The base trainer's own loss (Dice + cross-entropy in both versions) is the default, not listed.
import { execFile } from 'node:child_process'
import type { NnunetVersion } from '../../shared/schema'
import { programPath, pythonSpawn } from './safePython'
import type { ShippedLoss } from './trainers'

export const LOSSES_PROGRAM = String.raw`
import ast, json, os, sys
import importlib.util as iu

version = sys.argv[1]
pkg = "nnunetv2" if version == "v2" else "nnunet"
spec = iu.find_spec(pkg)
if spec is None:
    print("NNUNET_WIZARD_LOSSES " + json.dumps({"error": pkg + " is not installed in " + sys.executable}))
    sys.exit(0)
root = list(spec.submodule_search_locations)[0]
sub = ("training", "nnUNetTrainer", "variants", "loss") if version == "v2" else ("training", "network_training", "nnUNet_variants", "loss_function")
folder = os.path.join(root, *sub)
out = []
for fn in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
    if not fn.endswith(".py") or fn.startswith("__"):
        continue
    path = os.path.join(folder, fn)
    src = open(path, encoding="utf-8").read()
    try:
        tree = ast.parse(src)
    except SyntaxError:
        continue
    module = ".".join((pkg,) + sub + (fn[:-3],))
    imports = [ast.get_source_segment(src, n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))
               and not (isinstance(n, ast.ImportFrom) and (n.module or "").startswith(pkg + ".training.network_training"))]
    for cls in [n for n in tree.body if isinstance(n, ast.ClassDef)]:
        methods = {f.name: f for f in cls.body if isinstance(f, ast.FunctionDef)}
        if version == "v2":
            if "_build_loss" in methods and len(methods) == 1:
                out.append({"className": cls.name, "module": module})
            continue
        init = methods.get("__init__")
        if init is None or len(methods) != 1:
            continue  # other methods (a gradual loss change, ...) belong to the loss: not a loss alone
        sets = [n for n in ast.walk(init) if isinstance(n, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr == "loss" and isinstance(t.value, ast.Name) and t.value.id == "self" for t in n.targets)]
        if len(sets) != 1:
            continue
        out.append({"className": cls.name, "module": module, "imports": imports, "expression": ast.get_source_segment(src, sets[0].value)})
print("NNUNET_WIZARD_LOSSES " + json.dumps({"losses": out}))
`

export interface LossOption extends ShippedLoss {
  /** "Top-K 10% (nnUNetTrainerTopk10Loss)" */
  label: string
}

/** A readable name for a shipped loss trainer (the class name stays in the label). */
export function lossLabel(className: string): string {
  const core = className.replace(/^nnUNetTrainer(V2)?_?/, '').replace(/^(Loss_|SegLoss_)/, '').replace(/Loss/g, '')
  const words = core
    .replace(/TopK|Topk/g, ' Top-K ')
    .replace(/DicewithBG/, 'Dice with background')
    .replace(/(\d+)LS01/, '$1%, label smoothing 0.1')
    .replace(/^( Top-K )(\d+)$/, '$1$2%')
    .replace(/DiceCE/, 'Dice + CE')
    .replace(/^Dice Top-K (\d+)/, 'Dice + Top-K $1%')
    .replace(/_noSmooth/, ', no smoothing')
    .replace(/^CE$/, 'Cross-entropy (CE)')
    .replace(/_squared/, ' squared')
    .replace(/noBG$/, ' without background')
    .replace(/CEGDL/, 'CE + generalised Dice')
    .replace(/\s+/g, ' ')
    .trim()
  return `${words} (${className})`
}

const cache = new Map<string, LossOption[]>()

/** The shipped losses of the nnU-Net installed for `python`. */
export function shippedLosses(python: string, version: NnunetVersion): Promise<LossOption[]> {
  const key = `${version}\0${python}`
  const hit = cache.get(key)
  if (hit) return Promise.resolve(hit)
  return new Promise((resolve, reject) => {
    execFile(programPath(python), ['-c', LOSSES_PROGRAM, version], { timeout: 60_000, ...pythonSpawn({ ...process.env, PYTHONIOENCODING: 'utf-8' }), windowsHide: true, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      const line = stdout.split('\n').find((l) => l.startsWith('NNUNET_WIZARD_LOSSES '))
      if (!line) {
        reject(new Error(`Could not list the losses of nnU-Net ${version} in ${python}: ${stderr.trim().split('\n').pop() ?? err?.message ?? 'no output'}`))
        return
      }
      const parsed = JSON.parse(line.slice('NNUNET_WIZARD_LOSSES '.length)) as { error?: string; losses?: ShippedLoss[] }
      if (parsed.error) {
        reject(new Error(parsed.error))
        return
      }
      const losses = (parsed.losses ?? []).map((l) => ({ ...l, label: lossLabel(l.className) }))
      cache.set(key, losses)
      resolve(losses)
    })
  })
}
