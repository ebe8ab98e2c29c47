"""OpenCV half of bench/flow.sh: prepares the image pairs, runs OpenCV's
optical flow (DIS presets and Farneback) on them, and prints gogh's and
OpenCV's errors and timings side by side.

    flow.py prepare WORK SHARED     # writes WORK/list.txt and its images
    flow.py opencv WORK REPS ROUND  # WORK/opencv/METHOD/NAME.flo, WORK/opencv.ROUND.json
    flow.py compare WORK            # with WORK/gogh/NAME.flo, WORK/gogh.*.jsonl

Every flow, gogh's included, is scored here by the same code: the average
end-point error (EPE) against ground truth where there is one, and the
photometric error, the mean over all pixels and channels of
|from(x) - to(x + f(x))| in 0..255 units, `to` sampled bilinearly with the
border replicated (what temporal.Warp does). OpenCV runs single-threaded
(cv2.setNumThreads(1)), like gogh's estimator. Times are the CPU time of
the calling thread, the best of REPS runs after a warm-up, and the best
over the rounds flow.sh interleaves with gogh's: the minimum is what other
processes' load disturbs least.
"""
import json
import math
import os
import sys
import time

import cv2
import numpy as np

cv2.setNumThreads(1)


def write_flo(path, u, v):
    h, w = u.shape
    with open(path, "wb") as f:
        np.array([202021.25], "<f4").tofile(f)
        np.array([w, h], "<i4").tofile(f)
        np.dstack([u, v]).astype("<f4").tofile(f)


def read_flo(path):
    with open(path, "rb") as f:
        magic = np.fromfile(f, "<f4", 1)[0]
        assert magic == 202021.25, path
        w, h = np.fromfile(f, "<i4", 2)
        d = np.fromfile(f, "<f4", 2 * w * h).reshape(h, w, 2)
    return d[..., 0], d[..., 1]


