#!/usr/bin/env python3
"""Real RTSTRUCT and DICOM-SEG test data for the structure sources of issue 20 (item 4).

    makeStructures.py CT_DICOM_DIR OUT_DIR

Starts from a copy of the real 20-slice CT series (../shared/data/totalseg/ct_dicom), gives it
valid UIDs, computes masks on the real CT with SimpleITK (body by threshold: large; bone rim by
threshold minus its erosion: thin; a ring with a hole), and writes with the references themselves:
  RTSTRUCT by rt-utils (RTStructBuilder, contours from those masks), DICOM-SEG by highdicom
  (BINARY with the writer's default of omitting empty frames, BINARY keeping every frame,
  FRACTIONAL). Expected results are written beside: the masks the contours were made from, and
  highdicom's own read-back of every SEG, as raw uint8 volumes (x fastest, then y, then slices in
  the series' order along the normal), plus grid.json (SimpleITK's geometry and the slices'
  SOPInstanceUIDs in that order). Everything is deterministic (UIDs from fixed entropy).
"""
import json
import os
import random
import shutil
import sys

import numpy as np
import pydicom
import SimpleITK as sitk
import highdicom as hd
from pydicom.uid import generate_uid
from rt_utils import RTStructBuilder

ROOT = "1.2.826.0.1.3680043.10.543."  # a test root; pydicom hashes the entropy under it (prefix None would ignore the entropy)


def uid(*parts):
    return generate_uid(prefix=ROOT, entropy_srcs=["nnunet-wizard-structures", *map(str, parts)])


def copy_series(src, dst, case, names):
    """The CT with valid UIDs of its own (study, series, frame of reference, instances)."""
    os.makedirs(dst, exist_ok=True)
    files = sorted(os.listdir(src))
    for i, f in enumerate(files):
        ds = pydicom.dcmread(os.path.join(src, f))
        ds.StudyInstanceUID = uid(case, "study")
        ds.SeriesInstanceUID = uid(case, "series")
        ds.FrameOfReferenceUID = uid(case, "for")
        ds.SOPInstanceUID = uid(case, "sop", f)
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        if not ds.get("SOPClassUID"):  # emptied by the anonymiser: CT Image Storage
            ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
        ds.PatientID = f"anon-{case}"
        ds.PatientName = f"Anon^{case}"
        ds.save_as(os.path.join(dst, names(i, f)))


def rotate_series(src, dst):
    """The series turned 180 degrees in-plane (ImageOrientationPatient -1,0,0,0,-1,0), the same patient
    positions: pixels rotated, the first pixel now the old last one; stored uncompressed."""
    os.makedirs(dst, exist_ok=True)
    for f in os.listdir(src):
        ds = pydicom.dcmread(os.path.join(src, f))
        px = ds.pixel_array[::-1, ::-1].copy()
        ipp = np.array(ds.ImagePositionPatient, float)
        dy, dx = (float(v) for v in ds.PixelSpacing)
        ipp = ipp + np.array([(ds.Columns - 1) * dx, (ds.Rows - 1) * dy, 0.0])
        ds.ImagePositionPatient = [f"{v:.6f}" for v in ipp]
        ds.ImageOrientationPatient = [-1, 0, 0, 0, -1, 0]
        ds.PixelData = px.tobytes()
        ds.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
        ds.SeriesInstanceUID = uid("rot", "series")
        ds.FrameOfReferenceUID = uid("rot", "for")
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = uid("rot", "sop", f)
        ds.save_as(os.path.join(dst, f), enforce_file_format=True)


def read_ct(d):
    r = sitk.ImageSeriesReader()
    r.SetFileNames(r.GetGDCMSeriesFileNames(d))
    return r.Execute()


def sorted_datasets(d):
    ds = [pydicom.dcmread(os.path.join(d, f)) for f in os.listdir(d)]
    normal = np.cross(np.array(ds[0].ImageOrientationPatient[:3], float), np.array(ds[0].ImageOrientationPatient[3:], float))
    ds.sort(key=lambda x: float(np.dot(normal, np.array(x.ImagePositionPatient, float))))
    return ds


