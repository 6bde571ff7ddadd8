// Errors leave the Node side as ApiErrorShape: a message a researcher can act on, plus a code
// the renderer can branch on. zod's issue lists become one readable sentence that names the
// field, because "Invalid input: expected string, received undefined" alone says nothing about
// which of twenty fields was wrong.
import { ZodError } from 'zod'
import type { ApiErrorShape, Finding } from '../../shared/api'
import { DomainError, type DomainErrorKind } from '../domainError'

/** The HTTP status of each kind of domain refusal (the IPC envelope carries the same). */
const STATUS: Record<DomainErrorKind, number> = { invalid: 400, conflict: 409, 'not-found': 404 }

/** An error of the transport itself (a body too large, an unknown method); `status` is used by the HTTP transport. The domain raises DomainError. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status = 400,
    readonly findings?: Finding[],
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

function fieldName(path: PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[')
}

/** What a field is, in a researcher's words, for the fields a form sends. */
const FIELD_WORDS: Record<string, string> = { id: 'the dataset id', datasetId: 'the dataset id', name: 'the name', outDir: 'the output folder', imagesDir: 'the image folder', fold: 'the fold', epochs: 'the number of epochs' }

/** zod's default "Too big: expected number to be <=999" as "must be 999 or less". */
function describeBound(issue: ZodError['issues'][number], field: string): string | null {
  if ((issue.code !== 'too_big' && issue.code !== 'too_small') || !/^Too (big|small)/.test(issue.message)) return null
  const big = issue.code === 'too_big'
  const limit = Number(big ? (issue as { maximum: number | bigint }).maximum : (issue as { minimum: number | bigint }).minimum)
  const inclusive = (issue as { inclusive?: boolean }).inclusive !== false
  const origin = (issue as { origin?: string }).origin
  const bound =
    origin === 'string' ? `${big ? 'at most' : 'at least'} ${limit} characters long` : origin === 'array' || origin === 'set' ? `${big ? 'at most' : 'at least'} ${limit} entries` : inclusive ? `${limit} or ${big ? 'less' : 'more'}` : `${big ? 'less' : 'more'} than ${limit}`
  const key = issue.path.length ? String(issue.path[issue.path.length - 1]) : ''
  const words = FIELD_WORDS[key]
  const subject = words ? `${words} (${field})` : field || 'the value'
  return `${subject} must be ${bound}`
}

function describeIssue(issue: ZodError['issues'][number]): string {
  const field = fieldName(issue.path)
  const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message)
  if (missing) return field ? `${field} is required` : 'a request object is required'
  const bound = describeBound(issue, field)
  if (bound) return bound
  return field ? `${field}: ${issue.message}` : issue.message
}

export function invalidInput(method: string, err: ZodError): ApiError {
  const parts = err.issues.slice(0, 5).map(describeIssue)
  const more = err.issues.length > 5 ? ` (and ${err.issues.length - 5} more)` : ''
  return new ApiError(`Invalid request to ${method}: ${parts.join('; ')}${more}.`, 'invalid-input', 400)
}

/** Anything thrown by a service or transport, as the shape both transports send. */
export function toApiError(err: unknown, method?: string): ApiErrorShape & { status: number } {
  if (err instanceof ApiError) return { message: err.message, code: err.code, status: err.status, ...(err.findings ? { findings: err.findings } : {}) }
  if (err instanceof DomainError) return { message: err.message, code: err.code, status: STATUS[err.kind], ...(err.findings ? { findings: err.findings } : {}) }
  // Services validate again internally (they are also called by the CLI); those failures are
  // still bad input, not server faults.
  if (err instanceof ZodError) {
    const e = invalidInput(method ?? 'the app', err)
    return { message: e.message, code: e.code, status: e.status }
  }
  if (err instanceof Error) {
    const withFindings = err as Error & { findings?: Finding[]; code?: unknown }
    const code = typeof withFindings.code === 'string' ? withFindings.code : 'failed'
    return { message: err.message || 'The operation failed without a message.', code, status: 500, ...(Array.isArray(withFindings.findings) ? { findings: withFindings.findings } : {}) }
  }
  return { message: String(err), code: 'failed', status: 500 }
}
