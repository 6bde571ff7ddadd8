#!/usr/bin/env python3
"""Generate the benchmark dataset in the guide's layout (image/ organ/ tumor/, image-N.nrrd).

--kind ct (the default): a real CT scan (the test data's TotalSegmentator aorta CT, 120x126x164 at
1.5 mm) resampled (linear) to --size, plus Gaussian noise of sigma --noise HU (12: what a real
scanner's noise looks like at this resolution), so the volume compresses like a real scan does;
masks: its aorta ("organ") and aorta false lumen ("tumor", inside the aorta, so the merge's "later
wins" rule matters), resampled nearest-neighbour. Each case gets its own noise (seed N) and origin.

--kind smooth: the earlier synthetic volume (air, body ellipse with fat/soft tissue, lungs in the
upper slices, a spine, mild noise) with a blobby "organ" and a smaller blobby "tumor" that overlaps
the organ's border. Such volumes compress unusually well, which flatters any method that
re-compresses.

Deterministic: case N always uses seed N; origin x = -200 + N (verify.py finds the source case by
it). NRRD files are written gzip-compressed by SimpleITK, as 3D Slicer (also ITK) does by default.

usage: generate.py --out DIR [--kind ct|smooth] [--cases 20] [--size 512x512x160] [--first 1]
                   [--noise 12] [--no-compress]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import SimpleITK as sitk


def smooth_field(rng, shape, k=6, max_freq=3.0):
    """A smooth random field in [-1, 1] over `shape` (z, y, x): a sum of k random 3D cosines."""
    z, y, x = (np.linspace(0.0, 1.0, n, dtype=np.float32) for n in shape)
    out = np.zeros(shape, dtype=np.float32)
    for _ in range(k):
        f = rng.uniform(0.5, max_freq, size=3).astype(np.float32) * 2 * np.pi
        p = rng.uniform(0, 2 * np.pi, size=3).astype(np.float32)
        out += (np.cos(f[0] * z + p[0])[:, None, None]
                * np.cos(f[1] * y + p[1])[None, :, None]
                * np.cos(f[2] * x + p[2])[None, None, :])
    return out / k


def blob(rng, shape, center, radii, wobble):
    """uint8 0/1 mask of a perturbed ellipsoid, computed only inside its bounding box."""
    mask = np.zeros(shape, dtype=np.uint8)
    lo = [max(0, int(c - r * (1 + wobble)) - 1) for c, r in zip(center, radii)]
    hi = [min(n, int(c + r * (1 + wobble)) + 2) for n, c, r in zip(shape, center, radii)]
    if any(h <= l for l, h in zip(lo, hi)):
        return mask
    zz, yy, xx = np.ogrid[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]]
    d = (((zz - center[0]) / radii[0]) ** 2 + ((yy - center[1]) / radii[1]) ** 2
         + ((xx - center[2]) / radii[2]) ** 2).astype(np.float32)
    field = smooth_field(rng, tuple(h - l for l, h in zip(lo, hi)), k=5, max_freq=2.5)
    mask[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]] = (np.sqrt(d) + wobble * field) < 1.0
    return mask


def make_case(seed, shape):
    nz, ny, nx = shape
    rng = np.random.default_rng(seed)
    img = np.full(shape, -1000, dtype=np.int16)

    # body: an ellipse in x/y whose size drifts slowly along z
    yy, xx = np.ogrid[0:ny, 0:nx]
    cy, cx = ny * 0.52, nx * 0.5
    ay0, ax0 = ny * rng.uniform(0.28, 0.34), nx * rng.uniform(0.36, 0.42)
    body = np.zeros(shape, dtype=bool)
    fat = np.zeros(shape, dtype=bool)
    for z in range(nz):
        s = 1.0 + 0.06 * np.sin(2 * np.pi * z / max(nz, 1) + seed)
        e = ((yy - cy) / (ay0 * s)) ** 2 + ((xx - cx) / (ax0 * s)) ** 2
        body[z] = e < 1.0
        fat[z] = (e < 1.0) & (e > 0.78)
    img[body] = 40
    img[fat] = -100
    # lungs in the upper quarter of the slices
    top = max(1, nz // 4)
    for sign in (-1, 1):
        lung = blob(rng, (top, ny, nx), (top / 2, cy - ny * 0.03, cx + sign * nx * 0.17),
                    (top * 0.7, ny * 0.16, nx * 0.12), 0.15)
        img[:top][lung.astype(bool)] = -850
    # spine
    sy, sx = cy + ay0 * 0.62, cx
    spine = ((yy - sy) / (ny * 0.045)) ** 2 + ((xx - sx) / (nx * 0.04)) ** 2 < 1.0
    img[:, spine] = 700

    # organ: a big blob on one side of the abdomen; tumor: a small blob on the organ's border
    oc = (nz * rng.uniform(0.45, 0.6), cy - ny * rng.uniform(0.0, 0.06), cx + nx * rng.uniform(-0.16, -0.1))
    orad = (nz * rng.uniform(0.22, 0.3), ny * rng.uniform(0.09, 0.12), nx * rng.uniform(0.1, 0.13))
    organ = blob(rng, shape, oc, orad, 0.25)
    theta = rng.uniform(0, 2 * np.pi)
    tc = (oc[0] + orad[0] * rng.uniform(-0.4, 0.4),
          oc[1] + orad[1] * 0.85 * np.sin(theta),
          oc[2] + orad[2] * 0.85 * np.cos(theta))
    tr = (nz * rng.uniform(0.06, 0.1), ny * rng.uniform(0.03, 0.045), nx * rng.uniform(0.03, 0.045))
    tumor = blob(rng, shape, tc, tr, 0.3)
    img[organ.astype(bool)] = 60
    img[tumor.astype(bool)] = 25

    # CT noise (inside the body) and a little outside
    noise = rng.standard_normal(shape, dtype=np.float32)
    noise *= np.where(body, np.float32(14.0), np.float32(4.0))
    img = np.clip(img.astype(np.float32) + noise, -1024, 3071).astype(np.int16)
    return img, organ, tumor


CT_SOURCE = os.environ.get('NNUNET_WIZARD_BENCH_CT', '/work/shared/data/totalseg/aorta')


def ct_base(size_xyz):
    """The real CT and two of its masks resampled to size_xyz: (float32 image, organ, tumor, spacing)."""
    ct = sitk.ReadImage(os.path.join(CT_SOURCE, 'ct.nii.gz'))
    old_size, old_sp = ct.GetSize(), ct.GetSpacing()
    spacing = tuple(o * s / n for o, s, n in zip(old_size, old_sp, size_xyz))
    ref = sitk.Image([int(v) for v in size_xyz], sitk.sitkUInt8)
    ref.SetSpacing(spacing)
    ref.SetOrigin(ct.GetOrigin())
    ref.SetDirection(ct.GetDirection())

    def resample(img, interp, pixel):
        return sitk.GetArrayFromImage(sitk.Resample(img, ref, sitk.Transform(), interp, 0, pixel))

    image = resample(ct, sitk.sitkLinear, sitk.sitkFloat32)
    organ = resample(sitk.ReadImage(os.path.join(CT_SOURCE, 'masks', 'aorta.nii.gz')), sitk.sitkNearestNeighbor, sitk.sitkUInt8)
    tumor = resample(sitk.ReadImage(os.path.join(CT_SOURCE, 'masks', 'aorta_false_lumen.nii.gz')), sitk.sitkNearestNeighbor, sitk.sitkUInt8)
    return image, organ, tumor, spacing


def make_ct_case(seed, base, sigma):
    image, organ, tumor, _ = base
    rng = np.random.default_rng(seed)
    noisy = image + rng.standard_normal(image.shape, dtype=np.float32) * np.float32(sigma)
    return np.clip(np.rint(noisy), -1024, 3071).astype(np.int16), organ, tumor


def to_itk(arr, spacing, origin):
    im = sitk.GetImageFromArray(arr)
    im.SetSpacing(spacing)
    im.SetOrigin(origin)
    return im


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--cases', type=int, default=20)
    ap.add_argument('--first', type=int, default=1)
    ap.add_argument('--kind', default='ct', choices=['ct', 'smooth'])
    ap.add_argument('--size', default=None, help='X x Y x Z (default 512x512x160 for ct, 512x512x120 for smooth)')
    ap.add_argument('--noise', type=float, default=12.0, help='ct: Gaussian noise sigma in HU')
    ap.add_argument('--no-compress', action='store_true')
    a = ap.parse_args()
    size = a.size or ('512x512x160' if a.kind == 'ct' else '512x512x120')
    sx, sy, sz = (int(v) for v in size.lower().split('x'))
    base = ct_base((sx, sy, sz)) if a.kind == 'ct' else None
    for d in ('image', 'organ', 'tumor'):
        os.makedirs(os.path.join(a.out, d), exist_ok=True)
    t0 = time.time()
    stats = []
    for n in range(a.first, a.first + a.cases):
        if base is not None:
            img, organ, tumor = make_ct_case(n, base, a.noise)
            spacing = base[3]
        else:
            img, organ, tumor = make_case(n, (sz, sy, sx))
            spacing = (0.78 + 0.01 * (n % 5), 0.78 + 0.01 * (n % 5), 2.5)
        origin = (-200.0 + n, -190.0, -300.0 - 2.5 * n)
        name = f'image-{n}.nrrd'
        for sub, arr in (('image', img), ('organ', organ), ('tumor', tumor)):
            dst = os.path.join(a.out, sub, name)
            tmp = os.path.join(a.out, sub, f'.tmp-{name}')
            sitk.WriteImage(to_itk(arr, spacing, origin), tmp, not a.no_compress)
            os.replace(tmp, dst)
        o, t = int(organ.sum()), int(tumor.sum())
        ov = int((organ & tumor).sum())
        stats.append({'case': name, 'organ': o, 'tumor': t, 'overlap': ov})
        print(f'  {name}: organ {o} vox, tumor {t} vox, overlap {ov}  ({time.time() - t0:.1f}s)', flush=True)
        if o == 0 or t == 0:
            print(f'generate.py: {name} has an empty mask', file=sys.stderr)
            return 1
    with open(os.path.join(a.out, 'generated.json'), 'w') as f:
        json.dump({'kind': a.kind, 'size': [sx, sy, sz], 'noise': a.noise if a.kind == 'ct' else None, 'cases': stats, 'compressed': not a.no_compress}, f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
