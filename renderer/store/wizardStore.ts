// UI state of the wizard frame that is not part of the project file: why Next is disabled on a
// step (each step reports its own blocker), and the project save status.
import { create } from 'zustand'
import type { StepId } from '../steps/stepList'

export interface WizardState {
  blockers: Partial<Record<StepId, string>>
  saveError: string | null
  savedAt: number | null
  setBlocker(step: StepId, reason: string | null): void
  setSaveResult(error: string | null): void
}

export const useWizard = create<WizardState>()((set, get) => ({
  blockers: {},
  saveError: null,
  savedAt: null,
  setBlocker: (step, reason) => {
    if ((get().blockers[step] ?? null) === reason) return
    const blockers = { ...get().blockers }
    if (reason) blockers[step] = reason
    else delete blockers[step]
    set({ blockers })
  },
  setSaveResult: (error) => set(error ? { saveError: error } : { saveError: null, savedAt: Date.now() }),
}))
