// "Your own trainer and loss" (the guide's last section) in the Train step: base trainer, epochs,
// iterations and a loss from those the installed nnU-Net ships, or own Python (a build_loss
// function, or the whole class). Creating it runs nnU-Net's checks on the dataset chosen above
// (compile, find, construct on the plans, one iteration); errors come with their line, marked in
// the code. The form (code included) is kept in the project; the checked module in the app's
// trainers folder, where training and prediction find it.
import { useEffect, useState } from 'react'
import type { CreatedTrainer, TrainerCheckStage, TrainerOptions } from '../../../shared/api'
import type { Configuration, Fold, TrainerCreateRequest } from '../../../shared/schema'
import { api } from '../../api'
import { ErrorBanner } from '../../components/ErrorBanner'
import { JobPanel } from '../../components/JobPanel'
import { isActive, useLatestJob } from '../../store/jobsStore'
import { useProjectForm } from '../../store/projectForms'

const OWN_LOSS = '__own__'

const STAGE_TEXT: Record<TrainerCheckStage['stage'], string> = {
  compile: 'Python compiles it',
  find: 'nnU-Net finds it by name',
  construct: 'nnU-Net constructs it on the current plans',
  iteration: 'one training iteration runs',
}

const LOSS_TEMPLATE = `import torch
from torch import nn


def build_loss(trainer):
    # Return the loss module; nnU-Net calls it as loss(output, target).
    # trainer is the nnU-Net trainer (trainer.label_manager, trainer.configuration_manager, ...).
    class OwnCE(nn.Module):
        def __init__(self):
            super().__init__()
            self.ce = nn.CrossEntropyLoss()

        def forward(self, output, target):
            # target has a channel axis of size 1
            return self.ce(output, target[:, 0].long())

    return OwnCE()
`

const OWN_DEFAULTS = {
  name: '',
  base: '',
  // Empty: the base trainer's own (nnU-Net: 1000 epochs of 250 iterations), as the placeholders
  // say; a short test trainer is typed, never offered as the default of a real one.
  epochs: null as number | null,
  iterations: null as number | null,
  /** A shipped loss class, '' for the default (Dice + CE), or OWN_LOSS. */
  loss: '',
  lossCode: LOSS_TEMPLATE,
  wholeClass: false,
  classCode: '',
}

interface Props {
  datasetId: number | null
  configuration: Configuration
  fold: Fold
  /** Puts the trainer into the Train form above. */
  onUse: (name: string) => void
}

/** The line of the code the error is about: "line 3 of your code" first, else "line N". */
function errorLine(text: string | undefined, own: boolean): number | undefined {
  if (!text) return undefined
  const mine = /line (\d+) of your code/.exec(text)
  if (mine) return Number(mine[1])
  const any = own ? /at line (\d+)/.exec(text) : null
  return any ? Number(any[1]) : undefined
}

function CodeWithLines({ code, mark }: { code: string; mark?: number }) {
  return (
    <pre className="mono code-lines small" data-testid="own-trainer-code-lines">
      {code.split('\n').map((l, i) => (
        <div key={i} className={i + 1 === mark ? 'code-line-error' : undefined} data-line={i + 1}>
          <span className="muted">{String(i + 1).padStart(3, ' ')} </span>
          {l || ' '}
        </div>
      ))}
    </pre>
  )
}

