// Fault injection for the crash tests: NNUNET_WIZARD_FAULT=point (or point:N for its N-th pass)
// makes the process SIGKILL itself at that named point of a prepare run, so a test can prove that
// a plain re-run after a crash anywhere ends with the same dataset as an uninterrupted run. Unset
// (always, outside tests) it costs one comparison. The points are listed in FAULT_POINTS.
export const FAULT_POINTS = [
  'out-created', // the output folder exists, no lock yet
  'locked', // the lock is held, nothing else written
  'staging-created', // the private staging folder exists, no case staged
  'temp-written', // a temporary file is complete but not yet renamed (any atomic write)
  'case-staged', // a case is checked and staged, not yet moved into the dataset
  'dataset-dir-created', // the dataset folder exists, no manifest.json yet
  'manifest-started', // the first manifest.json exists, no imagesTr/labelsTr/imagesTs yet
  'image-moved', // a case's image is in place, its label not yet
  'case-moved', // a case's files are in place, not yet recorded
  'case-recorded', // a case is recorded in the journal
  'cases-done', // every case handled, stale records not yet dropped, dataset.json not yet written
  'dataset-json-written', // dataset.json written, the final manifest.json not yet
  'manifest-written', // the final manifest.json written, staging and lock not yet removed
] as const

export type FaultPoint = (typeof FAULT_POINTS)[number]

const passes = new Map<string, number>()

export function faultPoint(point: FaultPoint): void {
  const spec = process.env.NNUNET_WIZARD_FAULT
  if (!spec) return
  const [name, nth] = spec.split(':')
  if (name !== point) return
  const n = (passes.get(point) ?? 0) + 1
  passes.set(point, n)
  if (n === Number(nth ?? 1)) process.kill(process.pid, 'SIGKILL')
}
