#!/usr/bin/env python3
"""The DICOM bench's reference: what a researcher scripts today with SimpleITK, in one process.

    dicom_convert.py --data DIR --out OUT [--name Bench]

DIR holds images/<case>/ (one DICOM series per case folder) and body/<case>.nii.gz. For each
case (sorted by name): GDCM lists and sorts the folder's series (GetGDCMSeriesFileNames), exactly
one series is required, ImageSeriesReader reads it, the mask is read and checked to lie on the
scan's grid, and both are written as nnU-Net v2 NIfTI (imagesTr/<name>_NNN_0000.nii.gz,
labelsTr/<name>_NNN.nii.gz) with a dataset.json.
"""
import argparse
import json
import os

import SimpleITK as sitk

ap = argparse.ArgumentParser()
ap.add_argument("--data", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--name", default="Bench")
a = ap.parse_args()

images = os.path.join(a.data, "images")
os.makedirs(os.path.join(a.out, "imagesTr"), exist_ok=True)
os.makedirs(os.path.join(a.out, "labelsTr"), exist_ok=True)
cases = sorted(os.listdir(images), key=lambda s: (len(s), s))
for i, case in enumerate(cases):
    d = os.path.join(images, case)
    ids = sitk.ImageSeriesReader.GetGDCMSeriesIDs(d)
    if len(ids) != 1:
        raise SystemExit(f"{d}: {len(ids)} series")
    reader = sitk.ImageSeriesReader()
    reader.SetFileNames(sitk.ImageSeriesReader.GetGDCMSeriesFileNames(d, ids[0]))
    img = reader.Execute()
    mask = sitk.ReadImage(os.path.join(a.data, "body", f"{case}.nii.gz"))
    if mask.GetSize() != img.GetSize():
        raise SystemExit(f"{case}: mask size {mask.GetSize()} != {img.GetSize()}")
    sitk.WriteImage(img, os.path.join(a.out, "imagesTr", f"{a.name}_{i:03d}_0000.nii.gz"), useCompression=True)
    sitk.WriteImage(sitk.Cast(mask > 0, sitk.sitkUInt8), os.path.join(a.out, "labelsTr", f"{a.name}_{i:03d}.nii.gz"), useCompression=True)
with open(os.path.join(a.out, "dataset.json"), "w") as f:
    json.dump({"channel_names": {"0": "CT"}, "labels": {"background": 0, "body": 1}, "numTraining": len(cases), "file_ending": ".nii.gz"}, f, indent=1)
