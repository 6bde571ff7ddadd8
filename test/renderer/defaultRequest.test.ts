// The app and the CLI write the same dataset from the same inputs when nothing else is asked:
// the request the app's untouched Output form builds equals the one `prepare` parses from the
// flags that name the same folders, id and name. Both hold out no test case by default, so five
// cases stay five training cases (nnU-Net's 5-fold cross-validation needs five).
import { describe, expect, it } from 'vitest'
import { parsePrepareArgs } from '../../electron/cli/prepare'
import { planCases } from '../../shared/layout'
import { DEFAULT_SPLIT, prepareRequest, type PrepareRequest } from '../../shared/schema'
import { DEFAULT_OUTPUT, prepareRequestOf } from '../../renderer/store/projectStore'
import { defaultLabelColor } from '../../renderer/viewer/labelLut'

const images = '/data/aorta/image'
const organ = '/data/aorta/organ'
const tumor = '/data/aorta/tumor'
const outDir = '/data/out'

/** Label colours are the app's display choice (dataset.json has none): compared without them. */
const withoutColours = (r: PrepareRequest) => ({ ...r, sources: { ...r.sources, labels: r.sources.labels.map(({ name, dir }) => ({ name, dir })) } })

describe('the default request', () => {
  const app = prepareRequestOf({
    imagesDir: images,
    labels: [
      { name: 'organ', dir: organ, color: defaultLabelColor(0) },
      { name: 'tumor', dir: tumor, color: defaultLabelColor(1) },
    ],
    allowMissingMask: false,
    output: { ...DEFAULT_OUTPUT, outDir, id: 7, name: 'Aorta' },
  }).request!
  const cli = parsePrepareArgs(['--images', images, '--label', `organ=${organ}`, '--label', `tumor=${tumor}`, '--out', outDir, '--id', '7', '--name', 'Aorta']).request

  it('is the same from the app and from the CLI', () => {
    expect(withoutColours(prepareRequest.parse(app))).toEqual(withoutColours(cli))
  })

  it('holds out no test case: five cases are five training cases, in both', () => {
    expect(prepareRequest.parse(app).output.split).toEqual(DEFAULT_SPLIT)
    const keys = ['image-1', 'image-2', 'image-3', 'image-4', 'image-5']
    for (const r of [prepareRequest.parse(app), cli]) {
      expect(planCases(keys, r.output.layout, 'aorta', r.output.split).map((c) => c.split)).toEqual(['train', 'train', 'train', 'train', 'train'])
    }
  })
})
