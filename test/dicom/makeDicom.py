#!/usr/bin/env python3
"""Real DICOM scan variants for the DICOM import tests of issue 20 (items 1-3, 6, 7).

    makeDicom.py CT_DICOM_DIR OUT_DIR

Starts from the real 20-slice CT series (../shared/data/totalseg/ct_dicom, JPEG 2000 lossless,
anonymised with EMPTY UIDs), gives every copy valid UIDs of its own (deterministic: fixed entropy)
and writes the variants a hospital export has, one case folder each under OUT_DIR/cases/:

  plain         the series as it is (JPEG 2000 lossless), valid UIDs
  shuffled      shuffled, extension-less file names spread over nested sub-folders
  reversed      file names and InstanceNumbers in the opposite order of the positions
  two_series    two series in one folder (the second: other UIDs, description "CT bone")
  rotated       in-plane rotated by 180 degrees: ImageOrientationPatient -1,0,0,0,-1,0, pixel
                data flipped in both axes and the position moved to the new first voxel, so the
                same anatomy sits at the same patient coordinates (uncompressed)
  missing       slice 8 of 20 removed (refused: missing slices)
  tilted        positions drifting in-plane 15 degrees per step, GantryDetectorTilt 15 (refused)
  uncompressed  the series decompressed to Explicit VR Little Endian
  enhanced      the series as one Legacy Converted Enhanced CT multi-frame file (highdicom)
  unsigned      stored unsigned (HU + 1024, PixelRepresentation 0), RescaleIntercept -1024: the
                same HU as int16
  halves        stored as 2 x HU with RescaleSlope 0.5: values in half HU steps (float32)
  rle           the series re-encoded RLE Lossless (pydicom's own encoder)
  jpegls        the series re-encoded JPEG-LS Lossless (pyjpegls)

References beside them, under OUT_DIR/expected/: for each readable series, SimpleITK's
ImageSeriesReader (GDCM) read of exactly that series' files (as GetGDCMSeriesFileNames sorts
them) as <case>[.<series>].nii.gz, and variants.json: per case the series (UID, description),
what is expected (read, or refused with which problem code), and for read ones the geometry.
OUT_DIR/masks/body/<case>.nii.gz: a body mask (CT > -500 HU) on the SimpleITK grid, for prepare
tests. Patient tags are set to recognisable fake values (PATIENT_ID, PATIENT_NAME, STUDY_DATE)
so a test can assert that none of them leaks into a dataset.

Extending it (RTSTRUCT / SEG variants): import this module and use copy_series(src, dst, case)
for a CT with valid UIDs, uid(...) for deterministic UIDs, and sitk_read(files) for the
reference; or add an entry to VARIANTS (a function (src, case_dir, case) -> list of series
dicts) and it is built, referenced and listed like the others.
"""
import json
import os
import random
import shutil
import sys

import numpy as np
import pydicom
import SimpleITK as sitk
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

ROOT = "1.2.826.0.1.3680043.10.543."  # a test root; the entropy makes each UID unique and stable
PATIENT_ID = "PAT-7731-SECRET"
PATIENT_NAME = "Doe^Jane^Secret"
STUDY_DATE = "19990412"


def uid(*parts):
    return generate_uid(prefix=ROOT, entropy_srcs=["nnunet-wizard-dicom", *map(str, parts)])


def source_files(src):
    return sorted(os.path.join(src, f) for f in os.listdir(src) if not f.startswith("."))


def with_uids(ds, case, series="a", name=""):
    """Valid UIDs (study, series, frame of reference, instance) and the fake patient of this case."""
    ds.StudyInstanceUID = uid(case, "study")
    ds.SeriesInstanceUID = uid(case, "series", series)
    ds.FrameOfReferenceUID = uid(case, "for")
    ds.SOPInstanceUID = uid(case, "sop", series, name)
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    if not ds.get("SOPClassUID"):  # emptied by the anonymiser: CT Image Storage
        ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.PatientID = PATIENT_ID
    ds.PatientName = PATIENT_NAME
    ds.StudyDate = STUDY_DATE
    return ds


def decompressed(ds):
    """The same instance with its pixel data uncompressed (Explicit VR Little Endian)."""
    arr = ds.pixel_array
    ds.PixelData = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds["PixelData"].VR = "OW"
    return ds, arr


def by_position(src):
    """The source files sorted along the slice normal (the order the tests expect volumes in)."""
    ds = [(f, pydicom.dcmread(f, stop_before_pixels=True)) for f in source_files(src)]
    o = np.array(ds[0][1].ImageOrientationPatient, float)
    n = np.cross(o[:3], o[3:])
    return [f for f, d in sorted(ds, key=lambda x: float(np.dot(n, np.array(x[1].ImagePositionPatient, float))))]


