// UI state of the wizard frame that is not part of the project file: why Next is disabled on a
// step (each step reports its own blocker), and the project save status.
import { create } from 'zustand'
import type { StepId } from '../steps/stepList'

/** A one-off message shown on one step (e.g. "Started a new project"), with an optional undo. */
export interface Notice {
  step: StepId
  text: string
  undo?: { label: string; run(): void }
}

export interface WizardState {
  blockers: Partial<Record<StepId, string>>
  saveError: string | null
  savedAt: number | null
  notice: Notice | null
  setNotice(notice: Notice | null): void
  setBlocker(step: StepId, reason: string | null): void
  setSaveResult(error: string | null): void
}

export const useWizard = create<WizardState>()((set, get) => ({
  blockers: {},
  saveError: null,
  savedAt: null,
  notice: null,
  setNotice: (notice) => set({ notice }),
  setBlocker: (step, reason) => {
    if ((get().blockers[step] ?? null) === reason) return
    const blockers = { ...get().blockers }
    if (reason) blockers[step] = reason
    else delete blockers[step]
    set({ blockers })
  },
  setSaveResult: (error) => set(error ? { saveError: error } : { saveError: null, savedAt: Date.now() }),
}))
