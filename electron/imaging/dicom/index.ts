// DICOM input (issue 20): the API the dataset, the CLI, the RTSTRUCT/SEG readers and the exporters
// build on. indexDicomFolder parses each file's header once and groups series by
// SeriesInstanceUID; chooseSeries picks the case's scan; readDicomSeries reads exactly that
// series' sorted files into the Volume type the rest of imaging/ uses (call it in the worker pool).
// Types: shared/api/dicom.ts.
export { indexDicomFolder, parseDicomHeader, listFilesDeep, instanceKind, SOP_CLASS, type ParsedFile } from './headerIndex'
export { buildSeries, nameFiles, type ParsedImage } from './seriesGeometry'
export { chooseSeries, describeSeries, type ChooseOptions } from './chooseSeries'
export { readDicomSeries, narrowVoxels, DicomSeriesError, type ReadDicomOptions } from './readSeries'
export { asArray, num, nums, str, transferSyntaxName, type Dataset } from './tags'
export type * from '../../../shared/api/dicom'
export { isDicomFolder, hasDicomPreamble } from './detect'
