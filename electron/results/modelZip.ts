// What a model zip needs beyond nnU-Net's own export so that plain nnU-Net predicts with it on a
// computer without this app: the Python code of every trainer class nnU-Net does not ship (the
// generated nnUNetTrainer_Wizard_* or a trainer made with "create trainer"), and a README with
// the exact install and predict commands.
//
// Where the trainer goes: nnU-Net's installer (nnUNetv2_install_pretrained_model_from_zip)
// extracts the whole zip into nnUNet_results, so a file the zip holds under the model folder
// lands at $nnUNet_results/DatasetX/TRAINER__PLANS__CONF/trainer/TRAINER.py. nnU-Net v2 finds
// trainer classes outside its package in the folders named by the nnUNet_extTrainer variable
// (nnunetv2/utilities/find_objects.py: recursive_find_trainer_class_by_name, for training and
// for prediction alike), so pointing that variable at this folder is all it takes: no edit of
// the venv. nnU-Net v1 has no such variable; its README says where to copy the file.
import { execFile } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Finding } from '../../shared/api'
import type { NnunetVersion } from '../../shared/schema'
import { programPath, pythonSpawn } from '../nnunet/safePython'
import { generateTrainer } from '../nnunet/trainers'

/** "nnUNetTrainer_Wizard_20ep" / "..._Wizard_2ep_5it" (a generated trainer without a loss choice): base, epochs, iterations. */
export function generatedTrainerOf(name: string): { base: string; epochs: number; iterationsPerEpoch?: number } | null {
  const m = /^([A-Za-z_][A-Za-z0-9_]*?)_Wizard_(\d+)ep(?:_(\d+)it)?$/.exec(name)
  return m ? { base: m[1]!, epochs: Number(m[2]), ...(m[3] && { iterationsPerEpoch: Number(m[3]) }) } : null
}

/** The folder inside a model folder that holds the trainer code the zip carries. */
export const ZIP_TRAINER_FOLDER = 'trainer'

const PY_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const classLine = (name: string) => new RegExp(`^class\\s+${name}\\s*[(:]`, 'm')

/** The .py files under `dir` (recursively, as nnU-Net searches its trainer folders). */
async function pythonFiles(dir: string, depth = 0): Promise<string[]> {
  if (depth > 6) return []
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  const out: string[] = []
  for (const e of entries) {
    if (e.isDirectory() && !e.name.startsWith('.') && e.name !== '__pycache__') out.push(...(await pythonFiles(join(dir, e.name), depth + 1)))
    else if (e.isFile() && e.name.endsWith('.py')) out.push(join(dir, e.name))
  }
  return out.sort()
}

/** The module in `dirs` (nnUNet_extTrainer's folders, in order) that defines class `name`. */
export async function trainerModuleIn(dirs: readonly string[], name: string): Promise<{ file: string; source: string } | undefined> {
  if (!PY_NAME.test(name)) return undefined
  for (const dir of dirs) {
    for (const file of await pythonFiles(dir)) {
      const source = await readFile(file, 'utf8').catch(() => '')
      if (classLine(name).test(source)) return { file, source }
    }
  }
  return undefined
}