def masks_of(ct):
    a = sitk.GetArrayFromImage(ct)  # z, y, x
    body = sitk.BinaryThreshold(ct, -300, 10000, 1, 0)
    body = sitk.BinaryMorphologicalOpening(body, [2, 2, 0])
    cc = sitk.RelabelComponent(sitk.ConnectedComponent(body), sortByObjectSize=True)
    body = sitk.BinaryThreshold(cc, 1, 1, 1, 0)
    body = sitk.BinaryFillhole(body, fullyConnected=False) if False else body
    body_a = sitk.GetArrayFromImage(body).astype(np.uint8)
    # fill holes slice by slice (the lungs, the bowel gas): a body contour has no holes
    filled = np.zeros_like(body_a)
    for z in range(body_a.shape[0]):
        filled[z] = sitk.GetArrayFromImage(sitk.BinaryFillhole(sitk.GetImageFromArray(body_a[z])))
    bone = (a > 250).astype(np.uint8)
    eroded = np.zeros_like(bone)
    for z in range(bone.shape[0]):
        eroded[z] = sitk.GetArrayFromImage(sitk.BinaryErode(sitk.GetImageFromArray(bone[z]), [1, 1]))
    rim = (bone & (1 - eroded)).astype(np.uint8)
    # a ring with a hole around the body's centre, on the middle slices
    ring = np.zeros_like(bone)
    zz, yy, xx = np.nonzero(filled)
    cy, cx = yy.mean(), xx.mean()
    Y, X = np.mgrid[0 : a.shape[1], 0 : a.shape[2]]
    r = np.hypot(Y - cy, X - cx)
    for z in range(5, 15):
        ring[z] = ((r <= 60) & (r >= 30)).astype(np.uint8)
    return {"body": filled, "bone": rim, "ring": ring}


def write_rtstruct(ct_dir, masks, names, path):
    rt = RTStructBuilder.create_new(dicom_series_path=ct_dir)
    colours = {"body": [255, 200, 150], "bone": [240, 240, 240], "ring": [0, 200, 0]}
    for key, roi in names.items():
        rt.add_roi(mask=np.transpose(masks[key], (1, 2, 0)).astype(bool), name=roi, color=colours[key])
    rt.save(path)  # rt-utils adds ".dcm"; the file keeps the name asked for (any name, none needed)
    os.rename(path if path.endswith(".dcm") else path + ".dcm", path)
    return rt


def segment(number, label):
    return hd.seg.SegmentDescription(
        segment_number=number,
        segment_label=label,
        segmented_property_category=hd.sr.CodedConcept("91723000", "SCT", "Anatomical Structure"),
        segmented_property_type=hd.sr.CodedConcept("818981001", "SCT", "Abdomen"),
        algorithm_type=hd.seg.SegmentAlgorithmTypeValues.MANUAL,
    )


def write_seg(source, pixels, labels, path, case, name, seg_type, omit_empty=True):
    seg = hd.seg.Segmentation(
        source_images=source,
        pixel_array=pixels,
        segmentation_type=seg_type,
        segment_descriptions=[segment(i + 1, l) for i, l in enumerate(labels)],
        series_instance_uid=uid(case, name, "series"),
        series_number=100,
        sop_instance_uid=uid(case, name, "sop"),
        instance_number=1,
        manufacturer="nnU-Net Wizard tests",
        manufacturer_model_name="makeStructures.py",
        software_versions="1",
        device_serial_number="1",
        omit_empty_frames=omit_empty,
        max_fractional_value=255,
    )
    seg.save_as(path)


