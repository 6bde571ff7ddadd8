// The two dataset.json flavours: nnU-Net v2's (as generate_dataset_json writes it) and the
// Medical Segmentation Decathlon's, field for field as the guide's template (which nnU-Net v1's
// nnUNet_convert_decathlon_task and v2's nnUNetv2_convert_MSD_dataset read).
import type { PlannedCase } from './api'
import type { DatasetJsonMsd, DatasetJsonV2, DatasetMetadata } from './schema'
import { FILE_ENDING } from './layout'
import { IGNORE_NAME } from './ignoreLabel'
import { dict } from './dict'

export interface DatasetJsonInput {
  name: string
  /** Structure names in label order: the first is value 1. */
  labels: string[]
  metadata: DatasetMetadata
  /** The cases actually in the dataset (train and test). */
  cases: Pick<PlannedCase, 'caseId' | 'split' | 'image' | 'label'>[]
  /** v2 region-based training (prepare --regions, shared/regions.ts): replaces the labels. */
  regions?: DatasetRegions
  /** The last label is nnU-Net v2's ignore label: written as "ignore" (shared/ignoreLabel.ts). */
  ignoreLast?: boolean
}

/** dataset.json's region labels ("aorta": [1, 2], "aorta_false_lumen": 2) and regions_class_order. */
export interface DatasetRegions {
  labels: Record<string, number | number[]>
  regionsClassOrder: number[]
}

function channelMap(channels: string[]): Record<string, string> {
  return dict(channels.map((c, i) => [String(i), c]))
}

export function buildDatasetJsonV2(input: DatasetJsonInput): DatasetJsonV2 {
  // Keyed by the user's label names: a dictionary without a prototype (shared/dict.ts), so "__proto__" is a label like any other.
  const labels = input.regions
    ? dict(Object.entries(input.regions.labels))
    : dict<number | number[]>([['background', 0], ...input.labels.map((l, i): [string, number] => [input.ignoreLast && i === input.labels.length - 1 ? IGNORE_NAME : l, i + 1])])
  const m = input.metadata
  return {
    channel_names: channelMap(m.channelNames),
    labels,
    ...(input.regions && { regions_class_order: input.regions.regionsClassOrder }),
    numTraining: input.cases.filter((c) => c.split === 'train').length,
    file_ending: FILE_ENDING,
    name: input.name,
    description: m.description,
    reference: m.reference,
    licence: m.licence,
    release: m.release,
  }
}

export function buildDatasetJsonMsd(input: DatasetJsonInput): DatasetJsonMsd {
  const labels = dict<string>([['0', 'background'], ...input.labels.map((l, i): [string, string] => [String(i + 1), l])])
  const train = input.cases.filter((c) => c.split === 'train')
  const test = input.cases.filter((c) => c.split === 'test')
  const m = input.metadata
  return {
    name: input.name,
    description: m.description,
    reference: m.reference,
    licence: m.licence,
    release: m.release,
    tensorImageSize: '3D',
    modality: channelMap(m.channelNames),
    labels,
    numTraining: train.length,
    numTest: test.length,
    training: train.map((c) => ({ image: `./${c.image}`, label: `./${c.label ?? `labelsTr/${c.caseId}${FILE_ENDING}`}` })),
    test: test.map((c) => `./${c.image}`),
  }
}
