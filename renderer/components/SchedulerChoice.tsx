// "Where to run": this machine or the SLURM cluster, saved in the settings; with SLURM the sbatch
// options and the preamble (module load / conda activate lines) every job script runs first.
// Without SLURM here the choice says what is missing (the Node side asks sinfo), instead of a
// submission failing later. Used by the Environment and Train steps.
import { useEffect, useState } from 'react'
import type { SlurmStatus } from '../../shared/api'
import type { SlurmOptions } from '../../shared/schema'
import { api } from '../api'
import { useSettings } from '../store/settingsStore'

let statusOnce: Promise<SlurmStatus> | undefined

/** SLURM's status, asked once per page (sinfo on the Node side). */
export function useSlurmStatus(): SlurmStatus | null {
  const [status, setStatus] = useState<SlurmStatus | null>(null)
  useEffect(() => {
    let live = true
    statusOnce ??= api.slurmStatus().catch((err: unknown) => ({ available: false, problem: err instanceof Error ? err.message : String(err) }))
    void statusOnce.then((s) => live && setStatus(s))
    return () => {
      live = false
    }
  }, [])
  return status
}

const FIELDS: { key: keyof SlurmOptions; label: string; placeholder: string; number?: boolean }[] = [
  { key: 'partition', label: 'Partition', placeholder: 'cluster default' },
  { key: 'gpus', label: 'GPUs per task', placeholder: 'none', number: true },
  { key: 'cpus', label: 'CPUs per task', placeholder: '1', number: true },
  { key: 'mem', label: 'Memory', placeholder: 'e.g. 32G' },
  { key: 'time', label: 'Wall time', placeholder: 'e.g. 2-00:00:00' },
  { key: 'account', label: 'Account', placeholder: 'cluster default' },
  { key: 'qos', label: 'QOS', placeholder: 'cluster default' },
]

export function SchedulerChoice({ idPrefix }: { idPrefix: string }) {
  const settings = useSettings((s) => s.settings)
  const update = useSettings((s) => s.update)
  const status = useSlurmStatus()
  const scheduler = settings?.scheduler ?? 'local'
  const slurm = settings?.slurm ?? {}
  const [draft, setDraft] = useState<Record<string, string>>({})
  const [error, setError] = useState<string | null>(null)
  const value = (k: keyof SlurmOptions) => draft[k] ?? (slurm[k] === undefined ? '' : String(slurm[k]))

  const save = async (k: keyof SlurmOptions) => {
    const text = draft[k]
    if (text === undefined) return
    const v = text.trim() === '' ? undefined : FIELDS.find((f) => f.key === k)?.number ? Number(text) : text
    try {
      await update({ slurm: { ...slurm, [k]: v } })
      setError(null)
      setDraft(({ [k]: _saved, ...rest }) => rest)
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err))
    }
  }

  return (
    <div className="stack" data-testid={`${idPrefix}-scheduler`}>
      <div className="row wrap">
        <strong>Where to run</strong>
        <label className="check">
          <input type="radio" name={`${idPrefix}-where`} checked={scheduler === 'local'} onChange={() => void update({ scheduler: 'local' })} data-testid={`${idPrefix}-where-local`} />
          This machine
        </label>
        <label className="check">
          <input type="radio" name={`${idPrefix}-where`} checked={scheduler === 'slurm'} disabled={!status?.available && scheduler !== 'slurm'} onChange={() => void update({ scheduler: 'slurm' })} data-testid={`${idPrefix}-where-slurm`} />
          SLURM cluster
        </label>
        {status?.available && (
          <span className="muted small" data-testid={`${idPrefix}-slurm-status`}>
            {status.version}; partitions {status.partitions?.join(', ') || 'none'}
            {status.accounting ? '' : '; no accounting (sacct), states come from scontrol'}
          </span>
        )}
      </div>
      {status && !status.available && (
        <div className={`help${scheduler === 'slurm' ? ' text-error' : ''}`} data-testid={`${idPrefix}-slurm-missing`}>
          SLURM cannot be used from here: {status.problem}
        </div>
      )}
      {scheduler === 'slurm' && (
        <>
          <div className="grid-3">
            {FIELDS.map((f) => (
              <div className="field" key={f.key}>
                <label htmlFor={`${idPrefix}-slurm-${f.key}`}>{f.label}</label>
                <input
                  id={`${idPrefix}-slurm-${f.key}`}
                  type={f.number ? 'number' : 'text'}
                  min={f.number ? 0 : undefined}
                  placeholder={f.placeholder}
                  value={value(f.key)}
                  onChange={(e) => setDraft((d) => ({ ...d, [f.key]: e.target.value }))}
                  onBlur={() => void save(f.key)}
                  data-testid={`${idPrefix}-slurm-${f.key}`}
                />
              </div>
            ))}
          </div>
          <div className="field">
            <label htmlFor={`${idPrefix}-slurm-preamble`}>Preamble (run first in every job script: module load, conda activate, ...)</label>
            <textarea id={`${idPrefix}-slurm-preamble`} rows={3} className="mono" placeholder={'module load cuda/12.1\nconda activate nnunet'} value={value('preamble')} onChange={(e) => setDraft((d) => ({ ...d, preamble: e.target.value }))} onBlur={() => void save('preamble')} data-testid={`${idPrefix}-slurm-preamble`} />
          </div>
          <div className="help">
            The nnU-Net folders must lie on the file system the compute nodes share: the job scripts and one log per task are written into the results folder
            (nnunet-wizard-slurm/), and the app reads the logs from there.
          </div>
          {error && <div className="help text-error">{error}</div>}
        </>
      )}
    </div>
  )
}
