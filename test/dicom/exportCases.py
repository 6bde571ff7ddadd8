#!/usr/bin/env python3
"""Label maps for the DICOM export test (issue 20 item 5), and the reference read-back of what was exported.

    exportCases.py labels SERIES_DIR OUT_DIR
        SERIES_DIR is one series of test/dicom/makeDicom.py (the real CT with valid UIDs: plain, or
        turned 180 degrees in plane). Writes, on that series' grid as SimpleITK's ImageSeriesReader
        (GDCM) reads it:
        OUT_DIR/labels.nii.gz       1 body (CT > -500 HU, its largest region, holes filled per slice),
                                     2 a thin bone rim (bone minus its 2D erosion, 1 voxel thick),
                                     3 a ring with a hole (20 to 40 voxels from the body's centre, 12 slices);
                                     later labels overwrite earlier ones, so body has holes too
        OUT_DIR/wrong_grid.nii.gz   the same labels resampled to twice the spacing
        OUT_DIR/dataset.json        nnU-Net v2 labels of the three

    exportCases.py check SERIES_DIR LABELS DATASET_JSON SEG_FILE|- RTSTRUCT_FILE|-
        prints JSON: highdicom's read-back of the SEG against the label map (voxel for voxel, by the
        series' SOPInstanceUIDs in GDCM's order), the SEG's references and segments, rt-utils'
        read-back of the RTSTRUCT (Dice per ROI) and its references and ROIs.

    exportCases.py check-frames SERIES_FILE LABELS SEG_FILE
        the same for a SEG on an enhanced multi-frame series (one file): highdicom's read-back by
        (instance, frame), frames sorted along the normal, against the label map.
"""
import json
import os
import sys

import numpy as np
import pydicom
import SimpleITK as sitk
LABELS = {"background": 0, "body": 1, "bone_rim": 2, "ring": 3}


def read_ct(d):
    r = sitk.ImageSeriesReader()
    r.SetFileNames(r.GetGDCMSeriesFileNames(d))
    return r.Execute()


