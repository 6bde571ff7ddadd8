// The patient and study modules an exported object copies from its source series (DICOM requires
// a derived object to belong to its source's patient and study). Apart from writePart10 so that
// the export reference can take them without a cycle.
import type { Dataset } from './tags'

/** Patient, clinical trial subject, general study and patient study attributes: copied as they are. */
const PATIENT_AND_STUDY = [
  'PatientName', 'PatientID', 'IssuerOfPatientID', 'IssuerOfPatientIDQualifiersSequence', 'TypeOfPatientID', 'PatientBirthDate', 'PatientBirthTime', 'PatientSex',
  'OtherPatientIDsSequence', 'OtherPatientNames', 'PatientComments', 'PatientSpeciesDescription', 'PatientSpeciesCodeSequence', 'PatientBreedDescription',
  'PatientBreedCodeSequence', 'BreedRegistrationSequence', 'ResponsiblePerson', 'ResponsiblePersonRole', 'ResponsibleOrganization', 'PatientIdentityRemoved',
  'DeidentificationMethod', 'DeidentificationMethodCodeSequence', 'QualityControlSubject',
  'ClinicalTrialSponsorName', 'ClinicalTrialProtocolID', 'ClinicalTrialProtocolName', 'ClinicalTrialSiteID', 'ClinicalTrialSiteName', 'ClinicalTrialSubjectID',
  'ClinicalTrialSubjectReadingID', 'ClinicalTrialTimePointID', 'ClinicalTrialTimePointDescription', 'ClinicalTrialCoordinatingCenterName',
  'StudyInstanceUID', 'StudyDate', 'StudyTime', 'ReferringPhysicianName', 'ReferringPhysicianIdentificationSequence', 'StudyID', 'AccessionNumber',
  'IssuerOfAccessionNumberSequence', 'StudyDescription', 'PhysiciansOfRecord', 'NameOfPhysiciansReadingStudy', 'ProcedureCodeSequence',
  'AdmittingDiagnosesDescription', 'PatientAge', 'PatientSize', 'PatientWeight', 'Occupation', 'AdditionalPatientHistory',
] as const

/** Type 2 attributes of those modules: present in every export, empty when the source has none. */
const REQUIRED_EMPTY = ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'StudyDate', 'StudyTime', 'ReferringPhysicianName', 'StudyID', 'AccessionNumber'] as const

export function patientAndStudy(source: Dataset): Dataset {
  const out: Dataset = {}
  for (const k of PATIENT_AND_STUDY) if (source[k] !== undefined) out[k] = source[k]
  for (const k of REQUIRED_EMPTY) if (out[k] === undefined) out[k] = ''
  return out
}
