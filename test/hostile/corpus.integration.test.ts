// The hostile-input corpus (test/hostile/generate.ts) through `nnunet-wizard prepare --json`, as a
// user runs it, one run per case: each hostile case is refused with its file named, or written
// with exactly the voxels SimpleITK reads from the source; the good case beside it is always
// written; no run hangs (60 s), prints a stack trace, or peaks over 1 GB of memory (its max RSS,
// launcher and worker, from /usr/bin/time). Cases that still fail wait for their item of issue 19
// (one read per file, containment, header fields, bounded memory) and are marked it.fails with it.
import { execFile, execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { builtCli } from '../helpers/builtCli'
import { nnunetPython } from '../helpers/python'
import { cliEnv } from '../dataset/prepareCli'
import type { PrepareSummary } from '../../shared/api'
import { CASES, writeCase, type HostileCase } from './generate'

const TIME = '/usr/bin/time'
const LIMIT_MS = 60_000
const MAX_RSS_KB = 1 << 20 // 1 GiB
const py = nnunetPython('v2')

let tmp: string
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hostile-'))
})
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

interface Outcome {
  code: number | null
  stdout: string
  stderr: string
  maxRssKb: number
  ms: number
  summary?: PrepareSummary
}

function prepare(root: string, id: number): Promise<Outcome> {
  const [node, argv] = builtCli(['prepare', '--images', join(root, 'images'), '--label', `organ=${join(root, 'organ')}`, '--out', join(root, 'out'), '--id', String(id), '--name', 'Hostile', '--test-count', '0', '--json'])
  const rss = join(root, 'rss.txt')
  const start = Date.now()
  return new Promise((resolve) => {
    execFile(TIME, ['-f', '%M', '-o', rss, node, ...argv], { env: cliEnv(join(root, 'appdata')), timeout: LIMIT_MS, killSignal: 'SIGKILL', maxBuffer: 64 << 20 }, async (err, stdout, stderr) => {
      const ms = Date.now() - start
      const maxRssKb = Number((await readFile(rss, 'utf8').catch(() => '')).trim().split('\n').pop()) || 0
      let summary: PrepareSummary | undefined
      try {
        summary = JSON.parse(stdout) as PrepareSummary
      } catch {
        summary = undefined
      }
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr, maxRssKb, ms, summary })
    })
  })
}

/** Voxels of a file as SimpleITK reads them (its array's bytes as hex, and its dtype). */
function sitkVoxels(file: string): string {
  return execFileSync(py.python!, ['-c', 'import sys, SimpleITK as s; a = s.GetArrayFromImage(s.ReadImage(sys.argv[1])); print(a.dtype.str, a.shape, a.tobytes().hex())', file], { encoding: 'utf8', maxBuffer: 256 << 20 }).trim()
}

/** Cases that fail today because their item of issue 19 has not landed (see the report). */
const PENDING = new Set<string>(process.env.NNUNET_WIZARD_HOSTILE_PENDING?.split('|') ?? [])

describe.skipIf(!existsSync(TIME))('hostile-input corpus through `nnunet-wizard prepare --json`', () => {
  CASES.forEach((c: HostileCase, i) => {
    const test = PENDING.has(c.name) ? it.fails : it
    test(`${c.name} (issue 19 item ${c.item}): ${c.expect === 'refused' ? 'refused by name' : 'refused by name or written voxel-exact'}, bounded`, async () => {
      const root = join(tmp, `case-${i}`)
      await writeCase(root, c)
      const o = await prepare(root, 100 + i)
      console.info(`hostile corpus: ${c.name}: exit ${o.code}, ${o.ms} ms, peak RSS ${Math.round(o.maxRssKb / 1024)} MB`)
      expect(o.ms, 'no hang').toBeLessThan(LIMIT_MS)
      expect(o.maxRssKb, 'peak RSS under 1 GB').toBeGreaterThan(0)
      expect(o.maxRssKb, 'peak RSS under 1 GB').toBeLessThan(MAX_RSS_KB)
      expect(`${o.stdout}\n${o.stderr}`, 'no stack trace').not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/)
      expect(o.summary, o.stderr.slice(-2000)).toBeDefined()
      const s = o.summary!
      const good = s.cases.find((r) => r.caseKey === 'good')
      expect(good?.status, 'the good case is written').not.toBe('error')
      const bad = s.cases.find((r) => r.caseKey === 'bad')
      expect(bad, 'the hostile case has a report').toBeDefined()
      const named = join(root, c.names)
      if (bad!.status === 'error') {
        expect(o.code).toBe(1)
        const texts = bad!.findings.filter((f) => f.severity === 'error').map((f) => `${f.file ?? ''} ${f.text}`)
        const naming = texts.filter((t) => t.includes(named))
        expect(naming.length, `the refusal names ${named}: ${texts.join(' | ')}`).toBeGreaterThan(0)
        if (c.why) expect(naming.join(' | '), 'the refusal says what is wrong').toMatch(c.why)
        return
      }
      expect(c.expect, `${c.name} was written (${bad!.status}), but it must be refused`).toBe('either')
      // Written: exactly the voxels SimpleITK reads from the source.
      if (!py.python) return
      const manifest = JSON.parse(await readFile(s.manifest, 'utf8')) as { cases: Record<string, { caseKey: string; image: string }> }
      const entry = Object.values(manifest.cases).find((m) => m.caseKey === 'bad')!
      expect(sitkVoxels(join(s.datasetDir, entry.image))).toBe(sitkVoxels(named))
    }, LIMIT_MS + 30_000)
  })
})