def label_map(ct):
    a = sitk.GetArrayFromImage(ct)  # z, y, x
    body = sitk.ConnectedComponent(sitk.GetImageFromArray((a > -500).astype(np.uint8)))
    body = sitk.GetArrayFromImage(sitk.RelabelComponent(body, sortByObjectSize=True)) == 1
    body = np.stack([sitk.GetArrayFromImage(sitk.BinaryFillhole(sitk.GetImageFromArray(s.astype(np.uint8)))) > 0 for s in body])
    bone = (a > 250) & body
    eroded = np.stack([sitk.GetArrayFromImage(sitk.BinaryErode(sitk.GetImageFromArray(s.astype(np.uint8)), [1, 1])) > 0 for s in bone])
    rim = bone & ~eroded
    z, y, x = np.indices(a.shape)
    cy, cx = np.argwhere(body[a.shape[0] // 2]).mean(axis=0)
    r = np.hypot(y - cy, x - cx)
    ring = (r <= 40) & (r > 20) & (z >= 4) & (z < 16)
    out = np.zeros(a.shape, np.uint8)
    out[body] = 1
    out[rim] = 2
    out[ring] = 3
    img = sitk.GetImageFromArray(out)
    img.CopyInformation(ct)
    return img


def labels(series_dir, out):
    os.makedirs(out, exist_ok=True)
    lab = label_map(read_ct(series_dir))
    sitk.WriteImage(lab, os.path.join(out, "labels.nii.gz"))
    wrong = sitk.Resample(lab, [s // 2 for s in lab.GetSize()], sitk.Transform(), sitk.sitkNearestNeighbor, lab.GetOrigin(), [s * 2 for s in lab.GetSpacing()], lab.GetDirection(), 0, sitk.sitkUInt8)
    sitk.WriteImage(wrong, os.path.join(out, "wrong_grid.nii.gz"))
    with open(os.path.join(out, "dataset.json"), "w") as f:
        json.dump({"channel_names": {"0": "CT"}, "labels": LABELS, "numTraining": 1, "file_ending": ".nii.gz"}, f, indent=2)


def dice(a, b):
    s = int(a.sum()) + int(b.sum())
    return 1.0 if s == 0 else 2.0 * int((a & b).sum()) / s


def check(series_dir, labels_file, dataset_json, seg_file, rt_file):
    import highdicom as hd
    from highdicom.color import CIELabColor
    from rt_utils import RTStructBuilder

    names = {v: k for k, v in json.load(open(dataset_json))["labels"].items() if v}
    # The series as GDCM orders it (along the normal), which is the label map's slice order.
    reader = sitk.ImageSeriesReader()
    files = reader.GetGDCMSeriesFileNames(series_dir)
    slices = [pydicom.dcmread(f, stop_before_pixels=True) for f in files]
    uids = [s.SOPInstanceUID for s in slices]
    lab_img = sitk.ReadImage(labels_file)
    lab = sitk.GetArrayFromImage(lab_img)  # z, y, x
    ref = slices[0]
    out = {"series": {"study": ref.StudyInstanceUID, "series": ref.SeriesInstanceUID, "for": ref.FrameOfReferenceUID, "patientId": str(ref.PatientID), "patientName": str(ref.PatientName)}}

    out["seriesInstances"] = sorted(uids)
    if seg_file != "-":
        out["seg"] = check_seg(hd, CIELabColor, names, slices, uids, lab, seg_file)
    if rt_file != "-":
        out["rtstruct"] = check_rtstruct(RTStructBuilder, names, slices, lab, series_dir, rt_file)
    print(json.dumps(out))


def check_seg(hd, CIELabColor, names, slices, uids, lab, seg_file):
    seg = hd.seg.segread(seg_file)
    number_to_value = {}
    segments = []
    for s in seg.SegmentSequence:
        value = next((v for v, n in names.items() if n == s.SegmentLabel), None)
        number_to_value[int(s.SegmentNumber)] = value
        rgb = CIELabColor.from_dicom_value([int(v) for v in s.RecommendedDisplayCIELabValue]).to_rgb(clip=True)
        alg = s.SegmentationAlgorithmIdentificationSequence[0]
        segments.append({"number": int(s.SegmentNumber), "label": s.SegmentLabel, "rgb": [int(c) for c in rgb], "algorithmType": s.SegmentAlgorithmType, "algorithmName": alg.AlgorithmName, "algorithmVersion": alg.AlgorithmVersion, "parameters": str(alg.get("AlgorithmParameters", ""))})
    pixels = seg.get_pixels_by_source_instance(source_sop_instance_uids=uids, combine_segments=True, relabel=False, assert_missing_frames_are_empty=True)
    mapped = np.zeros(pixels.shape, np.int32)
    for n, v in number_to_value.items():
        mapped[pixels == n] = v if v is not None else -1
    frame_refs = []
    positions_ok = True
    by_uid = {s.SOPInstanceUID: s for s in slices}
    for fg in seg.PerFrameFunctionalGroupsSequence:
        src = fg.DerivationImageSequence[0].SourceImageSequence[0]
        frame_refs.append(src.ReferencedSOPInstanceUID)
        s = by_uid.get(src.ReferencedSOPInstanceUID)
        pos = [float(v) for v in fg.PlanePositionSequence[0].ImagePositionPatient]
        if s is None or max(abs(a - float(b)) for a, b in zip(pos, s.ImagePositionPatient)) > 1e-3:
            positions_ok = False
    # highdicom's volume read-back too (geometry from the SEG's own plane positions).
    volume = seg.get_volume(combine_segments=True, relabel=False) if hasattr(seg, "get_volume") else None
    return {
        "mismatched": int((mapped != lab).sum()),
        "voxels": int(lab.size),
        "frames": int(seg.NumberOfFrames),
        "nonEmptySlicesPerLabel": {names[v]: int(((lab == v).reshape(lab.shape[0], -1).any(axis=1)).sum()) for v in names},
        "study": seg.StudyInstanceUID,
        "series": seg.ReferencedSeriesSequence[0].SeriesInstanceUID,
        "referencedInstances": sorted(i.ReferencedSOPInstanceUID for i in seg.ReferencedSeriesSequence[0].ReferencedInstanceSequence),
        "for": seg.FrameOfReferenceUID,
        "frameSourcesInSeries": all(u in by_uid for u in frame_refs),
        "framePositionsMatchSources": positions_ok,
        "patientId": str(seg.PatientID),
        "patientName": str(seg.PatientName),
        "segmentationType": seg.SegmentationType,
        "segments": segments,
        "volumeShape": list(volume.array.shape) if volume is not None else None,
    }


def check_rtstruct(RTStructBuilder, names, slices, lab, series_dir, rt_file):
    by_uid = {s.SOPInstanceUID: s for s in slices}
    rt = RTStructBuilder.create_from(dicom_series_path=series_dir, rt_struct_path=rt_file)
    ds = rt.ds
    rois = []
    for roi, obs in zip(ds.StructureSetROISequence, ds.ROIContourSequence):
        mask = rt.get_roi_mask_by_name(roi.ROIName)  # (rows, columns, slices) in rt-utils' order along the normal
        mask = np.transpose(mask, (2, 0, 1))
        value = next((v for v, n in names.items() if n == roi.ROIName), None)
        truth = lab == value
        contour_images_ok = all(c.ContourImageSequence[0].ReferencedSOPInstanceUID in by_uid for c in obs.get("ContourSequence", []))
        rois.append({"name": roi.ROIName, "colour": [int(c) for c in obs.ROIDisplayColor], "dice": dice(mask, truth), "voxels": int(truth.sum()), "readBack": int(mask.sum()), "contours": len(obs.get("ContourSequence", [])), "contourImagesInSeries": contour_images_ok, "algorithm": roi.ROIGenerationAlgorithm})
    rfor = ds.ReferencedFrameOfReferenceSequence[0]
    rstudy = rfor.RTReferencedStudySequence[0]
    rseries = rstudy.RTReferencedSeriesSequence[0]
    return {
        "for": rfor.FrameOfReferenceUID,
        "study": rstudy.ReferencedSOPInstanceUID,
        "studyInstanceUid": ds.StudyInstanceUID,
        "series": rseries.SeriesInstanceUID,
        "contourImages": sorted(c.ReferencedSOPInstanceUID for c in rseries.ContourImageSequence),
        "patientId": str(ds.PatientID),
        "rois": rois,
    }


def check_frames(series_file, labels_file, seg_file):
    """A SEG on an enhanced multi-frame series: highdicom's read-back by (instance, frame) against the label map."""
    import highdicom as hd

    src = pydicom.dcmread(series_file, stop_before_pixels=True)
    seg = hd.seg.segread(seg_file)
    n = int(src.NumberOfFrames)
    px = seg.get_pixels_by_source_frame(source_sop_instance_uid=src.SOPInstanceUID, source_frame_numbers=list(range(1, n + 1)), combine_segments=True, relabel=False, assert_missing_frames_are_empty=True)
    iop = [float(v) for v in src.SharedFunctionalGroupsSequence[0].PlaneOrientationSequence[0].ImageOrientationPatient]
    normal = np.cross(iop[:3], iop[3:])
    along = [float(np.dot(normal, [float(v) for v in f.PlanePositionSequence[0].ImagePositionPatient])) for f in src.PerFrameFunctionalGroupsSequence]
    lab = sitk.GetArrayFromImage(sitk.ReadImage(labels_file))
    refs = [(fg.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID, int(fg.DerivationImageSequence[0].SourceImageSequence[0].ReferencedFrameNumber)) for fg in seg.PerFrameFunctionalGroupsSequence]
    print(json.dumps({"mismatched": int((px[np.argsort(along)] != lab).sum()), "voxels": int(lab.size), "frames": int(seg.NumberOfFrames), "sourceInstance": src.SOPInstanceUID, "referencedInstances": sorted({r[0] for r in refs}), "referencedFrames": sorted({r[1] for r in refs})}))


if __name__ == "__main__":
    if sys.argv[1] == "labels":
        labels(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "check-frames":
        check_frames(*sys.argv[2:5])
    elif sys.argv[1] == "check":
        check(*sys.argv[2:7])
    else:
        sys.exit(__doc__)
