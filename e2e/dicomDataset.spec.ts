// DICOM cases to a written nnU-Net dataset through the whole dataset half of the wizard (issue 20,
// "A Playwright test takes a DICOM folder with RTSTRUCT through Sources, the ROI mapping, Check,
// Preview and Write"), in browser mode against the real server. Two case folders of the real CT
// (test/dicom/makeStructures.py: valid UIDs, case B's files shuffled, extension-less, two folders
// deep); body and ring from rt-utils structure sets, bone from a highdicom SEG (case A only, so
// case B lacks it and is left empty there). Preview must draw the three merged labels in their
// colours where the labels are; Write must put the label maps on disk with the structures' voxels.
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readVolume } from '../electron/imaging/volume'
import { structureData, type StructureData } from '../test/dicom/structureData'
import { expect, test } from './support/server'
import { colourStats, settle, shot, waitForPreviewCount } from './support/wizardHelpers'

const BODY: [number, number, number] = [255, 0, 0]
const RING: [number, number, number] = [0, 255, 0]
const BONE: [number, number, number] = [0, 0, 255]

let root: string
let data: StructureData | undefined
let missing = ''

test.beforeAll(async () => {
  test.setTimeout(300_000)
  const got = await structureData()
  if ('missing' in got) {
    missing = got.missing
    return
  }
  data = got
  root = await mkdtemp(join(tmpdir(), 'dicom-dataset-e2e-'))
  await cp(data.images, join(root, 'images'), { recursive: true })
  // Structure sets under names that point the wrong way (only the series they reference counts).
  await mkdir(join(root, 'rtstruct', 'x'), { recursive: true })
  await cp(join(data.rtstruct, 'deep', 'er', '0001'), join(root, 'rtstruct', 'x', 'caseB'))
  await cp(join(data.rtstruct, 'RS.caseB.dcm'), join(root, 'rtstruct', 'caseA.dcm'))
  // Case A's SEG as highdicom writes it by default (empty frames left out).
  await mkdir(join(root, 'seg'))
  await cp(join(data.seg, 'binary-omitted'), join(root, 'seg', 'SEG0001'))
})

test.afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true })
})

