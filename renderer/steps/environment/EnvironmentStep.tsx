// Environment: which Python and nnU-Net will run, the GPU, the nnU-Net folders and the settings
// every nnU-Net job is started with.
import { useEffect, useState } from 'react'
import type { PythonEnv } from '../../../shared/api'
import type { NnunetFolders, Settings } from '../../../shared/schema'
import { api } from '../../api'
import { CopyButton } from '../../components/CopyButton'
import { ErrorBanner } from '../../components/ErrorBanner'
import { FindingList } from '../../components/FindingList'
import { JobPanel } from '../../components/JobPanel'
import { PathPicker } from '../../components/PathPicker'
import { isActive, useLatestJob } from '../../store/jobsStore'
import { useSettings } from '../../store/settingsStore'
import { useProjectForm } from '../../store/projectForms'
import { useProject } from '../../store/projectStore'
import { foldersFromOutput } from '../../../shared/nnunetBase'
import { SchedulerChoice } from '../../components/SchedulerChoice'

/**
 * What was typed here but not applied yet: kept with the project so leaving the step loses
 * nothing. null follows the settings (whose interpreter, version and folders are the project's own).
 */
const ENV_DEFAULTS = {
  base: '',
  python: null as string | null,
  folders: null as NnunetFolders | null,
}

function nnunetText(p: PythonEnv): string {
  const parts = []
  if (p.nnunet?.v2) parts.push(`v2 ${p.nnunet.v2}`)
  if (p.nnunet?.v1) parts.push(`v1 ${p.nnunet.v1}`)
  return parts.join(', ') || 'not installed'
}

function accelerator(p: PythonEnv): string {
  if (p.cuda?.available) return `CUDA ${p.cuda.version ?? ''}`.trim()
  if (p.mps) return 'Apple MPS'
  return p.torch ? 'CPU only' : '–'
}

