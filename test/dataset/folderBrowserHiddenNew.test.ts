// The folder browser (issue 18, point 10): dot-folders (.venv, .nnunet) are listed when asked, and
// "New folder" makes one folder inside the one shown, through the service as both transports call
// it; a taken name, a name with a separator or "..", and a parent that is not a folder are refused
// by name, and nothing is created outside the parent.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createService } from '../../electron/service'
import { callApi } from '../../electron/transport/dispatch'

let tmp: string
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'folder-browser-'))
  await mkdir(join(tmp, 'browse', '.venv'), { recursive: true })
  await mkdir(join(tmp, 'browse', 'scans'))
  await writeFile(join(tmp, 'browse', '.hidden-file'), 'x')
})
afterAll(() => rm(tmp, { recursive: true, force: true }))

const service = () => createService({ mode: 'browser' }, join(tmp, 'data'), { memoryQueue: true })

it('lists dot-folders only when asked', async () => {
  const app = service()
  const plain = (await callApi(app, 'listDir', { path: join(tmp, 'browse') })) as { entries: { name: string }[] }
  expect(plain.entries.map((e) => e.name)).toEqual(['scans'])
  const all = (await callApi(app, 'listDir', { path: join(tmp, 'browse'), showHidden: true })) as { entries: { name: string }[] }
  expect(all.entries.map((e) => e.name)).toEqual(['.venv', 'scans'])
  const withFiles = (await callApi(app, 'listDir', { path: join(tmp, 'browse'), showHidden: true, showFiles: true })) as { entries: { name: string }[] }
  expect(withFiles.entries.map((e) => e.name)).toEqual(['.venv', 'scans', '.hidden-file'])
  await app.dispose()
})

it('makes one new folder in the folder shown and refuses what it must not do', async () => {
  const app = service()
  const parent = join(tmp, 'browse')
  expect(await callApi(app, 'makeFolder', { parent, name: ' nnunet ' })).toBe(join(parent, 'nnunet'))
  expect((await readdir(parent)).sort()).toEqual(['.hidden-file', '.venv', 'nnunet', 'scans'])
  await expect(callApi(app, 'makeFolder', { parent, name: 'nnunet' })).rejects.toThrow(`${join(parent, 'nnunet')} already exists: open it, or choose another name.`)
  await expect(callApi(app, 'makeFolder', { parent, name: '../escape' })).rejects.toThrow(/without \/ or \\/)
  await expect(callApi(app, 'makeFolder', { parent, name: '..' })).rejects.toThrow(/not \. or \.\./)
  await expect(callApi(app, 'makeFolder', { parent: join(parent, '.hidden-file'), name: 'x' })).rejects.toThrow(`${join(parent, '.hidden-file')} is a file, not a folder.`)
  await expect(callApi(app, 'makeFolder', { parent: join(tmp, 'missing'), name: 'x' })).rejects.toThrow(`The folder ${join(tmp, 'missing')} does not exist.`)
  expect(await readdir(tmp)).not.toContain('escape')
  await app.dispose()
})
