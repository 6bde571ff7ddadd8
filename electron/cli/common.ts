// What every nnunet-wizard command shares, whatever it runs: a usage error (bad or missing flags)
// is printed with a pointer to --help and exits 2; flags are parsed strictly; a request is
// checked by its schema, each problem named by the flag it came from.
import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { z } from 'zod'

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>

/** The flags' values; an unknown flag or a missing value is a UsageError. */
export function parseFlags<const O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options }).values
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err))
  }
}

/** `input` as the schema's type, or a UsageError listing every issue (by flag where `flags` names the field). */
export function validRequest<T>(schema: z.ZodType<T>, input: unknown, flags: Record<string, string> = {}): T {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  const where = (path: readonly PropertyKey[]) => {
    const field = String(path[path.length - 1])
    return Object.hasOwn(flags, field) ? flags[field] : path.map(String).join('.')
  }
  throw new UsageError(parsed.error.issues.map((i) => `${where(i.path)}: ${i.message}`).join('; '))
}

/** Prints a usage error the way every command does and returns exit code 2; any other error is rethrown. */
export function usageFailure(command: string, err: unknown): number {
  if (!(err instanceof UsageError)) throw err
  console.error(`nnunet-wizard ${command}: ${err.message}\nRun 'nnunet-wizard ${command} --help' for the options.`)
  return 2
}

/** A UsageError naming every flag in `names` that was not given. */
export function requireFlags<V extends Record<string, unknown>>(values: V, names: readonly (keyof V & string)[]): void {
  const missing = names.filter((k) => values[k] === undefined)
  if (missing.length) throw new UsageError(`missing ${missing.map((m) => `--${m}`).join(', ')}.`)
}