def synthetic(w, h):
    """The known flows of the synthetic pairs, on a w x h grid."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    cx, cy = (w - 1) / 2, (h - 1) / 2
    dx, dy = x - cx, y - cy

    def rotate(theta):
        c, s = np.cos(theta), np.sin(theta)
        return c * dx - s * dy - dx, s * dx + c * dy - dy

    sigma = 0.2 * w
    swirl = np.radians(10) * np.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma))
    c, s = np.cos(swirl), np.sin(swirl)
    return {
        "translate": (np.full_like(x, 3.5), np.full_like(x, -2.25)),
        "rotate": rotate(np.radians(3)),
        "zoom": (0.04 * dx, 0.04 * dy),
        "swirl": (c * dx - s * dy - dx, s * dx + c * dy - dy),
    }


def prepare(work, shared):
    lines = []
    chairs = f"{shared}/data/frames/flyingchairs_sample_mmflow"
    for i in (1, 2):
        cv2.imwrite(f"{work}/chairs_{i}.png", cv2.imread(f"{chairs}/00001_img{i}.ppm"))
    lines.append(f"chairs {work}/chairs_1.png {work}/chairs_2.png {chairs}/00001_flow.flo")
    # Synthetic warps of a photo: from(x) = photo(x + f(x)), to = photo.
    photo = cv2.imread(f"{shared}/data/content/tubingen_neckarfront.jpg")
    h = round(photo.shape[0] * 256 / photo.shape[1])
    photo = cv2.resize(photo, (256, h), interpolation=cv2.INTER_AREA)
    cv2.imwrite(f"{work}/photo.png", photo)
    y, x = np.mgrid[0:h, 0:256].astype(np.float32)
    for name, (u, v) in synthetic(256, h).items():
        u, v = u.astype(np.float32), v.astype(np.float32)
        src = cv2.remap(photo.astype(np.float32), x + u, y + v, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        cv2.imwrite(f"{work}/{name}.png", np.clip(np.rint(src), 0, 255).astype(np.uint8))
        write_flo(f"{work}/{name}.flo", u, v)
        lines.append(f"{name} {work}/{name}.png {work}/photo.png {work}/{name}.flo 8")
    for seq in ("RubberWhale", "Venus", "Dimetrodon"):
        d = f"{shared}/data/frames/middlebury_{seq}"
        lines.append(f"{seq} {d}/frame10.png {d}/frame11.png")
    lines.append(f"cockatoo {work}/cockatoo_1.png {work}/cockatoo_2.png")
    with open(f"{work}/list.txt", "w") as f:
        f.write("\n".join(lines) + "\n")


def load(path):
    return cv2.imread(path).astype(np.float64)


def warp(img, u, v):
    """img sampled bilinearly at x + (u, v), coordinates clamped to the image
    (cv2.remap would round them to 1/32 pixel)."""
    h, w = u.shape
    y, x = np.mgrid[0:h, 0:w]
    sx = np.clip(x + u.astype(np.float64), 0, w - 1)
    sy = np.clip(y + v.astype(np.float64), 0, h - 1)
    x0, y0 = np.floor(sx).astype(int), np.floor(sy).astype(int)
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    ax, ay = (sx - x0)[..., None], (sy - y0)[..., None]
    top = img[y0, x0] + ax * (img[y0, x1] - img[y0, x0])
    bot = img[y1, x0] + ax * (img[y1, x1] - img[y1, x0])
    return top + ay * (bot - top)


def photo_error(a, b, u, v):
    return float(np.abs(a - warp(b, u, v)).mean())


def epe(u, v, gu, gv, margin):
    h, w = gu.shape
    y, x = np.mgrid[0:h, 0:w]
    tx, ty = x + gu, y + gv
    m = (tx >= margin) & (ty >= margin) & (tx <= w - 1 - margin) & (ty <= h - 1 - margin)
    return float(np.hypot(u - gu, v - gv)[m].mean())


def methods():
    def dis(preset):
        d = cv2.DISOpticalFlow_create(preset)
        return lambda a, b: d.calc(a, b, None)

    def farneback(a, b):
        return cv2.calcOpticalFlowFarneback(a, b, None, 0.5, 5, 15, 3, 5, 1.2, 0)

    return {
        "DIS ultrafast": dis(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST),
        "DIS fast": dis(cv2.DISOPTICAL_FLOW_PRESET_FAST),
        "DIS medium": dis(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM),
        "Farneback": farneback,
    }


def pairs(work):
    return [line.split() for line in open(f"{work}/list.txt") if line.strip()]


def opencv(work, reps, rnd):
    times = {}
    for f in pairs(work):
        name, pa, pb = f[:3]
        ga, gb = (cv2.cvtColor(cv2.imread(p), cv2.COLOR_BGR2GRAY) for p in (pa, pb))
        # Fresh OpenCV objects for every pair: a DIS object that has seen an
        # image too small for its finest scale (the 50x50 chairs with the
        # ultrafast and fast presets) gives different flows afterwards.
        for m, fn in methods().items():
            fl = fn(ga, gb)  # warm-up
            best = math.inf
            for _ in range(reps):
                t0 = time.thread_time_ns()
                fl = fn(ga, gb)
                best = min(best, (time.thread_time_ns() - t0) / 1e6)
            times[f"{m}/{name}"] = best
            os.makedirs(f"{work}/opencv/{m}", exist_ok=True)
            write_flo(f"{work}/opencv/{m}/{name}.flo", fl[..., 0], fl[..., 1])
    with open(f"{work}/opencv.{rnd}.json", "w") as f:
        json.dump(times, f)


def compare(work):
    files = sorted(os.listdir(work))
    best = {}
    gogh = {}
    for fn in files:
        if fn.startswith("gogh.") and fn.endswith(".jsonl"):
            for line in open(f"{work}/{fn}"):
                r = json.loads(line)
                gogh[r["name"]] = r
                key = f"gogh/{r['name']}"
                best[key] = min(best.get(key, math.inf), r["ms"])
        elif fn.startswith("opencv.") and fn.endswith(".json"):
            for key, ms in json.load(open(f"{work}/{fn}")).items():
                best[key] = min(best.get(key, math.inf), ms)
    cols = ["gogh"] + list(methods())
    rows = []
    for f in pairs(work):
        name, pa, pb = f[:3]
        a, b = load(pa), load(pb)
        h, w = a.shape[:2]
        flows = {"gogh": read_flo(f"{work}/gogh/{name}.flo")}
        for m in cols[1:]:
            flows[m] = read_flo(f"{work}/opencv/{m}/{name}.flo")
        zero = (np.zeros((h, w), np.float32),) * 2
        if len(f) >= 4:
            tu, tv = read_flo(f[3])
            margin = float(f[4]) if len(f) == 5 else 0.0
            metric, score = "EPE", (lambda fl: epe(fl[0], fl[1], tu, tv, margin))
        else:
            metric, score = "photo", (lambda fl: photo_error(a, b, fl[0], fl[1]))
        errs = {m: score(fl) for m, fl in flows.items()}
        # Cross-check: gogh's own scoring of its flow must agree with ours.
        own = gogh[name]["epe" if metric == "EPE" else "photo"]
        if not math.isclose(own, errs["gogh"], rel_tol=1e-4, abs_tol=1e-4):
            print(f"warning: {name}: gogh scores its {metric} {own:.4f}, flow.py {errs['gogh']:.4f}", file=sys.stderr)
        rows.append((name, f"{w}x{h}", metric, score(zero), errs, {m: best[f"{m}/{name}"] for m in cols}))
    head = f"{'pair':<12} {'size':>7} {'metric':>6} {'zero':>6}" + "".join(f" | {c:>13} {'ms':>6}" for c in cols)
    print(head)
    print("-" * len(head))
    for name, size, metric, z, errs, times in rows:
        print(f"{name:<12} {size:>7} {metric:>6} {z:6.3f}" +
              "".join(f" | {errs[c]:13.3f} {times[c]:6.2f}" for c in cols))
    print("-" * len(head))

    def gmean(xs):
        return math.exp(sum(math.log(x) for x in xs) / len(xs))

    ref = "DIS medium"
    print(f"{'geomean of ratios to DIS medium':<34}" +
          "".join(f" | {gmean([r[4][c] / r[4][ref] for r in rows]):13.3f} {gmean([r[5][c] / r[5][ref] for r in rows]):6.2f}"
                  for c in cols))
    print("(zero: the error of a zero flow; ms: best CPU time of the thread per pair, single-threaded)")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "prepare":
        prepare(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "opencv":
        opencv(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) == 3 and sys.argv[1] == "compare":
        compare(sys.argv[2])
    else:
        sys.exit(__doc__)
