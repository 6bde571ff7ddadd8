// One small Python program run by each candidate interpreter: what it is and what it has. It
// prints one JSON object. Trainer classes are found by reading the trainer packages' source with
// `ast` (subclasses of nnUNetTrainer, transitively), not by importing them: importing every
// trainer module costs many seconds and can fail on optional dependencies.
import { execFile } from 'node:child_process'
import type { PythonEnv } from '../../shared/api'
import type { NnunetVersion } from '../../shared/schema'
import { programPath, pythonSpawn } from './safePython'

export const PROBE_PROGRAM = String.raw`
import json, os, sys, ast
import importlib.metadata as md
import importlib.util as iu

out = {"python": sys.executable, "executable": os.path.realpath(sys.executable), "prefix": sys.prefix, "version": sys.version.split()[0], "nnunet": {}}
for key, dist in (("v1", "nnunet"), ("v2", "nnunetv2")):
    try:
        out["nnunet"][key] = md.version(dist)
    except md.PackageNotFoundError:
        pass

def trainers(package, sub, root):
    try:
        spec = iu.find_spec(package)
    except Exception:
        return []
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = os.path.join(list(spec.submodule_search_locations)[0], *sub)
    return trainers_in(folder, {root})

def trainers_in(folder, roots):
    bases = {}
    for dirpath, _, files in os.walk(folder):
        for f in files:
            if not f.endswith(".py"):
                continue
            try:
                with open(os.path.join(dirpath, f), "rb") as fh:
                    tree = ast.parse(fh.read())
            except Exception:
                continue
            # Aliases: "import nnUNetTrainer as _Base", "_Base = recursive_find_trainer_class_by_name('X')"
            # (how the wizard's generated trainers name their base).
            alias = {}
            for node in tree.body:
                if isinstance(node, ast.ImportFrom):
                    for n in node.names:
                        if n.asname:
                            alias[n.asname] = n.name
                elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and node.value.args:
                    fn, arg = node.value.func, node.value.args[0]
                    fname = fn.id if isinstance(fn, ast.Name) else getattr(fn, "attr", "")
                    if fname.endswith("find_trainer_class_by_name") and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        for t in node.targets:
                            if isinstance(t, ast.Name):
                                alias[t.id] = arg.value
            for node in tree.body:
                if isinstance(node, ast.ClassDef):
                    names = []
                    for b in node.bases:
                        if isinstance(b, ast.Name):
                            names.append(alias.get(b.id, b.id))
                        elif isinstance(b, ast.Attribute):
                            names.append(b.attr)
                    bases.setdefault(node.name, set()).update(names)
    found, changed = set(roots), True
    while changed:
        changed = False
        for name, bs in bases.items():
            if name not in found and bs & found:
                found.add(name)
                changed = True
    return sorted(found)

if "v2" in out["nnunet"]:
    t = trainers("nnunetv2", ("training", "nnUNetTrainer"), "nnUNetTrainer")
    for extra in os.environ.get("nnUNet_extTrainer", "").split(os.pathsep):
        if extra.strip() and os.path.isdir(extra):
            t = sorted(set(t) | set(trainers_in(extra, set(t))))
    out["trainers"] = t
elif "v1" in out["nnunet"]:
    out["trainers"] = trainers("nnunet", ("training", "network_training"), "nnUNetTrainer")

try:
    out["torch"] = md.version("torch")
    import torch
    out["cuda"] = {"available": bool(torch.cuda.is_available())}
    if torch.version.cuda:
        out["cuda"]["version"] = torch.version.cuda
    mps = getattr(torch.backends, "mps", None)
    out["mps"] = bool(mps is not None and mps.is_available())
except md.PackageNotFoundError:
    pass
except Exception as e:
    out["torchError"] = f"{type(e).__name__}: {e}"

print("NNUNET_WIZARD_PROBE " + json.dumps(out))
`

export interface ProbeResult extends Omit<PythonEnv, 'source'> {
  torchError?: string
  /** The real interpreter binary and sys.prefix: two paths with both equal are one environment. */
  executable?: string
  prefix?: string
}

/** Runs the probe with `python`; rejects with a readable reason when it cannot. */
export function probePython(python: string, opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    execFile(
      programPath(python),
      ['-c', PROBE_PROGRAM],
      { timeout: opts.timeoutMs ?? 60_000, ...pythonSpawn({ ...process.env, ...opts.env, PYTHONIOENCODING: 'utf-8' }), windowsHide: true, maxBuffer: 4 << 20 },
      (err, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('NNUNET_WIZARD_PROBE '))
        if (line) {
          try {
            const parsed = JSON.parse(line.slice('NNUNET_WIZARD_PROBE '.length)) as ProbeResult & { nnunet: Record<string, string> }
            if (Object.keys(parsed.nnunet).length === 0) delete (parsed as { nnunet?: unknown }).nnunet
            // Report the path we ran, not sys.executable: a venv's python resolves to its base.
            resolve({ ...parsed, python })
            return
          } catch {
            /* fall through to the error */
          }
        }
        const reason = err && 'killed' in err && err.killed ? `it did not answer within ${Math.round((opts.timeoutMs ?? 60_000) / 1000)} s` : (stderr.trim().split('\n').pop() ?? err?.message ?? 'no output')
        reject(new Error(`Could not inspect the Python interpreter ${python}: ${reason}`))
      },
    )
  })
}

/**
 * Which nnU-Net packages `python` has (nnunetv2 -> v2, nnunet -> v1), found without importing them
 * (importlib.util.find_spec: a fraction of a second, no torch). Empty when it has neither or
 * cannot be run.
 */
export function installedNnunet(python: string, timeoutMs = 20_000): Promise<NnunetVersion[]> {
  const code = 'import importlib.util as u, json; print("NNUNET_WIZARD_HAS " + json.dumps([v for v, m in (("v1", "nnunet"), ("v2", "nnunetv2")) if u.find_spec(m) is not None]))'
  return new Promise((resolve) => {
    execFile(programPath(python), ['-c', code], { timeout: timeoutMs, ...pythonSpawn({ ...process.env, PYTHONIOENCODING: 'utf-8' }), windowsHide: true }, (_err, stdout) => {
      const line = String(stdout ?? '').split('\n').find((l) => l.startsWith('NNUNET_WIZARD_HAS '))
      try {
        resolve(line ? (JSON.parse(line.slice('NNUNET_WIZARD_HAS '.length)) as NnunetVersion[]) : [])
      } catch {
        resolve([])
      }
    })
  })
}

/**
 * The nnU-Net version of a run: a flag given on the command line wins; else an interpreter with
 * exactly one nnU-Net installed decides (a remembered version must not turn a v2 venv into a v1
 * run); else the remembered one.
 */
export function decideVersion(opts: { flag?: NnunetVersion; installed?: readonly NnunetVersion[]; remembered: NnunetVersion }): { version: NnunetVersion; why: 'flag' | 'interpreter' | 'remembered' } {
  if (opts.flag) return { version: opts.flag, why: 'flag' }
  if (opts.installed?.length === 1) return { version: opts.installed[0]!, why: 'interpreter' }
  return { version: opts.remembered, why: 'remembered' }
}
