// What every area of the contract shares: the untrusted-path type, colours, the nnU-Net version,
// configurations and folds, and the Finding every check reports in a researcher's words.
import { z } from 'zod'
import { dict } from '../dict'

/** A path typed or picked by the user: untrusted text, never interpreted by a shell. */
export const pathText = z.string().min(1, 'a path is required').max(4096).refine((s) => !s.includes('\0'), 'a path cannot contain a NUL character')

export const rgb = z.tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(255), z.number().int().min(0).max(255)])

export type Rgb = z.infer<typeof rgb>

/**
 * An object keyed by what a user named (labels, cases): every key kept, "__proto__" included, in a
 * prototype-free dictionary (shared/dict.ts). zod's z.record drops a "__proto__" key and returns a
 * plain object, on which a missing "constructor" or "toString" finds Object.prototype's members.
 */
export function namedRecord<V extends z.ZodType>(value: V) {
  return z
    .custom<Record<string, z.input<V>>>((x) => typeof x === 'object' && x !== null && !Array.isArray(x), 'an object of names')
    .transform((obj, ctx) => {
      const out = dict<z.output<V>>()
      for (const key of Object.keys(obj)) {
        const r = value.safeParse((obj as Record<string, unknown>)[key])
        if (!r.success) {
          for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [key, ...issue.path] })
          return z.NEVER
        }
        out[key] = r.data
      }
      return out
    })
}

export interface JobRef {
  jobId: string
}

export const nnunetVersion = z.enum(['v1', 'v2'])

export type NnunetVersion = z.infer<typeof nnunetVersion>

export const configuration = z.enum(['2d', '3d_fullres', '3d_lowres', '3d_cascade_fullres'])

export type Configuration = z.infer<typeof configuration>

export const fold = z.union([z.number().int().min(0).max(9), z.literal('all')])

export type Fold = z.infer<typeof fold>

export type Severity = 'error' | 'warning' | 'info'

/** A finding about the input, in a researcher's words: what is wrong, where, and what to do. */
export interface Finding {
  severity: Severity
  /** Stable machine code, e.g. "size-mismatch", "mask-not-binary". */
  code: string
  /** The file it is about (absolute path), when there is one. */
  file?: string
  text: string
  /** What to do about it. */
  hint?: string
}

/** The request a method takes, as a caller writes it (defaults not yet filled in): never for null. */
export type Input<S> = S extends z.ZodType ? z.input<S> : never
