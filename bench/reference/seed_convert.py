#!/usr/bin/env python3
"""The reference: the guide's (seeds/000_29cc1dcda9b14a5e.txt) conversion steps, with SimpleITK +
numpy, in one process, as a practitioner would run them.

  data/image/image-N.nrrd, data/organ/image-N.nrrd, data/tumor/image-N.nrrd
    -> OUT/imagesTr/<Name>_XXX.nii.gz, OUT/labelsTr/<Name>_XXX.nii.gz, OUT/imagesTs/<Name>_XXX.nii.gz,
       OUT/dataset.json (MSD / nnU-Net v1 style, the guide's template)

The guide's steps, kept: read with SimpleITK, merge with numpy (label[organ == 1] = 1;
label[tumor == 1] = 2, so the tumor wins where they overlap), copy spacing/origin/direction,
save with SimpleITK, rename to <Name>_XXX.nii.gz, split Tr/Ts (the last --test-count cases go to
imagesTs), write dataset.json.

Two deliberate deviations, both of which make the reference FASTER than a literal copy of the
guide (so a speed-up measured against it is conservative):
  * one pass: the guide first writes merged labels to a label folder, then re-reads them to
    rename/convert; here the merged label goes straight to labelsTr/<Name>_XXX.nii.gz;
  * the label is uint8 (the guide's np.zeros(shape) is float64, 8x the bytes to compress);
    `--label-dtype float64` restores the guide's behaviour.
Test cases: only the image is converted (nnU-Net v1 has no labelsTs).

usage: seed_convert.py --data DIR --out DIR [--name Organ] [--test-count 4] [--label-dtype uint8]
"""
import argparse
import json
import os
import re
import sys

import numpy as np
import SimpleITK as sitk


def get_files_name(dire):
    # natural order (image-2 before image-10), so case numbers follow the source numbering
    key = lambda s: [int(t) if t.isdigit() else t for t in re.split(r'(\d+)', s)]
    return sorted((f for f in os.listdir(dire) if not f.startswith('.')), key=key)


def get_medical_image(path):
    img = sitk.ReadImage(path)
    return sitk.GetArrayFromImage(img), (img.GetSpacing(), img.GetOrigin(), img.GetDirection())


def save_medical_image(array, path, param):
    img = sitk.GetImageFromArray(array)
    img.SetSpacing(param[0])
    img.SetOrigin(param[1])
    img.SetDirection(param[2])
    sitk.WriteImage(img, path)  # .nii.gz -> gzip-compressed NIfTI


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True, help='folder with image/ organ/ tumor/')
    ap.add_argument('--out', required=True)
    ap.add_argument('--name', default='Organ')
    ap.add_argument('--test-count', type=int, default=4)
    ap.add_argument('--label-dtype', default='uint8', choices=['uint8', 'float64'])
    a = ap.parse_args()

    image_dire = os.path.join(a.data, 'image')
    organ_dire = os.path.join(a.data, 'organ')
    tumor_dire = os.path.join(a.data, 'tumor')
    dst_imageTr = os.path.join(a.out, 'imagesTr')
    dst_imageTs = os.path.join(a.out, 'imagesTs')
    dst_label = os.path.join(a.out, 'labelsTr')
    for d in (dst_imageTr, dst_imageTs, dst_label):
        os.makedirs(d, exist_ok=True)

    files = get_files_name(image_dire)
    n_train = len(files) - a.test_count
    template = {
        'name': a.name,
        'description': f'{a.name} and tumor segmentation',
        'reference': '',
        'licence': '',
        'relase': '1.0',
        'tensorImageSize': '3D',
        'modality': {'0': 'CT'},
        'labels': {'0': 'background', '1': 'organ', '2': 'tumor'},
        'numTraining': 0,
        'numTest': 0,
        'training': [],
        'test': [],
    }
    for index, file in enumerate(files):
        out_name = '{0}_{1:03d}.nii.gz'.format(a.name, index + 1)
        image, param = get_medical_image(os.path.join(image_dire, file))
        if index < n_train:
            organ, _ = get_medical_image(os.path.join(organ_dire, file))
            tumor, _ = get_medical_image(os.path.join(tumor_dire, file))
            assert organ.shape == tumor.shape == image.shape, file
            label = np.zeros(shape=organ.shape, dtype=a.label_dtype)
            label[organ == 1] = 1
            label[tumor == 1] = 2
            save_medical_image(image, os.path.join(dst_imageTr, out_name), param)
            save_medical_image(label, os.path.join(dst_label, out_name), param)
            template['training'].append({'image': './imagesTr/' + out_name, 'label': './labelsTr/' + out_name})
        else:
            save_medical_image(image, os.path.join(dst_imageTs, out_name), param)
            template['test'].append('./imagesTs/' + out_name)
    template['numTraining'] = len(template['training'])
    template['numTest'] = len(template['test'])
    with open(os.path.join(a.out, 'dataset.json'), 'w') as f:
        json.dump(template, f, indent=4)
    return 0


if __name__ == '__main__':
    sys.exit(main())
