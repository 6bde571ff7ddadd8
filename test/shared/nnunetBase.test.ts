// Issue 18: with the Output folder /x/nnunet/nnUNet_raw the Environment step offered empty
// nnU-Net folder fields; the base (and the three folders under it) follow from that folder.
import { describe, expect, it } from 'vitest'
import { foldersFromOutput } from '../../shared/nnunetBase'

describe('the nnU-Net folders an Output folder implies', () => {
  it('v2: the parent of …/nnUNet_raw is the base, with nnUNet_preprocessed and nnUNet_results beside it', () => {
    expect(foldersFromOutput('/x/nnunet/nnUNet_raw', 'v2')).toEqual({ base: '/x/nnunet', folders: { raw: '/x/nnunet/nnUNet_raw', preprocessed: '/x/nnunet/nnUNet_preprocessed', results: '/x/nnunet/nnUNet_results' } })
    expect(foldersFromOutput(' /x/nnunet/nnUNet_raw/ ', 'v2')?.base).toBe('/x/nnunet')
  })

  it('v1: …/nnUNet_raw_data_base, with nnUNet_trained_models for the results; Windows separators kept', () => {
    expect(foldersFromOutput('D:\\work\\nnunet\\nnUNet_raw_data_base', 'v1')).toEqual({
      base: 'D:\\work\\nnunet',
      folders: { raw: 'D:\\work\\nnunet\\nnUNet_raw_data_base', preprocessed: 'D:\\work\\nnunet\\nnUNet_preprocessed', results: 'D:\\work\\nnunet\\nnUNet_trained_models' },
    })
  })

  it('offers nothing for another folder name, the other version, or a raw folder at the root', () => {
    expect(foldersFromOutput('/x/nnunet/datasets', 'v2')).toBeUndefined()
    expect(foldersFromOutput('/x/nnunet/nnUNet_raw', 'v1')).toBeUndefined()
    expect(foldersFromOutput('/x/nnunet/nnUNet_raw_data_base', 'v2')).toBeUndefined()
    expect(foldersFromOutput('/x/my_nnUNet_raw', 'v2')).toBeUndefined()
    expect(foldersFromOutput('/nnUNet_raw', 'v2')).toBeUndefined()
    expect(foldersFromOutput('C:\\nnUNet_raw', 'v2')).toBeUndefined()
    expect(foldersFromOutput('', 'v2')).toBeUndefined()
  })
})