/** Trainer names a module reaches for by name or subclasses (its bases may be trainers of their own). */
function referencedTrainers(source: string): string[] {
  const names = new Set<string>()
  for (const m of source.matchAll(/recursive_find_(?:trainer_class_by_name|python_class)\([^)]*?["']([A-Za-z_][A-Za-z0-9_]*)["']/g)) names.add(m[1]!)
  for (const m of source.matchAll(/^class\s+[A-Za-z_][A-Za-z0-9_]*\s*\(([^)]*)\)/gm)) {
    for (const b of m[1]!.split(',')) {
      const n = b.trim().split('.').pop()!
      if (PY_NAME.test(n) && !n.startsWith('_')) names.add(n)
    }
  }
  return [...names]
}

const HELPER = String.raw`
import json, os, re, sys, zipfile
import importlib.metadata as md
import importlib.util as iu
req = json.loads(sys.stdin.read())
out = {"shipped": []}
dist = req["dist"]
try:
    out["version"] = md.version(dist)
except md.PackageNotFoundError:
    pass
names = req.get("shipped") or []
if names:
    spec = iu.find_spec(req["package"])
    roots = list(spec.submodule_search_locations) if spec and spec.submodule_search_locations else []
    pats = {n: re.compile(r"^class\s+" + re.escape(n) + r"\s*[(:]", re.M) for n in names}
    for root in roots:
        top = os.path.join(root, *req["trainerFolder"])
        for dp, dn, fn in os.walk(top):
            for f in fn:
                if f.endswith(".py"):
                    try:
                        text = open(os.path.join(dp, f), encoding="utf-8", errors="replace").read()
                    except OSError:
                        continue
                    for n, p in pats.items():
                        if p.search(text) and n not in out["shipped"]:
                            out["shipped"].append(n)
if req.get("zip"):
    with zipfile.ZipFile(req["zip"], "a", compression=zipfile.ZIP_DEFLATED) as z:
        have = set(z.namelist())
        for e in req["add"]:
            if e["arcname"] not in have:
                z.writestr(e["arcname"], e["text"])
print("NNUNET_WIZARD_ZIP " + json.dumps(out))
`

interface HelperRequest {
  shipped?: string[]
  zip?: string
  add?: { arcname: string; text: string }[]
}

function runHelper(python: string, version: NnunetVersion, env: NodeJS.ProcessEnv, req: HelperRequest): Promise<{ version?: string; shipped: string[] }> {
  const full = { ...req, dist: version === 'v2' ? 'nnunetv2' : 'nnunet', package: version === 'v2' ? 'nnunetv2' : 'nnunet', trainerFolder: version === 'v2' ? ['training', 'nnUNetTrainer'] : ['training', 'network_training'] }
  return new Promise((resolve, reject) => {
    const child = execFile(
      programPath(python),
      ['-c', HELPER],
      { timeout: 600_000, ...pythonSpawn({ ...process.env, ...env, PYTHONIOENCODING: 'utf-8' }), windowsHide: true, maxBuffer: 4 << 20 },
      (err, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('NNUNET_WIZARD_ZIP '))
        if (line) return resolve(JSON.parse(line.slice('NNUNET_WIZARD_ZIP '.length)) as { version?: string; shipped: string[] })
        reject(new Error(`Adding the trainer code and README to the zip failed: ${(stderr || (err as Error | null)?.message || 'no output').trim().split('\n').slice(-3).join(' ')}`))
      },
    )
    child.stdin?.end(JSON.stringify(full))
  })
}

export interface ZipModel {
  /** DatasetNNN_Name / TaskNNN_Name */
  dataset: string
  datasetId: number
  configuration: string
  trainer: string
  plans: string
  /** The model folder's path inside the zip (relative to the results folder), with a trailing /. */
  arcFolder: string
}

export interface ZipCarry {
  /** Files added to the zip (arc names). */
  added: string[]
  /** The README's arc name (one per model folder; the first). */
  readme: string
  /** Trainers whose code the zip carries. */
  carried: string[]
  /** What plain nnU-Net will lack: a trainer whose code could not be found. */
  warnings: Finding[]
}

export interface CarryOptions {
  python: string
  version: NnunetVersion
  /** The child environment of nnU-Net's tools. */
  env: Record<string, string>
  /** Folders searched for trainer code, in order (v2: nnUNet_extTrainer's; v1: the app's copies). */
  dirs: readonly string[]
  zipName: string
  folds: (number | 'all')[]
}

/** Trainers the models need that nnU-Net does not ship, found (or generated again) with their code. */
async function trainerCode(models: readonly ZipModel[], o: CarryOptions): Promise<{ code: Map<string, string>; missing: string[]; nnunet?: string }> {
  const dirs = o.dirs
  const code = new Map<string, string>()
  const unknown: string[] = []
  const queue = [...new Set(models.map((m) => m.trainer))]
  const seen = new Set<string>()
  while (queue.length) {
    const name = queue.shift()!
    if (seen.has(name)) continue
    seen.add(name)
    const found = await trainerModuleIn(dirs, name)
    if (found) {
      code.set(name, found.source)
      queue.push(...referencedTrainers(found.source))
    } else unknown.push(name)
  }
  // Names not found beside the app: nnU-Net's own, or gone (generated again from the name when it says how).
  const probe = await runHelper(o.python, o.version, o.env, { shipped: unknown })
  const missing: string[] = []
  for (const name of unknown) {
    if (probe.shipped.includes(name)) continue
    const spec = generatedTrainerOf(name)
    if (spec) {
      const gen = generateTrainer({ ...spec, version: o.version })
      if (gen.name === name) {
        code.set(name, gen.source)
        continue
      }
    }
    // A base class named only as a class's base may be torch's or Python's: only the models' own trainers are required.
    if (models.some((m) => m.trainer === name)) missing.push(name)
  }
  return { code, missing, nnunet: probe.version }
}

/** The README a model zip carries: what is in it, and the exact commands of plain nnU-Net to install it and predict. */
export function modelReadme(models: readonly ZipModel[], o: { version: NnunetVersion; zipName: string; folds: (number | 'all')[]; carried: readonly string[]; missing: readonly string[]; nnunet?: string }): string {
  const first = models[0]!
  const v2 = o.version === 'v2'
  const folds = o.folds.map(String).join(' ')
  const lines = [
    `# ${first.dataset}: nnU-Net ${o.version} model`,
    '',
    `Exported by nnU-Net Wizard with nnU-Net's own exporter${o.nnunet ? ` (${v2 ? 'nnunetv2' : 'nnunet'} ${o.nnunet})` : ''}. Fold${o.folds.length === 1 ? '' : 's'} ${o.folds.join(', ')} of:`,
    ...models.map((m) => `- ${m.configuration}: trainer ${m.trainer}, plans ${m.plans}`),
    '',
    'Nothing here needs nnU-Net Wizard. In a Python environment with nnU-Net installed',
    `(pip install ${v2 ? 'nnunetv2' : 'nnunet'}${o.nnunet ? `==${o.nnunet}` : ''}):`,
    '',
    '## 1. Install',
    '',
    '```bash',
    v2 ? 'export nnUNet_results=/path/to/nnUNet_results   # any folder; the model is unpacked into it' : 'export RESULTS_FOLDER=/path/to/nnUNet_trained_models',
    v2 ? `nnUNetv2_install_pretrained_model_from_zip ${o.zipName}` : `nnUNet_install_pretrained_model_from_zip ${o.zipName}`,
    '```',
    '',
  ]
  const own = models.filter((m) => o.carried.includes(m.trainer))
  if (own.length) {
    const m = own[0]!
    lines.push(`## 2. The trainer class`, '', `${[...new Set(own.map((x) => x.trainer))].join(', ')} is not one nnU-Net ships; its code is in this zip, in ${m.arcFolder}${ZIP_TRAINER_FOLDER}/.`)
    if (v2) {
      lines.push(
        'nnU-Net v2 finds trainer classes in the folders named by the nnUNet_extTrainer variable; set it',
        'in every shell that predicts with this model (no change to the nnU-Net installation):',
        '',
        '```bash',
        `export nnUNet_extTrainer="$nnUNet_results/${m.arcFolder}${ZIP_TRAINER_FOLDER}"`,
        '```',
      )
    } else {
      lines.push(
        'nnU-Net v1 looks for trainers only inside its own package: copy the file there once:',
        '',
        '```bash',
        `cp "$RESULTS_FOLDER/${m.arcFolder}${ZIP_TRAINER_FOLDER}/"*.py "$(python -c 'import nnunet, os; print(os.path.join(nnunet.__path__[0], "training", "network_training"))')/"`,
        '```',
      )
    }
    lines.push('')
  }
  if (o.missing.length) {
    lines.push('## Missing', '', `The code of ${o.missing.join(', ')} was not found when this zip was made: nnU-Net cannot load the model without that trainer class. Ask whoever trained it for the file.`, '')
  }
  lines.push(
    `## ${own.length ? 3 : 2}. Predict`,
    '',
    `Name the input images as nnU-Net does: CASE_0000.nii.gz (one file per channel, numbered as in dataset.json).`,
    '',
    '```bash',
    ...models.map((m) =>
      v2
        ? `nnUNetv2_predict -i INPUT_FOLDER -o OUTPUT_FOLDER -d ${m.datasetId} -c ${m.configuration} -tr ${m.trainer} -p ${m.plans} -f ${folds}`
        : `nnUNet_predict -i INPUT_FOLDER -o OUTPUT_FOLDER -t ${m.datasetId} -m ${m.configuration} -tr ${m.trainer} -p ${m.plans} -f ${folds}`,
    ),
    '```',
    '',
    v2 ? 'Add -device cpu on a computer without a GPU.' : '',
    '',
  )
  return lines.join('\n').replace(/\n{3,}/g, '\n\n')
}

/**
 * Adds the trainer code and the README to the zip nnU-Net's exporter wrote (in place: the caller
 * writes it under a temporary name and renames it when this returns). A trainer whose code
 * cannot be found is a warning, said in the README too.
 */
export async function carryIntoZip(zip: string, models: readonly ZipModel[], o: CarryOptions): Promise<ZipCarry> {
  const { code, missing, nnunet } = await trainerCode(models, o)
  const carried = [...code.keys()]
  const readme = modelReadme(models, { version: o.version, zipName: o.zipName, folds: o.folds, carried, missing, nnunet })
  const add: { arcname: string; text: string }[] = []
  for (const m of models) {
    add.push({ arcname: `${m.arcFolder}README.md`, text: readme })
    for (const [name, source] of code) add.push({ arcname: `${m.arcFolder}${ZIP_TRAINER_FOLDER}/${name}.py`, text: source })
  }
  await runHelper(o.python, o.version, o.env, { zip, add })
  const warnings: Finding[] = missing.map((name) => ({
    severity: 'warning',
    code: 'model-zip-trainer-missing',
    text: `The code of trainer ${name} was not found (not in nnU-Net, not in ${o.dirs.join(', ') || 'any trainer folder'}): plain nnU-Net cannot predict with this zip without it.`,
    hint: `Put the file that defines class ${name} into a folder on nnUNet_extTrainer and export again, or hand that file on with the zip.`,
  }))
  return { added: add.map((a) => a.arcname), readme: `${models[0]!.arcFolder}README.md`, carried, warnings }
}
