// nnU-Net's newer features in the wizard, browser mode against the real server:
// nested regions found by the Check step on real TotalSegmentator masks (aorta + its false lumen:
// 33451 of the 36170 false-lumen voxels lie inside the aorta), offered on Check and Labels, refused
// when the label order would let the aorta overwrite the lumen; and the written dataset.json.
import { readFileSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeGuideFolders } from '../test/helpers/guideFolders'
import { expect, test } from './support/server'
import { shot } from './support/wizardHelpers'

let root: string
let images: string
let aorta: string
let lumen: string
/** Four real scans named like two patients' series: pat1_a, pat1_b, pat2_a, pat2_b. */
let patients: { images: string; liver: string }

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'features-e2e-'))
  // Case 1 of the guide folders is the real scan and masks as they are.
  const guide = await makeGuideFolders(join(root, 'guide'), { cases: 1, source: 'aorta' })
  images = guide.images
  aorta = join(root, 'aorta')
  lumen = join(root, 'false_lumen')
  await mkdir(aorta)
  await mkdir(lumen)
  await copyFile(join(guide.organ, 'image-1.nrrd'), join(aorta, 'image-1.nrrd'))
  await copyFile(join(guide.tumor, 'image-1.nrrd'), join(lumen, 'image-1.nrrd'))
  const small = await makeGuideFolders(join(root, 'small'), { cases: 4, source: 'ct_small' })
  patients = { images: join(root, 'patients', 'image'), liver: join(root, 'patients', 'liver') }
  await mkdir(patients.images, { recursive: true })
  await mkdir(patients.liver, { recursive: true })
  for (const [i, key] of small.caseKeys.entries()) {
    const name = `pat${Math.floor(i / 2) + 1}_${'ab'[i % 2]}.nrrd`
    await copyFile(join(small.images, `${key}.nrrd`), join(patients.images, name))
    await copyFile(join(small.organ, `${key}.nrrd`), join(patients.liver, name))
  }
})

test.afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true })
})

