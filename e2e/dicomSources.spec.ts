// The Sources step on DICOM case folders (issue 20, items 2 and 6), in browser mode against the
// real server: real DICOM made from the real CT (test/dicom/makeDicom.py). The DICOM overview lists
// each case's series (modality, slices, spacing, orientation, transfer syntax), which one is used,
// and every problem by name; choosing a series for a case with two clears its problem.
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dicomScans, type DicomScans } from '../test/dicom/dicomScans'
import { expect, test } from './support/server'
import { shot } from './support/wizardHelpers'

let root: string
let scans: DicomScans | undefined
let missing = ''

test.beforeAll(async () => {
  test.setTimeout(300_000)
  const got = await dicomScans()
  if ('missing' in got) {
    missing = got.missing
    return
  }
  scans = got
  root = await mkdtemp(join(tmpdir(), 'dicom-sources-e2e-'))
  for (const c of ['plain', 'tilted', 'two_series']) await cp(join(scans.cases, c), join(root, 'images', c), { recursive: true })
  await mkdir(join(root, 'body'))
  await cp(join(scans.masks, 'body', 'plain.nii.gz'), join(root, 'body', 'plain.nii.gz'))
})

test.afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true })
})

test('DICOM overview: series per case, the one used, problems by name, a choice per case', async ({ page, wizard }) => {
  test.skip(!scans, missing)
  test.setTimeout(180_000)
  await page.goto(wizard.url)
  await page.getByTestId('step-start').click()
  await page.getByTestId('new-project').click()
  await expect(page.getByTestId('screen-sources')).toBeVisible()
  await page.getByTestId('images-dir').fill(join(root, 'images'))
  await page.getByTestId('add-mask').click()
  await page.getByTestId('mask-dir-0').fill(join(root, 'body'))

  const overview = page.getByTestId('dicom-overview')
  await expect(overview).toBeVisible()
  await expect(page.getByTestId('dicom-summary')).toHaveText('3 DICOM cases, 2 with a problem (they fail the Check)')
  const rows = page.getByTestId('dicom-series-row')
  await expect(rows).toHaveCount(4)
  await expect(rows.first()).toContainText('plain')
  await expect(rows.first()).toContainText('CT Body 3.0')
  await expect(rows.first()).toContainText('JPEG 2000 Lossless')
  await expect(rows.first()).toContainText('0.977 × 0.977 × 2 mm')
  await expect(rows.first()).toContainText('used')
  const problems = page.getByTestId('dicom-problem-row')
  await expect(problems).toHaveCount(2)
  await expect(problems.filter({ hasText: 'is tilted' })).toHaveCount(1)
  await expect(problems.filter({ hasText: 'holds 2 volumetric series' })).toHaveCount(1)
  await page.getByTestId('dicom-table').scrollIntoViewIfNeeded()
  await shot(page, 'dicom-sources-01-overview')

  // Choose "CT bone" for two_series: its problem goes, and the choice is what the case uses.
  const bone = rows.filter({ hasText: 'CT bone' })
  await bone.getByTestId('dicom-series-choice').check()
  await expect(page.getByTestId('dicom-summary')).toHaveText('3 DICOM cases, 1 with a problem (they fail the Check)')
  await expect(problems).toHaveCount(1)
  await expect(bone).toContainText('used')
  await shot(page, 'dicom-sources-02-chosen')
})
