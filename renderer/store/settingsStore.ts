// App-wide settings (Python, nnU-Net version and folders, device) and facts about the app and
// the machine (mode, environment report, folder status), shared by the nnU-Net steps.
import { create } from 'zustand'
import type { AppInfo, EnvReport, FolderStatus } from '../../shared/api'
import type { Settings } from '../../shared/schema'
import { api } from '../api'

export interface SettingsState {
  settings: Settings | null
  appInfo: AppInfo | null
  env: EnvReport | null
  envLoading: boolean
  envError: string | null
  folderStatus: FolderStatus | null
  load(): Promise<void>
  update(patch: Partial<Settings>): Promise<Settings>
  detectEnv(pythonPath?: string): Promise<void>
  refreshFolders(): Promise<void>
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
  update: async (patch) => {
    const settings = await api.setSettings(patch)
    set({ settings })
    return settings
  },
  detectEnv: async (pythonPath) => {
    set({ envLoading: true, envError: null })
    try {
      const env = await api.detectEnv(pythonPath ? { pythonPath } : {})
      set({ env })
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