test('Check and Labels suggest nested regions for the aorta and its false lumen; prepare writes them', async ({ page, wizard }) => {
  const next = page.getByTestId('next')
  await page.goto(wizard.url)
  await page.getByTestId('step-start').click()
  await page.getByTestId('new-project').click()
  await expect(page.getByTestId('screen-sources')).toBeVisible()
  await page.getByTestId('images-dir').fill(images)
  await page.getByTestId('add-mask').click()
  await page.getByTestId('mask-dir-0').fill(aorta)
  await page.getByTestId('add-mask').click()
  await page.getByTestId('mask-dir-1').fill(lumen)
  await expect(page.getByTestId('scan-summary')).toHaveText('1 of 1 cases complete')
  await next.click()

  await expect(page.getByTestId('screen-labels')).toBeVisible()
  await expect(page.getByTestId('label-name-0')).toHaveValue('aorta')
  await expect(page.getByTestId('label-name-1')).toHaveValue('false_lumen')
  // No check yet: nothing to suggest.
  await expect(page.getByTestId('regions-card')).toHaveCount(0)
  await next.click()

  await expect(page.getByTestId('screen-check')).toBeVisible()
  await page.getByTestId('run-check').click()
  await expect(page.getByTestId('check-report')).toBeVisible({ timeout: 240_000 })
  const card = page.getByTestId('regions-card')
  await expect(card).toBeVisible()
  await expect(card.getByTestId('regions-nested')).toHaveText(
    'false_lumen lies almost wholly inside aorta: 33451 of its 36170 voxels (92.5 %); 2719 lie outside it, and trained as nested regions they count as aorta too.',
  )
  await expect(card.getByTestId('regions-toggle')).not.toBeChecked()
  await card.getByTestId('regions-toggle').check()
  await expect(card.getByTestId('regions-preview')).toContainText('Regions: aorta = aorta + false_lumen; false_lumen.')
  await expect(card.getByTestId('regions-preview')).toContainText('{"background":0,"aorta":[1,2],"false_lumen":2}')
  await expect(card.getByTestId('regions-preview')).toContainText('regions_class_order [1,2]')
  await card.scrollIntoViewIfNeeded()
  await shot(page, 'features-regions-check')

  // Labels shows the same suggestion, and follows the order: the lumen first would be overwritten.
  await page.getByTestId('step-labels').click()
  await expect(page.getByTestId('screen-labels')).toBeVisible()
  await expect(page.getByTestId('regions-card').getByTestId('regions-toggle')).toBeChecked()
  await page.getByTestId('label-down-0').click()
  await expect(page.getByTestId('label-name-0')).toHaveValue('false_lumen')
  await expect(page.getByTestId('regions-misordered')).toContainText('But false_lumen comes before aorta in the label order, so aorta overwrites it')
  await expect(page.getByTestId('regions-refused')).toContainText('move false_lumen after aorta')
  await page.getByTestId('regions-card').scrollIntoViewIfNeeded()
  await shot(page, 'features-regions-labels-misordered')
  await page.getByTestId('undo-labels').click()
  await expect(page.getByTestId('label-name-0')).toHaveValue('aorta')
  await expect(page.getByTestId('regions-nested')).toBeVisible()

  // The written dataset.json has the regions; nothing else about the dataset changes.
  await page.getByTestId('step-output').click()
  await expect(page.getByTestId('screen-output')).toBeVisible()
  const out = join(root, 'out')
  await page.getByTestId('out-dir').fill(out)
  await page.getByTestId('dataset-id').fill('41')
  await page.getByTestId('dataset-name').fill('Aorta')
  await page.getByTestId('step-write').click()
  await page.getByTestId('start-write').click()
  await expect(page.getByTestId('written-count')).toHaveText('1 case', { timeout: 240_000 })
  const json = JSON.parse(readFileSync(join(out, 'Dataset041_Aorta', 'dataset.json'), 'utf8'))
  expect(json.labels).toEqual({ background: 0, aorta: [1, 2], false_lumen: 2 })
  expect(json.regions_class_order).toEqual([1, 2])
})

test('the patient pattern previews the groups live on the Output step', async ({ page, wizard }) => {
  await page.goto(wizard.url)
  await page.getByTestId('step-start').click()
  await page.getByTestId('new-project').click()
  await page.getByTestId('images-dir').fill(patients.images)
  await page.getByTestId('add-mask').click()
  await page.getByTestId('mask-dir-0').fill(patients.liver)
  await expect(page.getByTestId('scan-summary')).toHaveText('4 of 4 cases complete')
  await page.getByTestId('step-output').click()
  await expect(page.getByTestId('screen-output')).toBeVisible()
  const groups = page.getByTestId('patient-groups')
  await groups.getByTestId('group-pattern').fill('^(pat')
  await expect(groups.getByTestId('group-pattern-error')).toContainText('Not a valid regular expression')
  await groups.getByTestId('group-pattern').fill('^(pat\\d+)_')
  await expect(groups.getByTestId('group-summary')).toHaveText(
    '2 patients from 4 cases, 2 with several scans. Test cases are whole patients; after planning, the Plan step writes grouped folds.',
  )
  await expect(groups.getByTestId('group-row')).toHaveText(['pat1: pat1_a, pat1_b', 'pat2: pat2_a, pat2_b'])
  // A pattern that leaves some cases unmatched says so.
  await groups.getByTestId('group-pattern').fill('^(pat1)_')
  await expect(groups.getByTestId('group-summary')).toContainText('3 patients from 4 cases, 1 with several scans; 2 not matched (each its own patient)')
  await groups.getByTestId('group-pattern').fill('^(pat\\d+)_')
  await groups.scrollIntoViewIfNeeded()
  await shot(page, 'features-patient-groups')
})
