// Types for server.mjs, for the TypeScript benches (bench/**/*.ts).
import type { ChildProcess } from 'node:child_process'

export interface WizardServer {
  url: string
  origin: string
  proc: ChildProcess
  stop(): Promise<void>
  output(): string
  dataDir: string
  startupMs: number
}
export declare function startWizardServer(opts?: { dataDir?: string; timeoutMs?: number; env?: Record<string, string> }): Promise<WizardServer>
