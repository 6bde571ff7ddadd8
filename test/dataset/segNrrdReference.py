"""3D Slicer segmentations for the multi-label source tests, made and read by slicerio (Slicer's own
.seg.nrrd reader and writer) from real TotalSegmentator masks.

  write OUT NAME=MASK ...   one segment per mask, each on its own layer (a 4D .seg.nrrd, as Slicer
                            keeps overlapping segments), label value 1, on the masks' grid; then
                            read back with slicerio and each segment compared with its mask.
  check FILE NAME=MASK ...  reads FILE (e.g. written by the app) with slicerio and compares each
                            named segment's voxels (its layer, its label value) with the mask.
  labelmap OUT NAME=MASK:VALUE ...  a label map (.nrrd) by SimpleITK: each mask's voxels set to its
                            value, later masks over earlier ones.
Prints one JSON line: the segments slicerio read and the voxels differing per segment.
"""
import json
import sys

import numpy as np
import SimpleITK as sitk
import slicerio


def mask_ijk(path):
    """The mask as an (i, j, k) array and the ijk -> LPS matrix of its grid."""
    image = sitk.ReadImage(path)
    arr = sitk.GetArrayFromImage(image).transpose(2, 1, 0)
    d = np.array(image.GetDirection()).reshape(3, 3)
    m = np.eye(4)
    m[0:3, 0:3] = d * np.array(image.GetSpacing())
    m[0:3, 3] = image.GetOrigin()
    return (arr != 0).astype(np.uint8), m, image


def compare(path, pairs):
    seg = slicerio.read_segmentation(path)
    voxels = seg["voxels"]
    diffs = {}
    for name, mask_path in pairs:
        want, _, _ = mask_ijk(mask_path)
        s = slicerio.segment_from_name(seg, name)
        layer = voxels[s.get("layer", 0)] if voxels.ndim == 4 else voxels
        diffs[name] = int(np.count_nonzero((layer == s["labelValue"]).astype(np.uint8) != want))
    names = [s["name"] for s in seg["segments"]]
    return {"segments": names, "layers": int(voxels.shape[0]) if voxels.ndim == 4 else 1, "diffs": diffs}


def main():
    mode, out, *specs = sys.argv[1:]
    if mode == "labelmap":
        result = None
        ref = None
        for spec in specs:
            name, rest = spec.split("=", 1)
            path, value = rest.rsplit(":", 1)
            image = sitk.ReadImage(path)
            arr = sitk.GetArrayFromImage(image)
            if result is None:
                result, ref = np.zeros(arr.shape, np.uint8), image
            result[arr != 0] = int(value)
        img = sitk.GetImageFromArray(result)
        img.CopyInformation(ref)
        sitk.WriteImage(img, out, True)
        print(json.dumps({"written": out}))
        return
    pairs = [tuple(s.split("=", 1)) for s in specs]
    if mode == "write":
        layers, segments, m = [], [], None
        for n, (name, path) in enumerate(pairs):
            arr, m, _ = mask_ijk(path)
            layers.append(arr)
            segments.append({"id": f"Segment_{n + 1}", "name": name, "labelValue": 1, "layer": n, "color": [0.5, 0.2 * n, 0.1]})
        slicerio.write_segmentation(out, {"voxels": np.stack(layers), "ijkToLPS": m, "segments": segments, "containedRepresentationNames": ["Binary labelmap"]})
    print(json.dumps(compare(out, pairs)))


if __name__ == "__main__":
    main()
