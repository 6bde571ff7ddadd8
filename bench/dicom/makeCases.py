#!/usr/bin/env python3
"""The DICOM bench's data (issue 20): N case folders, each the real 20-slice CT series (JPEG 2000
lossless, as ../shared/data/totalseg/ct_dicom holds it) with UIDs of its own and a structure set
beside it whose ROI "BODY" rt-utils drew from a threshold mask of that CT.

    makeCases.py CT_DICOM_DIR OUT_DIR N

Writes OUT_DIR/images/case-<i>/ (the slices and RS.dcm). Uses test/dicom/makeStructures.py's
helpers, so the bench's RTSTRUCT is made exactly as the tests' is.
"""
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "dicom"))
import makeStructures as ms  # noqa: E402

src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
first = os.path.join(out, "images", "case-1")
ms.copy_series(src, first, "bench-1", lambda i, f: f)
masks = ms.masks_of(ms.read_ct(first))
for i in range(1, n + 1):
    d = os.path.join(out, "images", f"case-{i}")
    if i > 1:
        ms.copy_series(src, d, f"bench-{i}", lambda k, f: f)
    ms.write_rtstruct(d, masks, {"body": "BODY"}, os.path.join(d, "RS.dcm"))
