"""Optical flow of consecutive frames by OpenCV's DIS (preset medium), the
independent flow bench/throughput.sh scores warping errors with.

    python3 bench/cvflow.py DIR

For every DIR/content-%06d.png t > 0 it writes DIR/bwd-%06d.flo (frame t to
t-1, on frame t's grid) and DIR/fwd-%06d.flo (t-1 to t) in Middlebury .flo.
Needs Debian's python3-opencv and numpy; exits 3 when cv2 is missing.
"""
import glob
import os
import sys

try:
    import cv2
    import numpy as np
except ImportError:
    sys.exit(3)


def write_flo(path, flow):
    h, w = flow.shape[:2]
    with open(path, "wb") as f:
        np.array([202021.25], np.float32).tofile(f)
        np.array([w, h], np.int32).tofile(f)
        flow.astype(np.float32).tofile(f)


def main():
    d = sys.argv[1]
    files = sorted(glob.glob(os.path.join(d, "content-*.png")))
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    gray = [cv2.cvtColor(cv2.imread(f), cv2.COLOR_BGR2GRAY) for f in files]
    for t in range(1, len(gray)):
        write_flo(os.path.join(d, "bwd-%06d.flo" % t), dis.calc(gray[t], gray[t - 1], None))
        write_flo(os.path.join(d, "fwd-%06d.flo" % t), dis.calc(gray[t - 1], gray[t], None))


main()
