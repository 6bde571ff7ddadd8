// What every exported DICOM object shares: new UIDs, the patient and study modules copied from
// the series it refers to (DICOM requires a derived object to belong to its source's patient and
// study, so a viewer files it beside the images), this app as the equipment, and the Part 10 file
// (UTF-8 text) written by dcmjs.
import { randomBytes } from 'node:crypto'
import dcmjs from 'dcmjs'
import { APP_VERSION } from '../../appVersion'
import type { ExportReference } from './exportReference'
import { patientAndStudy } from './patientStudy'
import type { Dataset } from './tags'

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1'
/**
 * Every element with a 32-bit length. An RTSTRUCT needs it: one contour of a ragged prediction holds
 * thousands of points, and its ContourData (decimal strings) passes the 64 KB that explicit VR
 * gives a DS; written there as UN, pydicom (and so rt-utils) reads it back as raw bytes.
 */
export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2'

/** A UID under 2.25 (ITU-T X.667): the decimal value of 128 random bits, unique without a registered root. */
export function newUid(): string {
  return `2.25.${BigInt(`0x${randomBytes(16).toString('hex')}`).toString(10)}`
}

/** DICOM DA and TM of `d` in local time (as modalities write them). */
export function dicomDateTime(d = new Date()): { date: string; time: string } {
  const p = (n: number, w = 2) => String(n).padStart(w, '0')
  return { date: `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}`, time: `${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}` }
}

/** General and enhanced general equipment: this app made the object. */
export function equipment(): Dataset {
  return {
    Manufacturer: 'nnU-Net Wizard',
    ManufacturerModelName: 'nnU-Net Wizard',
    DeviceSerialNumber: '1',
    SoftwareVersions: APP_VERSION,
  }
}

/** The new object's own identity: SOP class and instance, series, content date and time. */
export function newInstance(sopClassUid: string, modality: string, ref: ExportReference, seriesDescription: string, now = new Date()): Dataset {
  const { date, time } = dicomDateTime(now)
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: sopClassUid,
    SOPInstanceUID: newUid(),
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    Modality: modality,
    SeriesInstanceUID: newUid(),
    SeriesNumber: 9901,
    SeriesDescription: seriesDescription.slice(0, 64),
    SeriesDate: date,
    SeriesTime: time,
    InstanceNumber: 1,
    ContentDate: date,
    ContentTime: time,
    ...patientAndStudy(ref.header),
    ...equipment(),
  }
}

/** The dataset as a DICOM Part 10 file in `transferSyntax` (explicit or implicit VR little endian). */
export function part10Bytes(dataset: Dataset, transferSyntax: typeof EXPLICIT_VR_LITTLE_ENDIAN | typeof IMPLICIT_VR_LITTLE_ENDIAN = EXPLICIT_VR_LITTLE_ENDIAN): Uint8Array {
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: transferSyntax,
    ImplementationClassUID: '2.25.208714914226880934227785613914627870931',
    ImplementationVersionName: `NNUNETWIZ_${APP_VERSION}`.slice(0, 16),
  }
  const dict = new dcmjs.data.DicomDict(dcmjs.data.DicomMetaDictionary.denaturalizeDataset(meta))
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset)
  return new Uint8Array(dict.write() as ArrayBuffer)
}
