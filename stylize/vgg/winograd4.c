// Winograd F(4x4, 3x3) transforms: the same arithmetic, in the same order,
// as wino4InputGo and wino4OutputGo in winograd4.go, written so that the C
// compiler vectorizes the row loops.

#include <string.h>

#include "winograd.h"
#include "simd.h"

// wino4_rows is the first half of the input transform, t = Bᵀ d over the
// six rows of a band: one output row per row of Bᵀ, along whole rows.
static void wino4_rows(const float *restrict d0, const float *restrict d1, const float *restrict d2,
		const float *restrict d3, const float *restrict d4, const float *restrict d5,
		float *restrict t0, float *restrict t1, float *restrict t2,
		float *restrict t3, float *restrict t4, float *restrict t5, long w) {
	for (long x = 0; x < w; x++) {
		float a0 = d0[x], a1 = d1[x], a2 = d2[x], a3 = d3[x], a4 = d4[x], a5 = d5[x];
		t0[x] = 4 * a0 - 5 * a2 + a4;
		t1[x] = -4 * a1 - 4 * a2 + a3 + a4;
		t2[x] = 4 * a1 - 4 * a2 - a3 + a4;
		t3[x] = -2 * a1 - a2 + 2 * a3 + a4;
		t4[x] = 2 * a1 - a2 - 2 * a3 + a4;
		t5[x] = 4 * a1 - 5 * a3 + a5;
	}
}

// wino4_cols is the second half, V = t B over the six columns of each
// tile of one row of t (tile tx reads ti[4tx .. 4tx+5]). Kept apart, with
// restrict arguments and long indices, so that the compiler vectorizes
// both loops (inline, it vectorizes neither).
static void wino4_cols(const float *restrict ti, float *restrict v0, float *restrict v1, float *restrict v2,
		float *restrict v3, float *restrict v4, float *restrict v5, long tw) {
	for (long tx = 0; tx < tw; tx++) {
		float c0 = ti[4 * tx], c1 = ti[4 * tx + 1], c2 = ti[4 * tx + 2];
		float c3 = ti[4 * tx + 3], c4 = ti[4 * tx + 4], c5 = ti[4 * tx + 5];
		v0[tx] = 4 * c0 - 5 * c2 + c4;
		v1[tx] = -4 * c1 - 4 * c2 + c3 + c4;
		v2[tx] = 4 * c1 - 4 * c2 - c3 + c4;
		v3[tx] = -2 * c1 - c2 + 2 * c3 + c4;
		v4[tx] = 2 * c1 - c2 - 2 * c3 + c4;
		v5[tx] = 4 * c1 - 5 * c3 + c5;
	}
}

GOGH_SIMD void gogh_wino4_input(const float *restrict in, int cin, int h, int w, int ty0, int ty1, float *restrict v) {
	int tw = (w + 3) / 4, pw = 4 * tw + 2;
	long tiles = (long)(ty1 - ty0) * tw, stride = (long)cin * tiles;
	float t[6][pw], zero[w];
	memset(t, 0, sizeof t); // the padding columns stay zero
	memset(zero, 0, sizeof zero);
	for (int ci = 0; ci < cin; ci++) {
		const float *plane = in + (long)ci * h * w;
		for (int ty = ty0; ty < ty1; ty++) {
			const float *d[6];
			for (int r = 0; r < 6; r++) {
				int y = 4 * ty - 1 + r;
				d[r] = (y >= 0 && y < h) ? plane + (long)y * w : zero;
			}
			wino4_rows(d[0], d[1], d[2], d[3], d[4], d[5], t[0] + 1, t[1] + 1, t[2] + 1, t[3] + 1, t[4] + 1, t[5] + 1, w);
			long k = ci * tiles + (long)(ty - ty0) * tw;
			for (int i = 0; i < 6; i++) {
				float *o = v + 6 * i * stride + k;
				wino4_cols(t[i], o, o + stride, o + 2 * stride, o + 3 * stride, o + 4 * stride, o + 5 * stride, tw);
			}
		}
	}
}

GOGH_SIMD void gogh_wino4_output(const float *restrict m, int cout, int h, int w, int ty0, int ty1, float *restrict out,
		const float *restrict bias, float *restrict pre, float *restrict act) {
	int tw = (w + 3) / 4;
	long tiles = (long)(ty1 - ty0) * tw, stride = (long)cout * tiles;
	float s[4][6][tw], row[4 * tw];
	for (int co = 0; co < cout; co++) {
		float b = bias ? bias[co] : 0;
		for (int ty = ty0; ty < ty1; ty++) {
			long k = co * tiles + (long)(ty - ty0) * tw;
			for (int j = 0; j < 6; j++) {
				const float *restrict m0 = m + j * stride + k, *restrict m1 = m + (6 + j) * stride + k;
				const float *restrict m2 = m + (12 + j) * stride + k, *restrict m3 = m + (18 + j) * stride + k;
				const float *restrict m4 = m + (24 + j) * stride + k, *restrict m5 = m + (30 + j) * stride + k;
				float *restrict s0 = s[0][j], *restrict s1 = s[1][j], *restrict s2 = s[2][j], *restrict s3 = s[3][j];
				for (int tx = 0; tx < tw; tx++) {
					s0[tx] = m0[tx] + m1[tx] + m2[tx] + m3[tx] + m4[tx];
					s1[tx] = m1[tx] - m2[tx] + 2 * m3[tx] - 2 * m4[tx];
					s2[tx] = m1[tx] + m2[tx] + 4 * m3[tx] + 4 * m4[tx];
					s3[tx] = m1[tx] - m2[tx] + 8 * m3[tx] - 8 * m4[tx] + m5[tx];
				}
			}
			for (int i = 0; i < 4 && 4 * ty + i < h; i++) {
				const float *restrict a0 = s[i][0], *restrict a1 = s[i][1], *restrict a2 = s[i][2];
				const float *restrict a3 = s[i][3], *restrict a4 = s[i][4], *restrict a5 = s[i][5];
				for (int tx = 0; tx < tw; tx++) {
					row[4 * tx] = a0[tx] + a1[tx] + a2[tx] + a3[tx] + a4[tx] + b;
					row[4 * tx + 1] = a1[tx] - a2[tx] + 2 * a3[tx] - 2 * a4[tx] + b;
					row[4 * tx + 2] = a1[tx] + a2[tx] + 4 * a3[tx] + 4 * a4[tx] + b;
					row[4 * tx + 3] = a1[tx] - a2[tx] + 8 * a3[tx] - 8 * a4[tx] + a5[tx] + b;
				}
				long at = ((long)co * h + 4 * ty + i) * w;
				if (!act) {
					memcpy(out + at, row, sizeof(float) * w);
					continue;
				}
				if (pre)
					memcpy(pre + at, row, sizeof(float) * w);
				float *restrict a = act + at;
				for (int x = 0; x < w; x++)
					a[x] = row[x] > 0 ? row[x] : 0;
			}
		}
	}
}
