// Label maps are gzipped with run-length matching (Z_RLE): fewer bytes and less time than the
// default strategy, the same voxels. Measured on the real aorta masks merged as prepare merges them.
import { join } from 'node:path'
import { constants as zc, gunzipSync, gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { encodeNifti, encodeNiftiGz, NIFTI_INTENT_LABEL } from '../../electron/imaging/niftiWriter'
import { mergeMasks } from '../../electron/dataset/maskRules'
import { readImage } from '../helpers/nifti'
import { TOTALSEG } from '../helpers/guideFolders'

describe('label maps are written with Z_RLE', () => {
  it('gives the same .nii bytes in far fewer gzip bytes than the default strategy', async () => {
    const [aorta, lumen] = await Promise.all(['aorta.nii.gz', 'aorta_false_lumen.nii.gz'].map((m) => readImage(join(TOTALSEG, 'aorta', 'masks', m))))
    const geom = { size: [...aorta!.size], spacing: [...aorta!.spacing], origin: [...aorta!.origin], direction: Array.from(aorta!.direction as ArrayLike<number>, Number) }
    const label = mergeMasks(aorta!.data!.length, [aorta!.data as Uint8Array, lumen!.data as Uint8Array]).label
    const written = Buffer.from(await encodeNiftiGz(geom, label, { intentCode: NIFTI_INTENT_LABEL }))
    const raw = encodeNifti(geom, label, { intentCode: NIFTI_INTENT_LABEL })
    expect(gunzipSync(written).equals(Buffer.from(raw))).toBe(true)
    const byDefault = gzipSync(raw, { level: 1, strategy: zc.Z_DEFAULT_STRATEGY })
    expect(written.length).toBeLessThan(0.6 * byDefault.length)
    expect(written.length).toBe(gzipSync(raw, { level: 1, strategy: zc.Z_RLE }).length)
  })
})
