// Errors of the machine, not of a case: a full disk, a used-up quota, a read-only file system, a
// failing disk. A run that meets one stops at once and says so; the case it was working on is not
// blamed (it is neither failed nor recorded), so a plain re-run after fixing the machine finishes
// the dataset as an uninterrupted run would have.
export const ENVIRONMENT_CODES = ['ENOSPC', 'EDQUOT', 'EROFS', 'EIO'] as const

export type EnvironmentCode = (typeof ENVIRONMENT_CODES)[number]

export function environmentCode(err: unknown): EnvironmentCode | null {
  const code = (err as NodeJS.ErrnoException | null)?.code
  return (ENVIRONMENT_CODES as readonly string[]).includes(code ?? '') ? (code as EnvironmentCode) : null
}

/** Plain data, so it crosses from a worker thread to the run as it is. */
export interface EnvironmentProblem {
  code: EnvironmentCode
  /** The file or folder the failing call was about, when the error names one. */
  path?: string
  /** The system's words (e.g. "ENOSPC: no space left on device, write"). */
  message: string
}

export function environmentProblem(err: unknown): EnvironmentProblem | null {
  const code = environmentCode(err)
  if (!code) return null
  const e = err as NodeJS.ErrnoException
  return { code, ...(e.path && { path: e.path }), message: e.message }
}

/** The run-stopping error: carries the problem up through the run to the transports (the CLI's exit code). */
export class EnvironmentError extends Error {
  constructor(
    readonly problem: EnvironmentProblem,
    message: string,
  ) {
    super(message)
  }
}
