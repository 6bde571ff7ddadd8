// First run: `npx nnunet-wizard serve` on a checkout whose page was never built builds it
// (a progress line on stderr) instead of serving "The wizard's page has not been built".
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensurePageBuilt } from '../../electron/cli/serve'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wizard-page-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('serve builds the page on first use', () => {
  it('builds a missing page with progress lines, then leaves a built one alone', async () => {
    const staticDir = join(dir, 'renderer')
    const lines: string[] = []
    expect(await ensurePageBuilt(staticDir, { root: repoRoot, progress: (l) => lines.push(l) })).toBeNull()
    expect(lines[0]).toMatch(/^Building the wizard's page into .* \(first serve only; about a minute\)\.\.\.$/)
    expect(await readFile(join(staticDir, 'index.html'), 'utf8')).toContain('<script type="module"')
    lines.length = 0
    expect(await ensurePageBuilt(staticDir, { root: repoRoot, progress: (l) => lines.push(l) })).toBeNull()
    expect(lines).toEqual([])
  })

  it('says exactly what to run where the page cannot be built', async () => {
    const copied = join(dir, 'installed', 'dist', 'renderer')
    const why = await ensurePageBuilt(copied, { progress: () => undefined })
    expect(why).toBe(`The wizard's page is not built (${copied}/index.html is missing) and this installation has no vite.config.ts to build it. Run, in ${join(dir, 'installed')}: npm install --include=dev && npm run build`)
  })
})