function FoldersCard({ settings }: { settings: Settings }) {
  const update = useSettings((s) => s.update)
  const folderStatus = useSettings((s) => s.folderStatus)
  const refreshFolders = useSettings((s) => s.refreshFolders)
  const [form, setForm] = useProjectForm('environment', ENV_DEFAULTS)
  const outDir = useProject((s) => s.output.outDir)
  // No folders yet and the Output folder is nnU-Net's raw folder: its parent is the base already chosen (issue 18).
  const implied = settings.folders ? undefined : foldersFromOutput(outDir, settings.nnunetVersion)
  const base = form.base || implied?.base || ''
  const setBase = (b: string) => setForm({ base: b })
  const own = form.folders ?? settings.folders ?? implied?.folders ?? { raw: '', preprocessed: '', results: '' }
  const setOwn = (f: NnunetFolders | null) => setForm({ folders: f })
  const [exports, setExports] = useState<{ bash: string; powershell: string } | null>(null)
  const [error, setError] = useState<unknown>(null)
  const v1 = settings.nnunetVersion === 'v1'

  useEffect(() => {
    if (settings.folders) {
      void refreshFolders()
      api.shellExports().then(setExports, () => setExports(null))
    }
  }, [settings.folders, refreshFolders])

  const create = async () => {
    setError(null)
    try {
      const folders = await api.createFolders({ base, version: settings.nnunetVersion })
      await update({ folders })
      setOwn(null)
    } catch (err) {
      setError(err)
    }
  }
  const saveOwn = async () => {
    setError(null)
    try {
      await update({ folders: own })
      setOwn(null) // applied: the fields follow the settings again
    } catch (err) {
      setError(err)
    }
  }

  return (
    <section className="card" data-testid="folders-card">
      <h2>nnU-Net folders</h2>
      <p className="muted small">
        {v1
          ? 'nnU-Net v1 uses nnUNet_raw_data_base (with nnUNet_raw_data and nnUNet_cropped_data), nnUNet_preprocessed and RESULTS_FOLDER.'
          : 'nnU-Net v2 uses nnUNet_raw, nnUNet_preprocessed and nnUNet_results.'}{' '}
        The wizard passes them to every nnU-Net run; you do not need to export them yourself.
      </p>
      <ErrorBanner error={error} title="Folders" onDismiss={() => setError(null)} />
      <div className="row align-end">
        <div className="grow">
          <PathPicker label="Create all three inside one folder" value={base} onChange={setBase} testId="folders-base" />
        </div>
        <button type="button" className="btn btn-primary" disabled={!base.trim()} onClick={() => void create()} data-testid="create-folders">
          Create folders
        </button>
      </div>
      <details>
        <summary>Or choose each folder</summary>
        <PathPicker label={v1 ? 'nnUNet_raw_data_base' : 'nnUNet_raw'} value={own.raw} onChange={(raw) => setOwn({ ...own, raw })} />
        <PathPicker label="nnUNet_preprocessed" value={own.preprocessed} onChange={(preprocessed) => setOwn({ ...own, preprocessed })} />
        <PathPicker label={v1 ? 'RESULTS_FOLDER' : 'nnUNet_results'} value={own.results} onChange={(results) => setOwn({ ...own, results })} />
        <button type="button" className="btn" disabled={!own.raw || !own.preprocessed || !own.results} onClick={() => void saveOwn()}>
          Use these folders
        </button>
      </details>
      {folderStatus && (
        <div className="stack" data-testid="folder-status">
          <table>
            <tbody>
              {Object.entries(folderStatus.env).map(([k, v]) => (
                <tr key={k} data-testid={`folder-env-${k}`}>
                  <td className="mono small">{k}</td>
                  <td className="mono small" data-testid="folder-env-value">
                    {v}
                  </td>
                  <td>{folderStatus.exists[k] === false ? <span className="badge badge-error">missing</span> : <span className="badge badge-ok">exists</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {folderStatus.datasets.length > 0 && (
            <div className="small">
              <strong>Datasets found:</strong>{' '}
              {folderStatus.datasets.map((d) => (
                <span key={`${d.id}-${d.name}`} className="chip">
                  {d.id} {d.name} <span className="muted">({d.where.join(', ')})</span>
                </span>
              ))}
            </div>
          )}
        </div>
      )}
      {exports && (
        <details>
          <summary>Shell exports (to run nnU-Net yourself in a terminal)</summary>
          <div className="row">
            <strong className="grow">bash / zsh</strong>
            <CopyButton text={exports.bash} testId="copy-bash" />
          </div>
          <pre className="mono block">{exports.bash}</pre>
          <div className="row">
            <strong className="grow">PowerShell</strong>
            <CopyButton text={exports.powershell} />
          </div>
          <pre className="mono block">{exports.powershell}</pre>
        </details>
      )}
    </section>
  )
}

export function EnvironmentStep() {
  const settings = useSettings((s) => s.settings)
  const env = useSettings((s) => s.env)
  const envLoading = useSettings((s) => s.envLoading)
  const envError = useSettings((s) => s.envError)
  const detectEnv = useSettings((s) => s.detectEnv)
  const update = useSettings((s) => s.update)
  const { jobId: installId, job: installJob, error, setError, start } = useLatestJob('install')
  const [form, setForm] = useProjectForm('environment', ENV_DEFAULTS)
  const python = form.python ?? settings?.pythonPath ?? ''
  const setPython = (p: string | null) => setForm({ python: p })

  useEffect(() => {
    if (!env && !envLoading) void detectEnv(settings?.pythonPath)
    // Detect once when the step opens; "Check again" re-runs it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  // A finished install changes what is installed.
  useEffect(() => {
    if (installJob?.state === 'done') void detectEnv(settings?.pythonPath)
  }, [installJob?.state, detectEnv, settings?.pythonPath])

  const choose = async (path: string) => {
    setError(null)
    try {
      await update({ pythonPath: path })
      setPython(null) // applied: the field follows the settings again
      await detectEnv(path)
    } catch (err) {
      setError(err)
    }
  }
  const install = () => start(() => api.installNnunet())

  if (!settings) return <p className="muted">Loading settings…</p>
  const selected = env?.selected
  return (
    <div className="stack">
      <ErrorBanner error={error ?? envError} title="Environment" onDismiss={() => setError(null)} />
      <section className="card" data-testid="env-status">
        <div className="row">
          <h2 className="grow">Status</h2>
          {envLoading && <span className="muted small">Looking for Python and nnU-Net…</span>}
          <button type="button" className="btn btn-small" onClick={() => void detectEnv(settings.pythonPath)} disabled={envLoading}>
            Check again
          </button>
        </div>
        {env && (
          <>
            <div className="status-grid">
              <div>
                <div className="label">Python used</div>
                <div className="mono small" data-testid="env-python">
                  {selected ? `${selected.python} (${selected.version})` : 'none found'}
                </div>
              </div>
              <div>
                <div className="label">nnU-Net</div>
                <div data-testid="env-nnunet">{selected ? nnunetText(selected) : '–'}</div>
              </div>
              <div>
                <div className="label">PyTorch</div>
                <div>{selected?.torch ?? 'not installed'}</div>
              </div>
              <div>
                <div className="label">Accelerator</div>
                <div>{selected ? accelerator(selected) : '–'}</div>
              </div>
              <div>
                <div className="label">GPUs</div>
                <div>{env.gpus.length ? env.gpus.map((g) => `${g.name} (${Math.round(g.memoryMiB / 1024)} GB)`).join(', ') : 'none found'}</div>
              </div>
            </div>
            <FindingList findings={env.findings} />
            <h3>Python interpreters found</h3>
            <div className="table-wrap">
              <table data-testid="pythons-table">
                <thead>
                  <tr>
                    <th>Python</th>
                    <th>Version</th>
                    <th>Found in</th>
                    <th>nnU-Net</th>
                    <th>PyTorch</th>
                    <th>Accelerator</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {env.pythons.map((p) => (
                    <tr key={p.python}>
                      <td className="mono small">{p.python}</td>
                      <td>{p.version}</td>
                      <td>{p.source}</td>
                      <td>{nnunetText(p)}</td>
                      <td>{p.torch ?? '–'}</td>
                      <td>{accelerator(p)}</td>
                      <td>
                        {selected?.python === p.python ? (
                          <span className="badge badge-ok">in use</span>
                        ) : (
                          <button type="button" className="btn btn-small" onClick={() => void choose(p.python)}>
                            Use this
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
        <form
          className="row align-end"
          onSubmit={(e) => {
            e.preventDefault()
            if (python.trim()) void choose(python.trim())
          }}
        >
          <div className="field grow">
            <label htmlFor="python-path">Use another Python (path to the interpreter)</label>
            <input id="python-path" className="mono" value={python} placeholder="/opt/conda/envs/nnunet/bin/python" onChange={(e) => setPython(e.target.value)} data-testid="python-path" />
          </div>
          <button type="submit" className="btn" disabled={!python.trim()}>
            Use it
          </button>
        </form>
        <div className="row">
          <button type="button" className="btn" onClick={install} disabled={isActive(installJob)} data-testid="install-nnunet">
            Install nnU-Net for me
          </button>
          <span className="muted small">Creates a separate Python environment {env ? <span className="mono">({env.managedVenv})</span> : null} with the tested nnU-Net v2 and PyTorch.</span>
        </div>
        <JobPanel jobId={installId} logHeight={200} />
      </section>

      <section className="card stack">
        <h2>nnU-Net version and device</h2>
        <p className="muted small" data-testid="env-owner">
          The Python, the nnU-Net version and the folders belong to this project: they are kept in its file, so another project, window or terminal does not change them (a change
          made elsewhere is shown at the top, and taken only when you say so). The device, workers and compile setting belong to this computer. New projects start from the
          app’s default environment.
        </p>
        <div className="row wrap">
          <label className="check">
            <input type="radio" name="nnv" checked={settings.nnunetVersion === 'v2'} onChange={() => void update({ nnunetVersion: 'v2' })} data-testid="nnunet-v2" />
            nnU-Net v2 (nnUNetv2_* commands)
          </label>
          <label className="check">
            <input type="radio" name="nnv" checked={settings.nnunetVersion === 'v1'} onChange={() => void update({ nnunetVersion: 'v1' })} data-testid="nnunet-v1" />
            nnU-Net v1 (nnUNet_* commands, as in the guide)
          </label>
        </div>
        <div className="grid-3">
          <div className="field">
            <label htmlFor="device">Device</label>
            <select id="device" value={settings.device} onChange={(e) => void update({ device: e.target.value as Settings['device'] })} data-testid="device">
              <option value="cuda">GPU (CUDA)</option>
              <option value="cpu">CPU (slow; for trying things out)</option>
              <option value="mps">Apple GPU (MPS)</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="aug">Data-augmentation workers</label>
            <input
              id="aug"
              data-testid="augmentation-workers"
              type="number"
              min={0}
              max={64}
              placeholder="nnU-Net’s default"
              value={settings.augmentationWorkers ?? ''}
              onChange={(e) => void update({ augmentationWorkers: e.target.value === '' ? null : Number(e.target.value) })}
            />
            <div className="help">Fewer workers use less memory; lower it if workers die.</div>
          </div>
          <div className="field">
            <span className="label">torch.compile</span>
            <label className="check">
              <input type="checkbox" checked={settings.torchCompile} onChange={(e) => void update({ torchCompile: e.target.checked })} data-testid="torch-compile" />
              Compile the network
            </label>
            <div className="help">Faster on recent GPUs; turn it off if training crashes at the start.</div>
          </div>
        </div>
      </section>
      <FoldersCard settings={settings} />
      <section className="card">
        <SchedulerChoice idPrefix="env" />
      </section>
    </div>
  )
}