def copy_series(src, dst, case, series="a", names=None, transform=None, description=None, number=None):
    """Copies the CT into dst with valid UIDs; names(i, file) gives each relative output name
    (i = index along the normal); transform(ds, i) may change an instance. Returns the written paths."""
    os.makedirs(dst, exist_ok=True)
    written = []
    for i, f in enumerate(by_position(src)):
        ds = pydicom.dcmread(f)
        with_uids(ds, case, series, i)
        ds.InstanceNumber = i + 1
        if description is not None:
            ds.SeriesDescription = description
        if number is not None:
            ds.SeriesNumber = number
        if transform:
            ds = transform(ds, i)
            if ds is None:
                continue
        rel = names(i, f) if names else os.path.basename(f)
        out = os.path.join(dst, rel)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        ds.save_as(out, enforce_file_format=True)
        written.append(out)
    return written


def sitk_read(files_dir, series_uid):
    """SimpleITK's own read: GDCM lists and sorts the series' files, ImageSeriesReader reads them."""
    names = sitk.ImageSeriesReader.GetGDCMSeriesFileNames(files_dir, series_uid, False, True)
    reader = sitk.ImageSeriesReader()
    reader.SetFileNames(names)
    return reader.Execute(), list(names)


def geometry(img):
    return {
        "size": list(img.GetSize()),
        "spacing": list(img.GetSpacing()),
        "origin": list(img.GetOrigin()),
        "direction": list(img.GetDirection()),
        "pixelType": img.GetPixelIDTypeAsString(),
    }


# --- the variants: each writes its files into case_dir and returns its series ---------------------


def v_plain(src, d, case):
    copy_series(src, d, case)
    return [{"series": "a", "expect": "read"}]


def v_shuffled(src, d, case):
    rng = random.Random(20)
    order = list(range(20))
    rng.shuffle(order)
    copy_series(src, d, case, names=lambda i, f: os.path.join(f"sub{order[i] % 3}", "deeper" if order[i] % 2 else "", f"{order[i]:08X}"))
    return [{"series": "a", "expect": "read"}]


def v_reversed(src, d, case):
    def rev(ds, i):
        ds.InstanceNumber = 20 - i
        return ds
    copy_series(src, d, case, names=lambda i, f: f"IM{20 - i:04d}.dcm", transform=rev)
    return [{"series": "a", "expect": "read"}]


def v_two_series(src, d, case):
    copy_series(src, d, case, series="a", names=lambda i, f: f"a{i:03d}", description="CT soft tissue", number=2)

    def bone(ds, i):
        ds, arr = decompressed(ds)
        ds.PixelData = np.clip(arr, 0, None).astype(arr.dtype).tobytes()
        return ds
    copy_series(src, d, case, series="b", names=lambda i, f: f"b{i:03d}", transform=bone, description="CT bone", number=3)
    return [{"series": "a", "expect": "ambiguous-series", "pattern": "soft"}, {"series": "b", "expect": "ambiguous-series", "pattern": "bone"}]


def v_rotated(src, d, case):
    def rotate(ds, i):
        ds, arr = decompressed(ds)
        ds.PixelData = np.ascontiguousarray(arr[::-1, ::-1]).tobytes()
        p = np.array(ds.ImagePositionPatient, float)
        o = np.array(ds.ImageOrientationPatient, float)
        dy, dx = (float(v) for v in ds.PixelSpacing)  # row spacing, column spacing
        # The new first voxel is the old last one of the slice: old origin + (cols-1) dx row + (rows-1) dy col.
        newp = p + (ds.Columns - 1) * dx * o[:3] + (ds.Rows - 1) * dy * o[3:]
        ds.ImagePositionPatient = [f"{v:.6f}".rstrip("0").rstrip(".") for v in newp]
        ds.ImageOrientationPatient = [-1, 0, 0, 0, -1, 0]
        return ds
    copy_series(src, d, case, transform=rotate)
    return [{"series": "a", "expect": "read"}]


def v_missing(src, d, case):
    copy_series(src, d, case, transform=lambda ds, i: None if i == 7 else ds)
    return [{"series": "a", "expect": "missing-slices"}]


def v_tilted(src, d, case):
    z0 = float(pydicom.dcmread(by_position(src)[0], stop_before_pixels=True).ImagePositionPatient[2])

    def tilt(ds, i):
        p = [float(v) for v in ds.ImagePositionPatient]
        p[1] += (p[2] - z0) * np.tan(np.radians(15))
        ds.ImagePositionPatient = [f"{v:.6f}" for v in p]
        ds.GantryDetectorTilt = 15
        return ds
    copy_series(src, d, case, transform=tilt)
    return [{"series": "a", "expect": "gantry-tilt"}]


def v_uncompressed(src, d, case):
    copy_series(src, d, case, transform=lambda ds, i: decompressed(ds)[0])
    return [{"series": "a", "expect": "read"}]


def v_enhanced(src, d, case):
    import highdicom as hd
    tmp = d + ".single"
    files = copy_series(src, tmp, case, transform=lambda ds, i: decompressed(ds)[0])
    singles = [pydicom.dcmread(f) for f in files]
    mf = hd.legacy.LegacyConvertedEnhancedCTImage(
        legacy_datasets=singles, series_instance_uid=uid(case, "series", "a"), series_number=1,
        sop_instance_uid=uid(case, "sop", "enhanced"), instance_number=1)
    os.makedirs(d, exist_ok=True)
    mf.save_as(os.path.join(d, "enhanced.dcm"))
    shutil.rmtree(tmp)
    return [{"series": "a", "expect": "read", "multiFrame": True, "sameAs": "uncompressed"}]