export function OwnTrainerCard({ datasetId, configuration, fold, onUse }: Props) {
  const [form, setForm] = useProjectForm('ownTrainer', OWN_DEFAULTS)
  const [options, setOptions] = useState<TrainerOptions | null>(null)
  const [optionsError, setOptionsError] = useState<unknown>(null)
  const { jobId, job, error, start } = useLatestJob('trainer')
  const ended = job && !isActive(job) ? job.id + job.state : ''

  useEffect(() => {
    api.trainerOptions().then(setOptions, setOptionsError)
  }, [ended])

  const ownLoss = form.loss === OWN_LOSS
  const request: TrainerCreateRequest = form.wholeClass
    ? { classCode: form.classCode, ...(form.name.trim() && { name: form.name.trim() }) }
    : {
        ...(form.name.trim() && { name: form.name.trim() }),
        ...(form.base && { base: form.base }),
        ...(form.epochs && { epochs: form.epochs }),
        ...(form.iterations && { iterationsPerEpoch: form.iterations }),
        ...(ownLoss ? { lossCode: form.lossCode } : form.loss ? { loss: form.loss } : {}),
      }
  const withCheck: TrainerCreateRequest = datasetId !== null ? { ...request, check: { datasetId, configuration, fold } } : request
  const created = job?.state === 'done' ? (job.result as CreatedTrainer | undefined) : undefined
  const failedLine = job?.state === 'failed' ? errorLine(job.error, form.wholeClass) : undefined
  const shownCode = form.wholeClass ? form.classCode : ownLoss ? form.lossCode : undefined
  const nameOk = form.name.trim() === '' || /^[A-Za-z_][A-Za-z0-9_]*$/.test(form.name.trim())

  return (
    <details className="card" data-testid="own-trainer" open={form.wholeClass || ownLoss || undefined}>
      <summary>
        <strong>Your own trainer and loss</strong> <span className="muted small">(a trainer class of your own, checked by nnU-Net before it trains)</span>
      </summary>
      <div className="grid-3">
        <div className="field">
          <label htmlFor="own-name">Trainer name</label>
          <input id="own-name" value={form.name} placeholder="made from base, epochs and loss" onChange={(e) => setForm({ name: e.target.value })} data-testid="own-trainer-name" />
          {!nameOk && <div className="help text-error">A trainer is a Python class name (letters, digits, _).</div>}
        </div>
        {!form.wholeClass && (
          <>
            <div className="field">
              <label htmlFor="own-base">Base trainer</label>
              <select id="own-base" value={form.base} onChange={(e) => setForm({ base: e.target.value })} data-testid="own-trainer-base">
                <option value="">{options?.bases[0] ?? 'nnU-Net default'} (default)</option>
                {(options?.bases ?? []).slice(1).map((b) => (
                  <option key={b} value={b}>
                    {b}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="own-loss">Loss</label>
              <select id="own-loss" value={form.loss} onChange={(e) => setForm({ loss: e.target.value })} data-testid="own-trainer-loss">
                <option value="">Dice + cross-entropy (nnU-Net default)</option>
                {(options?.losses ?? []).map((l) => (
                  <option key={l.className} value={l.className}>
                    {l.label}
                  </option>
                ))}
                <option value={OWN_LOSS}>Your own Python (build_loss)</option>
              </select>
              {options?.lossesProblem && <div className="help text-warning">{options.lossesProblem}</div>}
            </div>
            <div className="field">
              <label htmlFor="own-epochs">Epochs</label>
              <input id="own-epochs" type="number" min={1} value={form.epochs ?? ''} placeholder="1000" onChange={(e) => setForm({ epochs: e.target.value === '' ? null : Number(e.target.value) })} data-testid="own-trainer-epochs" />
            </div>
            <div className="field">
              <label htmlFor="own-iters">Iterations per epoch</label>
              <input id="own-iters" type="number" min={1} value={form.iterations ?? ''} placeholder="250" onChange={(e) => setForm({ iterations: e.target.value === '' ? null : Number(e.target.value) })} data-testid="own-trainer-iterations" />
            </div>
          </>
        )}
      </div>
      <label className="check">
        <input type="checkbox" checked={form.wholeClass} onChange={(e) => setForm({ wholeClass: e.target.checked })} data-testid="own-trainer-whole-class" />
        Write the whole trainer class yourself
      </label>
      {shownCode !== undefined && (
        <div className="field">
          <label htmlFor="own-code">{form.wholeClass ? 'Your trainer module (Python)' : 'Your loss (Python): define build_loss(trainer)'}</label>
          <textarea
            id="own-code"
            className="mono"
            rows={14}
            spellCheck={false}
            value={shownCode}
            onChange={(e) => setForm(form.wholeClass ? { classCode: e.target.value } : { lossCode: e.target.value })}
            data-testid="own-trainer-code"
          />
          {failedLine !== undefined && <CodeWithLines code={shownCode} mark={failedLine} />}
        </div>
      )}
      <p className="small muted" data-testid="own-trainer-where">
        Kept in {options?.where ?? 'the app’s trainers folder'}. Checked {datasetId !== null ? `on dataset ${datasetId}, ${configuration}, fold ${fold} (its current plans)` : 'without a dataset (choose one above to check it on its plans)'}: Python compiles it, nnU-Net
        finds it, constructs it and trains one iteration.
      </p>
      <div className="row">
        <button type="button" className="btn btn-primary" disabled={!nameOk || (job !== undefined && isActive(job))} onClick={() => start(() => api.createTrainer(withCheck))} data-testid="own-trainer-create">
          Create and check
        </button>
        {created && (
          <button type="button" className="btn" onClick={() => onUse(created.name)} data-testid="own-trainer-use">
            Train with {created.name}
          </button>
        )}
      </div>
      <ErrorBanner error={error ?? optionsError} title="Could not create the trainer" />
      {jobId && <JobPanel jobId={jobId} logHeight={160} />}
      {created && (
        <ul className="small" data-testid="own-trainer-checks">
          {created.stages.map((st) => (
            <li key={st.stage}>
              ✓ {STAGE_TEXT[st.stage]}
              {st.loss !== undefined ? ` (loss ${st.loss.toFixed(4)}, batch of ${st.batchSize}, ${st.lossClass})` : ''}
            </li>
          ))}
        </ul>
      )}
      {options && options.created.length > 0 && (
        <div className="small" data-testid="own-trainer-list">
          Trainers made so far:{' '}
          {options.created.map((t) => (
            <button key={t.name} type="button" className="btn btn-small" title={t.file} onClick={() => onUse(t.name)}>
              {t.name}
            </button>
          ))}
        </div>
      )}
    </details>
  )
}