def highdicom_read(path, uids, segments):
    """highdicom's own read-back of the SEG on the series' slices, in volume order: uint8 (z, y, x) per segment."""
    seg = hd.seg.segread(path)
    out = {}
    for n in segments:
        a = seg.get_pixels_by_source_instance(source_sop_instance_uids=uids, segment_numbers=[n], combine_segments=False, rescale_fractional=True, skip_overlap_checks=True)
        a = a[..., 0]
        if seg.SegmentationType == "FRACTIONAL":
            a = a >= 0.5
        out[n] = (a != 0).astype(np.uint8)
    return out


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    rnd = random.Random(20)
    # Case A: plain names; case B: shuffled, extension-less names, the series two folders deep.
    copy_series(src, os.path.join(out, "images", "caseA"), "A", lambda i, f: f)
    order = list(range(20))
    rnd.shuffle(order)
    copy_series(src, os.path.join(out, "images", "caseB", "x", "y"), "B", lambda i, f: f"IM{order[i]:04d}")
    ct_a = os.path.join(out, "images", "caseA")
    ct_b = os.path.join(out, "images", "caseB", "x", "y")

    ct = read_ct(ct_a)
    masks = masks_of(ct)
    os.makedirs(os.path.join(out, "expected"), exist_ok=True)
    for k, m in masks.items():
        m.astype(np.uint8).tofile(os.path.join(out, "expected", f"{k}.raw"))

    grids = {}
    for case, d in (("caseA", ct_a), ("caseB", ct_b)):
        img = read_ct(d)
        ds = sorted_datasets(d)
        grids[case] = {
            "size": list(img.GetSize()),
            "spacing": list(img.GetSpacing()),
            "origin": list(img.GetOrigin()),
            "direction": list(img.GetDirection()),
            "seriesInstanceUid": ds[0].SeriesInstanceUID,
            "frameOfReferenceUid": ds[0].FrameOfReferenceUID,
            "sopInstanceUids": [x.SOPInstanceUID for x in ds],
            "positions": [[float(v) for v in x.ImagePositionPatient] for x in ds],
        }

    # RTSTRUCT: case A has all three ROIs, case B no bone (a missing ROI); odd names, any depth.
    rs = os.path.join(out, "rtstruct")
    os.makedirs(os.path.join(rs, "deep", "er"), exist_ok=True)
    write_rtstruct(ct_a, masks, {"body": "BODY", "bone": "Bone_Rim", "ring": "Ring"}, os.path.join(rs, "deep", "er", "0001"))
    write_rtstruct(ct_b, masks, {"body": "External", "ring": "ring"}, os.path.join(rs, "RS.caseB.dcm"))
    # rt-utils' own read-back of case A's contours (for the report: ours against theirs)
    rt = RTStructBuilder.create_from(dicom_series_path=ct_a, rt_struct_path=os.path.join(rs, "deep", "er", "0001"))
    rtutils_read = {}
    for roi, key in (("BODY", "body"), ("Bone_Rim", "bone"), ("Ring", "ring")):
        try:
            np.transpose(rt.get_roi_mask_by_name(roi), (2, 0, 1)).astype(np.uint8).tofile(os.path.join(out, "expected", f"rtutils-{key}.raw"))
            rtutils_read[key] = "ok"
        except Exception as e:  # rt-utils' fillPoly refuses its own one- and two-point contours (isolated bone voxels)
            rtutils_read[key] = f"rt-utils cannot read it back: {str(e).strip().splitlines()[-1]}"

    # SEG of case A on its sorted source images: frames in volume order.
    src_ds = sorted_datasets(ct_a)
    uids = [x.SOPInstanceUID for x in src_ds]
    stacked = np.stack([masks["body"], masks["bone"], masks["ring"]], axis=-1).astype(np.uint8)
    labels = ["Body", "Bone rim", "Ring"]
    seg_dir = os.path.join(out, "seg")
    os.makedirs(seg_dir, exist_ok=True)
    write_seg(src_ds, stacked, labels, os.path.join(seg_dir, "binary-omitted"), "A", "omitted", hd.seg.SegmentationTypeValues.BINARY, omit_empty=True)
    write_seg(src_ds, stacked, labels, os.path.join(seg_dir, "binary-all.dcm"), "A", "all", hd.seg.SegmentationTypeValues.BINARY, omit_empty=False)
    # FRACTIONAL: a soft body (smoothed) so values around 0.5 decide the border
    soft = sitk.GetArrayFromImage(sitk.SmoothingRecursiveGaussian(sitk.GetImageFromArray(masks["body"].astype(np.float32)), 2.0)).astype(np.float32)
    soft = np.clip(soft, 0, 1)
    write_seg(src_ds, soft[..., None], ["Body"], os.path.join(seg_dir, "fractional.dcm"), "A", "fractional", hd.seg.SegmentationTypeValues.FRACTIONAL)

    expected = {}
    for name, segments in (("binary-omitted", [1, 2, 3]), ("binary-all.dcm", [1, 2, 3]), ("fractional.dcm", [1])):
        for n, a in highdicom_read(os.path.join(seg_dir, name), uids, segments).items():
            f = f"highdicom-{name.replace('.dcm', '')}-{n}.raw"
            a.tofile(os.path.join(out, "expected", f))
            expected[f] = int(a.sum())
    frames = {name: int(pydicom.dcmread(os.path.join(seg_dir, name)).NumberOfFrames) for name in ("binary-omitted", "binary-all.dcm", "fractional.dcm")}

    # An in-plane rotated series (-1,0,0,0,-1,0): contours and frames must land by the direction, not by rows.
    ct_rot = os.path.join(out, "rotated", "series")  # beside the image folder, not a case of it
    rotate_series(ct_a, ct_rot)
    rot_masks = masks_of(read_ct(ct_rot))
    for k, m in rot_masks.items():
        m.astype(np.uint8).tofile(os.path.join(out, "expected", f"rotated-{k}.raw"))
    write_rtstruct(ct_rot, rot_masks, {"body": "Body", "bone": "Bone", "ring": "Ring"}, os.path.join(out, "rotated-rtstruct"))
    rot_ds = sorted_datasets(ct_rot)
    write_seg(rot_ds, np.stack([rot_masks["body"], rot_masks["bone"]], axis=-1).astype(np.uint8), ["Body", "Bone"], os.path.join(out, "rotated-seg"), "rot", "seg", hd.seg.SegmentationTypeValues.BINARY)
    for n, a in highdicom_read(os.path.join(out, "rotated-seg"), [x.SOPInstanceUID for x in rot_ds], [1, 2]).items():
        a.tofile(os.path.join(out, "expected", f"highdicom-rotated-{n}.raw"))
        expected[f"highdicom-rotated-{n}.raw"] = int(a.sum())

    with open(os.path.join(out, "expected", "facts.json"), "w") as fh:
        json.dump({"grids": grids, "voxels": {k: int(m.sum()) for k, m in masks.items()}, "rotatedVoxels": {k: int(m.sum()) for k, m in rot_masks.items()}, "highdicom": expected, "frames": frames, "rtutilsRead": rtutils_read}, fh, indent=1)


if __name__ == "__main__":
    main()
