// What every nnunet-wizard command shares, whatever it runs: a usage error (bad or missing flags)
// is printed with a pointer to --help and exits 2; flags are parsed strictly; a request is
// checked by its schema, each problem named by the flag it came from.
import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { z } from 'zod'

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>

/**
 * Flags whose one value is a comma list (-f 0,1,2 where a command takes folds that way): given
 * twice, the values join into one list (-f 0 -f 1 = -f 0,1), as a user who repeats them means.
 */
const LIST_FLAGS = new Set(['fold'])

/**
 * The flags' values; an unknown flag or a missing value is a UsageError, and so is a flag that
 * takes one value given twice (node's parseArgs would silently keep the last one: `-f 0 -f 1`
 * trained fold 1 only). A comma-list flag (LIST_FLAGS) given twice joins its values.
 */
export function parseFlags<const O extends Options>(argv: string[], options: O) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; strict: true; allowPositionals: false; options: O; tokens: true }>>
  try {
    parsed = parseArgs({ args: argv, strict: true, allowPositionals: false, options, tokens: true })
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err))
  }
  const given = new Map<string, { raw: string[]; values: string[] }>()
  for (const t of parsed.tokens) {
    if (t.kind !== 'option') continue
    const g = given.get(t.name) ?? { raw: [], values: [] }
    g.raw.push(t.rawName)
    if (t.value !== undefined) g.values.push(t.value)
    given.set(t.name, g)
  }
  const values = parsed.values as Record<string, unknown>
  for (const [name, g] of given) {
    const o = options[name]
    // A repeated switch (--json --json) asks the same thing twice: harmless.
    if (!o || o.multiple || o.type !== 'string' || g.raw.length < 2) continue
    if (LIST_FLAGS.has(name)) {
      values[name] = g.values.join(',')
      continue
    }
    const flag = o.short ? `-${o.short}/--${name}` : `--${name}`
    throw new UsageError(`${flag} was given ${g.raw.length} times (${g.values.map((v) => JSON.stringify(v)).join(' and ')}); it takes one value: give it once.`)
  }
  return parsed.values
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
