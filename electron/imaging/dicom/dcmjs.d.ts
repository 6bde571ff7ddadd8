// dcmjs 0.52 ships no types. The parts used here (parsing a Part 10 file, naturalizing it,
// writing one back) typed loosely; shared by the DICOM readers and writers of this folder.
declare module 'dcmjs' {
  interface ReadOptions {
    ignoreErrors?: boolean
    untilTag?: string | null
    includeUntilTagValue?: boolean
    stopOnGreaterTag?: boolean
  }
  interface DicomDictInstance {
    meta: Record<string, unknown>
    dict: Record<string, unknown>
    write(options?: Record<string, unknown>): ArrayBuffer
  }
  interface DcmjsData {
    DicomMessage: {
      readFile(buffer: ArrayBuffer, options?: ReadOptions): DicomDictInstance
    }
    DicomMetaDictionary: {
      naturalizeDataset(dict: Record<string, unknown>): Record<string, unknown>
      denaturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown>
      uid(): string
      date(): string
      time(): string
    }
    DicomDict: new (meta: Record<string, unknown>) => DicomDictInstance
    [name: string]: unknown
  }
  const dcmjs: { data: DcmjsData; [name: string]: unknown }
  export default dcmjs
}
