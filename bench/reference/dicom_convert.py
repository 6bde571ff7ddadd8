#!/usr/bin/env python3
"""The DICOM bench's reference: what a researcher scripts today with SimpleITK, in one process.

    dicom_convert.py --data DIR --out OUT [--name Bench] [--roi BODY]

DIR holds images/<case>/: one CT series and its structure set RS.dcm per case folder. For each
case (sorted by name): GDCM lists and sorts the folder's image series (GetGDCMSeriesFileNames;
the structure set is its own one-file series and left out), ImageSeriesReader reads it, rt-utils
(RTStructBuilder.create_from + get_roi_mask_by_name) fills the ROI's contours on that series, and
both are written as nnU-Net v2 NIfTI (imagesTr/<name>_NNN_0000.nii.gz, labelsTr/<name>_NNN.nii.gz)
with a dataset.json.
"""
import argparse
import json
import os

import numpy as np
import SimpleITK as sitk
from rt_utils import RTStructBuilder

ap = argparse.ArgumentParser()
ap.add_argument("--data", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--name", default="Bench")
ap.add_argument("--roi", default="BODY")
a = ap.parse_args()

images = os.path.join(a.data, "images")
os.makedirs(os.path.join(a.out, "imagesTr"), exist_ok=True)
os.makedirs(os.path.join(a.out, "labelsTr"), exist_ok=True)
cases = sorted(os.listdir(images), key=lambda s: (len(s), s))
for i, case in enumerate(cases):
    d = os.path.join(images, case)
    series = [sitk.ImageSeriesReader.GetGDCMSeriesFileNames(d, s) for s in sitk.ImageSeriesReader.GetGDCMSeriesIDs(d)]
    image_series = [files for files in series if len(files) > 1]
    if len(image_series) != 1:
        raise SystemExit(f"{d}: {len(image_series)} image series")
    reader = sitk.ImageSeriesReader()
    reader.SetFileNames(image_series[0])
    img = reader.Execute()
    rt = RTStructBuilder.create_from(dicom_series_path=d, rt_struct_path=os.path.join(d, "RS.dcm"))
    drawn = np.transpose(rt.get_roi_mask_by_name(a.roi), (2, 0, 1)).astype(np.uint8)  # rows, cols, slices -> z, y, x
    if drawn.shape[::-1] != img.GetSize():
        raise SystemExit(f"{case}: mask size {drawn.shape[::-1]} != {img.GetSize()}")
    mask = sitk.GetImageFromArray(drawn)
    mask.CopyInformation(img)
    sitk.WriteImage(img, os.path.join(a.out, "imagesTr", f"{a.name}_{i:03d}_0000.nii.gz"), useCompression=True)
    sitk.WriteImage(mask, os.path.join(a.out, "labelsTr", f"{a.name}_{i:03d}.nii.gz"), useCompression=True)
with open(os.path.join(a.out, "dataset.json"), "w") as f:
    json.dump({"channel_names": {"0": "CT"}, "labels": {"background": 0, "body": 1}, "numTraining": len(cases), "file_ending": ".nii.gz"}, f, indent=1)
