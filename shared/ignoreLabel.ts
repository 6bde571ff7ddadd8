// nnU-Net v2's ignore label (documentation/ignore_label.md): for partly annotated data, a label
// named "ignore" marks voxels nobody annotated; nnU-Net leaves them out of the loss. It must be
// the highest label value (nnunetv2 LabelManager asserts ignore == max(labels) + 1), so the
// wizard merges the folder marked "ignore" last: it wins over every other mask where they
// overlap (an unannotated voxel has no class) and gets the highest value. nnU-Net v1 has no such
// label: it would train "ignore" as one more structure.
import type { Finding } from './api'
import type { LayoutKind } from './schema'

/** nnU-Net's reserved label name. */
export const IGNORE_NAME = 'ignore'

/** How the viewer draws ignored voxels: grey, so they read as "not annotated", not as a structure. */
export const IGNORE_COLOR: [number, number, number] = [150, 150, 150]

/** The label name dataset.json gets: "ignore" for the ignore label, the name otherwise. */
export function datasetLabelName(label: { name: string; ignore?: boolean }): string {
  return label.ignore ? IGNORE_NAME : label.name
}

/**
 * What is wrong with the ignore label of these labels for this layout (errors), or nothing. The
 * labels are in merge order (value = position + 1).
 */
export function ignoreLabelFindings(labels: readonly { name: string; ignore?: boolean }[], layout: LayoutKind, regions = false): Finding[] {
  const out: Finding[] = []
  const ignored = labels.flatMap((l, i) => (l.ignore ? [i] : []))
  const named = labels.filter((l) => !l.ignore && l.name === IGNORE_NAME)
  if (named.length) {
    out.push({
      severity: 'error',
      code: 'ignore-name-reserved',
      text: `A label is named "${IGNORE_NAME}", which nnU-Net v2 reserves for its ignore label (voxels left out of the loss).`,
      hint: 'Mark that mask folder as "ignore" (Labels step, or --ignore NAME=DIR), or rename the label.',
    })
  }
  if (!ignored.length) return out
  if (layout === 'msd') {
    out.push({
      severity: 'error',
      code: 'ignore-needs-v2',
      text: 'The ignore label is an nnU-Net v2 feature: nnU-Net v1 (the Decathlon/MSD layout) has none and would train the unannotated voxels as a structure of their own.',
      hint: 'Write the nnU-Net v2 layout, or leave the ignore folder out.',
    })
  }
  if (ignored.length > 1) {
    out.push({ severity: 'error', code: 'ignore-twice', text: `${ignored.length} mask folders are marked "ignore"; nnU-Net has one ignore label.`, hint: 'Merge them into one folder, or unmark all but one.' })
  } else if (ignored[0] !== labels.length - 1) {
    out.push({
      severity: 'error',
      code: 'ignore-not-last',
      text: `The ignore label "${labels[ignored[0]!]!.name}" must be merged last, with the highest value (nnU-Net requires it), but it is label ${ignored[0]! + 1} of ${labels.length}.`,
      hint: 'Move it to the end of the label list (the Labels step does this when you mark it).',
    })
  }
  if (ignored.length === labels.length) {
    out.push({ severity: 'error', code: 'ignore-only', text: 'Every mask folder is marked "ignore": there is no structure left to learn.', hint: 'Add the folders of the structures to segment.' })
  }
  if (regions) {
    out.push({ severity: 'error', code: 'ignore-with-regions', text: 'Nested regions and an ignore label together are not supported by the wizard yet.', hint: 'Choose one of them: leave --regions out, or the ignore folder.' })
  }
  return out
}
