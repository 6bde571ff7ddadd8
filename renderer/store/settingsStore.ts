// The settings every nnU-Net step runs with (Python, nnU-Net version and folders, device) and facts
// about the app and the machine (mode, environment report, folder status). The interpreter, version
// and folders belong to the open project (issue 18.2: kept in its file, written by its autosave);
// device, workers and the scheduler are the machine's (the settings file). The Node side merges the
// two, so `settings` here is always what the project's runs use.
import { useEffect } from 'react'
import { create } from 'zustand'
import { PROJECT_ENV_KEYS, type AppInfo, type EnvReport, type FolderStatus, type ProjectEnv } from '../../shared/api'
import type { Settings, SettingsPatch } from '../../shared/schema'
import { api } from '../api'
import { flushProject } from './keepProject'
import { useProject } from './projectStore'

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
    // The change shows at once, and saves run one after another so a quick second change never
    // sends stale values. The project's part goes into the project (its autosave, flushed now so
    // the next call on the Node side runs with it); the machine's part goes to the settings file
    // as a whole object (the request schema fills defaults for missing fields, so a bare patch
    // would reset them) without the project's keys, which would otherwise become the defaults.
    const shown = get().settings
    // Shown at once (a radio or tick follows the click), whatever waits before the save.
    if (shown) set({ settings: Object.fromEntries(Object.entries({ ...shown, ...patch }).filter(([, v]) => v !== null)) as Settings })
    const run = async () => {
      const isEnvKey = (k: string) => (PROJECT_ENV_KEYS as readonly string[]).includes(k)
      const envPatch = Object.keys(patch).some(isEnvKey)
      // A new project's first write (which gives it its environment) lands before it is changed.
      if (envPatch) await flushProject()
      const current = get().settings ?? (await api.getSettings())
      const next = { ...current, ...patch }
      set({ settings: Object.fromEntries(Object.entries(next).filter(([, v]) => v !== null)) as Settings })
      const project = useProject.getState()
      // The open project holds its environment: its keys never go to the settings file from here.
      const ownsEnv = project.env !== null
      if (envPatch && ownsEnv) {
        const env: Record<string, unknown> = { ...project.env }
        for (const k of PROJECT_ENV_KEYS) {
          if (patch[k] === null) delete env[k]
          else if (patch[k] !== undefined) env[k] = patch[k]
        }
        project.setEnv(env as ProjectEnv)
        if (!(await flushProject())) throw new Error('The project could not be written, so its environment was not changed (see the message at the top).')
      }
      const rest = ownsEnv ? Object.fromEntries(Object.entries(next).filter(([k]) => !isEnvKey(k))) : next
      // No project open (nothing owns it): the environment is the defaults themselves.
      const settings = Object.keys(patch).some((k) => !ownsEnv || !isEnvKey(k)) ? await api.setSettings(rest) : await api.getSettings()
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

/**
 * Another project (opened, new, restored) or another environment for this one: once it is written
 * (the Node side runs with what the project file says), the settings follow it, and so do the
 * environment report (another interpreter or version: detected again, never left stale) and the
 * folder status.
 */
useProject.subscribe((s, prev) => {
  if (s.env === prev.env && s.generation === prev.generation) return
  void flushProject().then(async () => {
    const st = useSettings.getState()
    if (!st.settings) return // not loaded yet: load() reads them
    const before = st.settings
    const settings = await api.getSettings().catch(() => null)
    if (!settings) return
    useSettings.setState({ settings })
    if (st.env && (settings.pythonPath !== before.pythonPath || settings.nnunetVersion !== before.nnunetVersion)) void st.detectEnv(settings.pythonPath)
    if (JSON.stringify(settings.folders) !== JSON.stringify(before.folders) || settings.nnunetVersion !== before.nnunetVersion) {
      if (settings.folders) await st.refreshFolders()
      else useSettings.setState({ folderStatus: null })
    }
  })
})
