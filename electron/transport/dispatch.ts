// The one generic way to call the Api: look the method up in `apiRequests`, validate the raw
// argument with its zod schema (null = the method takes no input), call the service. Both
// transports go through here, so neither has per-method code and a new contract entry is bound
// everywhere at once.
import { apiRequests, type Api, type ApiMethod } from '../../shared/api'
import { ApiError, invalidInput } from './errors'

export function isApiMethod(name: string): name is ApiMethod {
  return Object.prototype.hasOwnProperty.call(apiRequests, name)
}

/** Validates `raw` for `method`; returns the parsed request (with defaults filled in). */
export function parseRequest(method: ApiMethod, raw: unknown): unknown {
  const schema = apiRequests[method]
  if (schema === null) {
    if (raw !== undefined && raw !== null) throw new ApiError(`${method} takes no input, but a request was sent.`, 'invalid-input', 400)
    return undefined
  }
  const parsed = schema.safeParse(raw)
  if (!parsed.success) throw invalidInput(method, parsed.error)
  return parsed.data
}

export async function callApi(service: Api, method: string, raw: unknown): Promise<unknown> {
  if (!isApiMethod(method)) throw new ApiError(`Unknown Api method '${method}'.`, 'unknown-method', 404)
  const arg = parseRequest(method, raw)
  const fn = service[method] as (arg?: unknown) => Promise<unknown>
  return fn.call(service, arg)
}
