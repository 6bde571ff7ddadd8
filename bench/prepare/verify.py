#!/usr/bin/env python3
"""Check a converted dataset against the generated sources, so a fast-but-wrong prepare cannot pass.

For up to --cases training cases of OUT (found via dataset.json, any layout), identify the source
case by its origin (generate.py gives case N the origin x = -200 + N), then check:
  image voxels identical, label == merge(organ=1, tumor=2 wins), label values in {0,1,2},
  spacing/origin/direction equal within 1e-4 (NIfTI stores float32).
Prints one line per case and exits 1 on any mismatch.

usage: verify.py --data DIR --out DIR [--cases 3]
"""
import argparse
import json
import os
import sys

import numpy as np
import SimpleITK as sitk


def find_dataset_json(root):
    for dirpath, _, files in os.walk(root):
        if 'dataset.json' in files:
            return os.path.join(dirpath, 'dataset.json')
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--cases', type=int, default=3)
    a = ap.parse_args()
    dj = find_dataset_json(a.out)
    if not dj:
        print(f'verify: no dataset.json under {a.out}')
        return 1
    base = os.path.dirname(dj)
    ds = json.load(open(dj))
    train = ds.get('training', [])
    if not train:
        print('verify: dataset.json has no training entries')
        return 1
    bad = 0
    picks = [train[i] for i in sorted({0, len(train) // 2, len(train) - 1})][: a.cases]
    for entry in picks:
        lab_path = os.path.normpath(os.path.join(base, entry['label']))
        img_rel = entry['image']
        # MSD lists the image without the _0000 channel suffix even when the file has it
        img_path = os.path.normpath(os.path.join(base, img_rel))
        if not os.path.exists(img_path):
            img_path = img_path.replace('.nii.gz', '_0000.nii.gz')
        img = sitk.ReadImage(img_path)
        lab = sitk.ReadImage(lab_path)
        n = int(round(img.GetOrigin()[0] + 200))
        src = f'image-{n}.nrrd'
        s_img = sitk.ReadImage(os.path.join(a.data, 'image', src))
        organ = sitk.GetArrayFromImage(sitk.ReadImage(os.path.join(a.data, 'organ', src)))
        tumor = sitk.GetArrayFromImage(sitk.ReadImage(os.path.join(a.data, 'tumor', src)))
        expect = np.zeros(organ.shape, np.uint8)
        expect[organ == 1] = 1
        expect[tumor == 1] = 2
        la = sitk.GetArrayFromImage(lab)
        ia = sitk.GetArrayFromImage(img)
        problems = []
        if ia.shape != expect.shape or not np.array_equal(ia, sitk.GetArrayFromImage(s_img)):
            problems.append('image voxels differ')
        if la.shape != expect.shape or not np.array_equal(la, expect):
            problems.append('label differs from merge(organ=1, tumor=2)')
        for what, im in (('image', img), ('label', lab)):
            for g in ('GetSpacing', 'GetOrigin', 'GetDirection'):
                if not np.allclose(getattr(im, g)(), getattr(s_img, g)(), atol=1e-4):
                    problems.append(f'{what} {g[3:].lower()} differs')
        vals = np.unique(la)
        print(f'  {os.path.basename(lab_path)} <- {src}: label {lab.GetPixelIDTypeAsString()} values {vals.tolist()} '
              f'counts {np.bincount(la.ravel(), minlength=3).tolist()}: ' + ('OK' if not problems else '; '.join(problems)))
        bad += bool(problems)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