def v_unsigned(src, d, case):
    def unsigned(ds, i):
        ds, arr = decompressed(ds)
        hu = arr.astype(np.int32) * int(ds.RescaleSlope) + int(ds.RescaleIntercept)
        ds.PixelData = np.clip(hu + 1024, 0, 65535).astype("<u2").tobytes()
        ds.PixelRepresentation = 0
        ds.RescaleIntercept = -1024
        ds.RescaleSlope = 1
        return ds
    copy_series(src, d, case, transform=unsigned)
    return [{"series": "a", "expect": "read"}]


def v_halves(src, d, case):
    def halves(ds, i):
        ds, arr = decompressed(ds)
        hu = arr.astype(np.int32) * int(ds.RescaleSlope) + int(ds.RescaleIntercept)
        # An odd stored value makes a half: +1 on every other row, so the slope is not only formal.
        stored = hu * 2 + (np.arange(hu.shape[0])[:, None] % 2)
        ds.PixelData = np.clip(stored, -32768, 32767).astype("<i2").tobytes()
        ds.PixelRepresentation = 1
        ds.RescaleSlope = "0.5"
        ds.RescaleIntercept = 0
        return ds
    copy_series(src, d, case, transform=halves)
    return [{"series": "a", "expect": "read"}]


def recoded(syntax):
    def make(src, d, case):
        def enc(ds, i):
            ds, arr = decompressed(ds)
            ds.compress(syntax, arr)
            return ds
        copy_series(src, d, case, transform=enc)
        return [{"series": "a", "expect": "read"}]
    return make


VARIANTS = {
    "plain": v_plain,
    "shuffled": v_shuffled,
    "reversed": v_reversed,
    "two_series": v_two_series,
    "rotated": v_rotated,
    "missing": v_missing,
    "tilted": v_tilted,
    "uncompressed": v_uncompressed,
    "enhanced": v_enhanced,
    "unsigned": v_unsigned,
    "halves": v_halves,
    "rle": recoded(pydicom.uid.RLELossless),
    "jpegls": recoded(pydicom.uid.JPEGLSLossless),
}


# Variants that need a codec or an IOD the installed pydicom/highdicom may lack: listed as skipped
# when they cannot be made. Any other variant failing is an error of the generator.
OPTIONAL = {"enhanced", "rle", "jpegls"}


def build(src, out, only=None):
    if not os.path.isdir(src) or not any(n.lower().endswith(".dcm") for n in os.listdir(src)):
        sys.exit(f"makeDicom: {src} holds no DICOM series (the real CT of shared/data/totalseg/ct_dicom is needed)")
    cases_dir = os.path.join(out, "cases")
    expected_dir = os.path.join(out, "expected")
    masks_dir = os.path.join(out, "masks", "body")
    for p in (cases_dir, expected_dir, masks_dir):
        os.makedirs(p, exist_ok=True)
    listing = {}
    for case, make in VARIANTS.items():
        if only and case not in only:
            continue
        d = os.path.join(cases_dir, case)
        try:
            series = make(src, d, case)
        except Exception as err:  # a variant the installed highdicom/GDCM cannot make is listed, not fatal
            if case not in OPTIONAL:
                raise
            shutil.rmtree(d, ignore_errors=True)
            listing[case] = {"skipped": f"{type(err).__name__}: {err}"}
            continue
        entries = []
        for s in series:
            s = dict(s)
            s["uid"] = uid(case, "series", s["series"])
            if s.get("sameAs"):
                pass  # SimpleITK reads a multi-frame file as a 4D image: compared with the single-frame read of the same slices
            elif s["expect"] in ("read", "ambiguous-series"):
                try:
                    img, names = sitk_read(d, s["uid"])
                    name = case if len(series) == 1 else f"{case}.{s['series']}"
                    sitk.WriteImage(img, os.path.join(expected_dir, f"{name}.nii.gz"))
                    s["expected"] = f"{name}.nii.gz"
                    s["geometry"] = geometry(img)
                    s["files"] = [os.path.relpath(n, d) for n in names]
                    if len(series) == 1:
                        body = sitk.Cast(img > -500, sitk.sitkUInt8)
                        sitk.WriteImage(body, os.path.join(masks_dir, f"{case}.nii.gz"))
                except Exception as err:
                    s["sitkError"] = f"{type(err).__name__}: {err}"
            entries.append(s)
        listing[case] = {"series": entries}
    listing["_patient"] = {"PatientID": PATIENT_ID, "PatientName": PATIENT_NAME, "StudyDate": STUDY_DATE}
    with open(os.path.join(out, "variants.json"), "w") as f:
        json.dump(listing, f, indent=1)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    build(sys.argv[1], sys.argv[2], set(sys.argv[3:]) or None)
