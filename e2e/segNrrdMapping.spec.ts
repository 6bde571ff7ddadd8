// 3D Slicer segmentations as label sources in the wizard (issue 18, item 6), browser mode against
// the real server: the image folder holds two real scans (ct_small and the aorta CT), the label
// folder one .seg.nrrd per case written by the app's writer from their TotalSegmentator masks.
// The Labels step's mapping, set to ".seg.nrrd", lists every segment name with how many cases
// have it; names become labels; the case lacking one is flagged; the Check reads the segments.
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readVolume } from '../electron/imaging/volume'
import { writeSegNrrd } from '../electron/imaging/segNrrdWriter'
import { expect, test } from './support/server'
import { shot } from './support/wizardHelpers'

const TOTALSEG = '/work/shared/data/totalseg'
let root: string
let images: string
let segs: string
/** Voxels of each segment as written, per case file: what the Check must count. */
const counts: Record<string, number[]> = {}

async function segFile(target: string, masks: [string, string][]): Promise<void> {
  const vols = await Promise.all(masks.map(([, p]) => readVolume(p)))
  const data = new Uint8Array(vols[0]!.data!.length)
  vols.forEach((v, k) => (v.data as Uint8Array).forEach((x, i) => x && (data[i] = k + 1)))
  counts[target] = masks.map((_, k) => data.filter((v) => v === k + 1).length)
  await writeSegNrrd(target, vols[0]!, data, masks.map(([name], k) => ({ name, value: k + 1, colour: [60 * k, 120, 200] as const })))
}

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'segnrrd-e2e-'))
  images = join(root, 'images')
  segs = join(root, 'slicer')
  await mkdir(images)
  await mkdir(segs)
  await copyFile(join(TOTALSEG, 'ct_small', 'ct.nii.gz'), join(images, 'case01.nii.gz'))
  await copyFile(join(TOTALSEG, 'aorta', 'ct.nii.gz'), join(images, 'case02.nii.gz'))
  const small = (n: string) => join(TOTALSEG, 'ct_small', 'masks', `${n}.nii.gz`)
  const aorta = (n: string) => join(TOTALSEG, 'aorta', 'masks', `${n}.nii.gz`)
  await segFile(join(segs, 'case01.seg.nrrd'), [['Liver', small('liver')], ['Spleen', small('spleen')], ['Aorta', small('aorta')]])
  await segFile(join(segs, 'case02.seg.nrrd'), [['aorta', aorta('aorta')], ['Vertebra T12', aorta('vertebrae_T12')]])
})

test.afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true })
})

test('segment names of .seg.nrrd files become labels; the case lacking one is flagged; Check reads the segments', async ({ page, wizard }) => {
  test.setTimeout(300_000)
  await page.goto(wizard.url)
  await page.getByTestId('step-start').click()
  await page.getByTestId('new-project').click()
  await expect(page.getByTestId('screen-sources')).toBeVisible()
  await page.getByTestId('images-dir').fill(images)
  await page.getByTestId('structure-mapping-folded').locator('summary').click()
  await page.getByTestId('structure-kind').selectOption('segnrrd')
  await page.getByTestId('structure-dir').fill(segs)
  const rows = page.getByTestId('structure-name-row')
  await expect(rows).toHaveCount(4, { timeout: 60_000 })
  // "Aorta" and "aorta" are one name (without case), in both cases.
  await expect(rows.filter({ hasText: /^Aorta/ }).getByTestId('structure-name-cases')).toHaveText('2 of 2')
  await expect(rows.filter({ hasText: 'Liver' }).getByTestId('structure-name-cases')).toHaveText('1 of 2')
  await shot(page, 'segnrrd-01-names')

  await rows.filter({ hasText: 'Liver' }).getByTestId('structure-add-label').click()
  await expect(page.getByTestId('screen-sources')).toBeVisible()
  await page.getByTestId('next').click()
  await expect(page.getByTestId('screen-labels')).toBeVisible()
  const mapping = page.getByTestId('structure-mapping')
  await expect(mapping.getByTestId('structure-kind')).toHaveValue('segnrrd')
  await expect(mapping.getByTestId('structure-name-row')).toHaveCount(4, { timeout: 60_000 })
  await mapping.getByTestId('structure-name-row').filter({ hasText: /^Aorta/ }).getByTestId('structure-add-label').click()
  await expect(page.getByTestId('label-name-0')).toHaveValue('Liver')
  await expect(page.getByTestId('label-name-1')).toHaveValue('Aorta')
  await expect(page.getByTestId('structure-lacking-0')).toContainText('1 case lacks it: case02 (they fail)')
  await page.getByTestId('structure-allow-missing').check()
  await expect(page.getByTestId('structure-lacking-0')).toContainText('(left empty there)')
  await shot(page, 'segnrrd-02-mapped')
  await page.getByTestId('next').click()

  await expect(page.getByTestId('screen-check')).toBeVisible()
  await page.getByTestId('run-check').click()
  await expect(page.getByTestId('check-report')).toBeVisible({ timeout: 180_000 })
  await expect(page.getByTestId('check-row')).toHaveCount(2)
  // case02 has no liver: a warning (cases may lack a mask), its aorta read from the segmentation.
  const case02 = page.getByTestId('check-row').filter({ hasText: 'case02' })
  await expect(case02).toHaveAttribute('data-status', 'warning')
  await expect(case02).toContainText(counts[join(segs, 'case02.seg.nrrd')]![0]!.toLocaleString('en-US'))
  const case01 = page.getByTestId('check-row').filter({ hasText: 'case01' })
  await expect(case01).toHaveAttribute('data-status', 'ok')
  const [liver, , aorta] = counts[join(segs, 'case01.seg.nrrd')]!
  await expect(case01).toContainText(liver!.toLocaleString('en-US'))
  await expect(case01).toContainText(aorta!.toLocaleString('en-US'))
  await expect(page.getByText(/No "Liver" for case "case02": the segmentation .*case02\.seg\.nrrd has no segment named "Liver" \(segments there: aorta, Vertebra T12\)/)).toBeVisible()
  await shot(page, 'segnrrd-03-check')
})
