// `nnunet-wizard env`: what Python / nnU-Net / torch / GPUs this machine has, the nnU-Net folders,
// and the two set-up actions: a managed nnU-Net install and creating the folders.
import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import type { EnvReport, FolderStatus } from '../../shared/api'
import * as s from '../../shared/schema'
import { COMMON_HELP, COMMON_OPTIONS, UsageError, cliService, flaggedSettings, rememberSettings, runCliJob, settingsFrom, usageFailure } from './support'
import { createFolders, detectEnv, folderStatus, idCollisions, shellExports } from '../nnunet'
import { withPlansChoice } from '../nnunet/plansChoice'
import { plansLabel } from '../../shared/plans'
import { dataDir } from '../paths'

export const help = `usage: nnunet-wizard env [options]

Shows the Python interpreters found (PATH, conda envs, the managed venv, --python), their
nnU-Net (v1 nnunet / v2 nnunetv2), torch, CUDA and MPS, the GPUs (nvidia-smi), and the nnU-Net
folders with the datasets they hold.

  --install               create the managed venv in the app's data folder and install the
                          pinned nnunetv2 into it (a few GB; takes minutes)
  --create-folders DIR    create the nnU-Net folders under DIR for --nnunet v1|v2, print
                          their shell exports and remember them (as --save does)
  --save                  remember the settings given here (--python, --nnunet, --base or
                          --raw/--preprocessed/--results, --device, --workers, --compile) in
                          the app's settings file, so plan, train and predict need them no more;
                          with --project FILE, the interpreter, version and folders go into
                          that project instead (the defaults are only where new projects start)
  --exports               print "export ..." lines (bash/zsh) for the folders
  --powershell            print them for PowerShell instead

${COMMON_HELP}

exit codes: 0 ready, 1 something needed is missing (the messages say what to do), 2 bad usage.`

function envLines(r: EnvReport): string[] {
  const lines = ['Python interpreters:']
  if (!r.pythons.length) lines.push('  (none found)')
  for (const p of r.pythons) {
    const mark = r.selected?.python === p.python ? '*' : ' '
    const nn = [p.nnunet?.v2 && `nnunetv2 ${p.nnunet.v2}`, p.nnunet?.v1 && `nnunet ${p.nnunet.v1}`].filter(Boolean).join(', ') || 'no nnU-Net'
    const torch = p.torch ? `torch ${p.torch}${p.cuda?.available ? ` (CUDA ${p.cuda.version ?? ''})` : p.mps ? ' (MPS)' : ' (CPU only)'}` : 'no torch'
    lines.push(` ${mark} ${p.python}  [${p.source}] Python ${p.version}, ${nn}, ${torch}${p.trainers ? `, ${p.trainers.length} trainers` : ''}`)
  }
  lines.push(`Managed venv: ${r.managedVenv}`)
  lines.push(r.gpus.length ? 'GPUs:' : 'GPUs: none (nvidia-smi not found or no NVIDIA GPU)')
  for (const g of r.gpus) lines.push(`  ${g.name}, ${g.memoryMiB} MiB${g.driver ? `, driver ${g.driver}` : ''}`)
  return lines
}

function folderLines(st: FolderStatus): string[] {
  if (!Object.keys(st.env).length) return ['nnU-Net folders: not set (use --base DIR, the nnU-Net variables, or --create-folders DIR)']
  const lines = [`nnU-Net ${st.version} folders:`]
  for (const [k, v] of Object.entries(st.env)) lines.push(`  ${k}=${v}${st.exists[k] ? '' : '  (missing)'}`)
  for (const d of st.datasets) {
    lines.push(`  dataset ${d.id} ${d.name}: ${d.where.length} folder${d.where.length === 1 ? '' : 's'}`)
    if (d.plansAvailable?.length) lines.push(`    plans: ${d.plansAvailable.map((p) => (p === d.chosenPlans ? `${plansLabel(p)} (used when --plans is not given)` : plansLabel(p))).join(', ')}`)
  }
  for (const t of st.trainings ?? []) lines.push(`  model ${t.datasetId} ${t.configuration} ${t.trainer} (${t.plans}): folds ${t.folds.join(', ')}; finished ${t.finished.join(', ') || 'none'}`)
  for (const c of idCollisions(st)) lines.push(`  warning: id ${c.id} is used by ${c.names.join(' and ')}; nnU-Net refuses ambiguous ids`)
  return lines
}

export async function run(argv: string[]): Promise<number> {
  let values
  let settings: s.Settings
  try {
    ;({ values } = parseArgs({
      args: argv,
      strict: true,
      options: { ...COMMON_OPTIONS, install: { type: 'boolean' }, 'create-folders': { type: 'string' }, exports: { type: 'boolean' }, powershell: { type: 'boolean' }, save: { type: 'boolean' } },
    }))
    settings = await settingsFrom(values)
  } catch (err) {
    return usageFailure('env', err instanceof UsageError || !(err instanceof Error) ? err : new UsageError(err.message))
  }
  const json = values.json ?? false
  // What --save remembers (and --create-folders, with the folders it made); said on stderr under --json.
  const remember = async (patch: s.SettingsPatch): Promise<void> => {
    const lines = await rememberSettings(patch, values.project)
    ;(json ? console.error : console.log)(lines.join('\n'))
  }
  if (values.save && settings.pythonPath && values.python && !existsSync(settings.pythonPath)) {
    // Remembering a typo would break every later command: refuse before anything is written.
    return usageFailure('env', new UsageError(`--python ${settings.pythonPath} does not exist, so it was not remembered: give the path of the environment's python (e.g. ~/venv/bin/python).`))
  }
  if (values.save && !values['create-folders']) await remember(flaggedSettings(values, settings))
  if (values.install) {
    const service = cliService(settings)
    return runCliJob('env', service, json, () => service.installNnunet())
  }
  if (values['create-folders']) {
    const folders = await createFolders(resolve(values['create-folders']), settings.nnunetVersion)
    settings = { ...settings, folders }
    const ex = shellExports(settings)
    if (json) console.log(JSON.stringify({ folders, exports: ex }, null, 2))
    else console.log(`Created the nnU-Net ${settings.nnunetVersion} folders:\n${values.powershell ? ex.powershell : ex.bash}`)
    await remember({ ...flaggedSettings(values, settings), folders, nnunetVersion: settings.nnunetVersion })
    return 0
  }
  if (values.exports || values.powershell) {
    if (!settings.folders) return usageFailure('env', new UsageError('no nnU-Net folders to export: give --base DIR or the folder options.'))
    const ex = shellExports(settings)
    console.log(values.powershell ? ex.powershell : ex.bash)
    return 0
  }
  const [report, status] = await Promise.all([detectEnv({ ...settings, ...(values.python ? { pythonPath: resolve(values.python) } : {}) }), folderStatus(settings).then((st) => withPlansChoice(st, settings, dataDir()))])
  if (json) {
    console.log(JSON.stringify({ ...report, folders: status }, null, 2))
  } else {
    console.log([...envLines(report), ...folderLines(status)].join('\n'))
    for (const f of report.findings) console.log(`${f.severity}: ${f.text}${f.hint ? `\n  -> ${f.hint}` : ''}`)
  }
  return report.findings.some((f) => f.severity === 'error') ? 1 : 0
}
