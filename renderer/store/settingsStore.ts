// App-wide settings (Python, nnU-Net version and folders, device) and facts about the app and
// the machine (mode, environment report, folder status), shared by the nnU-Net steps.
import { useEffect } from 'react'
import { create } from 'zustand'
import type { AppInfo, EnvReport, FolderStatus } from '../../shared/api'
import type { Settings, SettingsPatch } from '../../shared/schema'
import { api } from '../api'

export interface SettingsState {
  settings: Settings | null
  appInfo: AppInfo | null
  env: EnvReport | null
  envLoading: boolean
  envError: string | null
  folderStatus: FolderStatus | null
  load(): Promise<void>
  /** null clears a setting (back to nnU-Net's default). */
  update(patch: SettingsPatch): Promise<Settings>
  detectEnv(pythonPath?: string): Promise<void>
  refreshFolders(): Promise<void>
}

let saving: Promise<unknown> = Promise.resolve()

/** The device detection points to: CUDA when torch (or nvidia-smi) sees a GPU, else Apple's MPS where torch has it, else the CPU. */
export function deviceFor(env: EnvReport): Settings['device'] {
  if (env.selected?.cuda?.available || env.gpus.length > 0) return 'cuda'
  return env.selected?.mps ? 'mps' : 'cpu'
}

export const useSettings = create<SettingsState>()((set, get) => ({
  settings: null,
  appInfo: null,
  env: null,
  envLoading: false,
  envError: null,
  folderStatus: null,

  load: async () => {
    const [settings, appInfo] = await Promise.all([api.getSettings(), api.appInfo()])
    set({ settings, appInfo })
  },
  update: (patch) => {
    // The whole object goes back, not just the patch: the request schema fills defaults for
    // missing fields (device, version), so a bare patch would reset them. The change shows at
    // once, and saves run one after another so a quick second change never sends stale values.
    const run = async () => {
      const current = get().settings ?? (await api.getSettings())
      const next = { ...current, ...patch }
      set({ settings: Object.fromEntries(Object.entries(next).filter(([, v]) => v !== null)) as Settings })
      const settings = await api.setSettings(next)
      set({ settings })
      return settings
    }
    const result = saving.then(run, run)
    saving = result.catch(() => undefined)
    return result
  },
  detectEnv: async (pythonPath) => {
    set({ envLoading: true, envError: null })
    try {
      const env = await api.detectEnv(pythonPath ? { pythonPath } : {})
      set({ env })
      // The device follows detection: CUDA where torch finds no GPU would only stop at once.
      const device = deviceFor(env)
      if (device !== 'cuda' && (get().settings ?? (await api.getSettings())).device === 'cuda') await get().update({ device })
    } catch (err) {
      set({ envError: err instanceof Error ? err.message : String((err as { message?: string })?.message ?? err) })
    } finally {
      set({ envLoading: false })
    }
    if (get().settings?.folders) await get().refreshFolders()
  },
  refreshFolders: async () => {
    try {
      set({ folderStatus: await api.folderStatus() })
    } catch {
      set({ folderStatus: null })
    }
  },
}))

/** The environment report, detected on first use by a step that defaults from it (Train, Predict). */
export function useDetectedEnv(): EnvReport | null {
  const env = useSettings((s) => s.env)
  const loading = useSettings((s) => s.envLoading)
  const failed = useSettings((s) => s.envError !== null)
  const settings = useSettings((s) => s.settings)
  useEffect(() => {
    if (!env && !loading && !failed && settings) void useSettings.getState().detectEnv(settings.pythonPath)
  }, [env, loading, failed, settings])
  return env
}