test('DICOM with RTSTRUCT and SEG: mapping, Check, Preview draws the merged labels, Write puts them on disk', async ({ page, wizard }) => {
  test.skip(!data, missing)
  test.setTimeout(480_000)
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  const next = page.getByTestId('next')

  // ---- Sources: the image folder, then the structure mapping on the RTSTRUCT folder
  await page.goto(wizard.url)
  await page.getByTestId('step-start').click()
  await page.getByTestId('new-project').click()
  await expect(page.getByTestId('screen-sources')).toBeVisible()
  await page.getByTestId('images-dir').fill(join(root, 'images'))
  await page.getByTestId('structure-mapping-folded').locator('summary').click()
  await page.getByTestId('structure-dir').fill(join(root, 'rtstruct'))
  const rows = page.getByTestId('structure-name-row')
  await expect(rows).toHaveCount(4, { timeout: 120_000 })
  await rows.filter({ hasText: 'BODY' }).getByTestId('structure-add-label').click()
  await expect(page.getByTestId('structure-mapping')).toBeVisible()
  await expect(page.getByTestId('structure-name-row')).toHaveCount(4, { timeout: 120_000 })
  await page.getByTestId('structure-name-row').filter({ hasText: 'External' }).getByTestId('structure-alias-of').selectOption({ label: 'BODY' })
  await page.getByTestId('structure-name-row').filter({ hasText: 'Ring' }).getByTestId('structure-add-label').click()
  await expect(page.getByTestId('structure-names-0')).toHaveValue('BODY|External')
  await expect(page.getByTestId('structure-label')).toHaveCount(2)

  // ... then on the SEG folder: its segments (case A's only), "Bone rim" becomes the third label.
  await page.getByTestId('structure-kind').selectOption('seg')
  await page.getByTestId('structure-dir').fill(join(root, 'seg'))
  const segRows = page.getByTestId('structure-name-row')
  await expect(segRows).toHaveCount(3, { timeout: 120_000 })
  await expect(segRows.filter({ hasText: 'Bone rim' }).getByTestId('structure-name-cases')).toHaveText('1 of 2')
  await segRows.filter({ hasText: 'Bone rim' }).getByTestId('structure-add-label').click()
  await expect(page.getByTestId('structure-lacking-2')).toContainText('1 case lacks it: caseB (they fail)')
  await page.getByTestId('structure-allow-missing').check()
  await expect(page.getByTestId('structure-lacking-2')).toContainText('(left empty there)')
  await shot(page, 'dicom-dataset-01-mapping')
  await next.click()

  // ---- Labels: the three structures in order, given colours the canvas can be sampled for
  await expect(page.getByTestId('screen-labels')).toBeVisible()
  await expect(page.getByTestId('label-name-0')).toHaveValue('BODY')
  await expect(page.getByTestId('label-name-1')).toHaveValue('Ring')
  await expect(page.getByTestId('label-name-2')).toHaveValue('Bone_rim')
  await page.getByTestId('label-color-0').fill('#ff0000')
  await page.getByTestId('label-color-1').fill('#00ff00')
  await page.getByTestId('label-color-2').fill('#0000ff')
  await shot(page, 'dicom-dataset-02-labels')
  await next.click()

  // ---- Check: both cases read; B lacks bone (a warning), its ring as the mask it was drawn from
  await expect(page.getByTestId('screen-check')).toBeVisible()
  await page.getByTestId('run-check').click()
  await expect(page.getByTestId('check-report')).toBeVisible({ timeout: 300_000 })
  await expect(page.getByTestId('check-row')).toHaveCount(2)
  await expect(page.getByTestId('count-error')).toHaveText('0 with errors')
  const caseB = page.getByTestId('check-row').filter({ hasText: 'caseB' })
  await expect(caseB).toHaveAttribute('data-status', 'warning')
  await expect(caseB).toContainText(data!.facts.voxels.ring.toLocaleString('en-US'))
  await shot(page, 'dicom-dataset-03-check')
  await next.click()

  // ---- Preview: NiiVue draws case A's merged labels in their colours, where the labels are
  await expect(page.getByTestId('screen-preview')).toBeVisible()
  await waitForPreviewCount(page, 1)
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-loading', 'false')
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-case', 'caseA')
  await page.getByTestId('opacity').fill('1')
  await settle(page)
  const canvas = page.getByTestId('viewer-canvas')
  const colours = { body: BODY, ring: RING, bone: BONE }
  const shown = await colourStats(page, canvas, colours)
  await shot(page, 'dicom-dataset-04-preview')
  expect(shown.counts.body, 'body colour drawn').toBeGreaterThan(1000)
  expect(shown.counts.ring, 'ring colour drawn').toBeGreaterThan(100)
  expect(shown.counts.bone, 'bone colour drawn').toBeGreaterThan(10)
  // A pixel in the middle of the ring's colour reads label 2 there: colour and label agree.
  expect(shown.interior.ring, 'an all-green 7×7 patch exists').not.toBeNull()
  await canvas.click({ position: shown.interior.ring! })
  await expect(page.getByTestId('cursor-label')).toHaveText(/label 2 \(Ring\)/)
  // Hiding bone takes its colour away; body and ring stay.
  await settle(page)
  const before = await colourStats(page, canvas, colours)
  await page.getByTestId('legend-toggle-3').uncheck()
  await settle(page)
  const hidden = await colourStats(page, canvas, colours)
  await shot(page, 'dicom-dataset-05-preview-bone-hidden')
  expect(hidden.counts.bone).toBeLessThan(Math.max(5, before.counts.bone! * 0.05))
  expect(hidden.counts.ring).toBeGreaterThanOrEqual(before.counts.ring! * 0.9)
  await page.getByTestId('legend-toggle-3').check()
  await next.click()

  // ---- Output: a v2 dataset, its dataset.json naming the three structures
  await expect(page.getByTestId('screen-output')).toBeVisible()
  const outDir = join(root, 'out')
  await page.getByTestId('dataset-name').fill('DicomRt')
  await page.getByTestId('out-dir').fill(outDir)
  await page.getByTestId('dataset-id').fill('520')
  await expect(page.getByTestId('dataset-dir')).toContainText('Dataset520_DicomRt')
  await expect(page.getByTestId('dataset-json')).toContainText('"BODY": 1')
  await expect(page.getByTestId('dataset-json')).toContainText('"Ring": 2')
  await expect(page.getByTestId('dataset-json')).toContainText('"Bone_rim": 3')
  await expect(next).toBeEnabled()
  await shot(page, 'dicom-dataset-06-output')
  await next.click()

  // ---- Write, then the files on disk
  await expect(page.getByTestId('screen-write')).toBeVisible()
  await page.getByTestId('start-write').click()
  await expect(page.getByTestId('write-summary')).toBeVisible({ timeout: 300_000 })
  await expect(page.getByTestId('written-count')).toHaveText('2 cases')
  await expect(page.getByTestId('write-outcome')).toHaveText('Done')
  await shot(page, 'dicom-dataset-07-write')
  const datasetDir = (await page.getByTestId('summary-dir').textContent())!.trim()
  expect(datasetDir).toBe(join(outDir, 'Dataset520_DicomRt'))
  const json = JSON.parse(await readFile(join(datasetDir, 'dataset.json'), 'utf8'))
  expect(json.labels).toEqual({ background: 0, BODY: 1, Ring: 2, Bone_rim: 3 })
  expect(json.channel_names).toEqual({ '0': 'CT' })
  expect(json.numTraining).toBe(2)
  const labelsTr = (await readdir(join(datasetDir, 'labelsTr'))).filter((f) => f.endsWith('.nii.gz')).sort()
  expect(labelsTr).toHaveLength(2)
  for (const f of labelsTr) expect(existsSync(join(datasetDir, 'imagesTr', f.replace('.nii.gz', '_0000.nii.gz'))), f).toBe(true)
  // Nothing from a DICOM tag in the dataset: the case ids come from the name, not from patient ids.
  expect(JSON.stringify(json) + labelsTr.join()).not.toMatch(/anon|Anon/)

  // The label maps hold the structures' voxels on the series' grid: case A's bone from the SEG
  // (voxel-exact), case B's ring from the contours and no bone. Cases are numbered in name order.
  const count = (a: ArrayLike<number>, v: number) => {
    let n = 0
    for (let i = 0; i < a.length; i++) if (a[i] === v) n++
    return n
  }
  const [a, b] = await Promise.all(labelsTr.map((f) => readVolume(join(datasetDir, 'labelsTr', f))))
  expect(a!.size).toEqual(data!.facts.grids.caseA.size)
  expect(count(a!.data as Uint8Array, 3)).toBe(data!.facts.voxels.bone)
  expect(count(b!.data as Uint8Array, 2)).toBe(data!.facts.voxels.ring)
  expect(count(b!.data as Uint8Array, 3)).toBe(0)
  expect(pageErrors).toEqual([])
})
