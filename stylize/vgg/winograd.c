// Winograd F(2x2, 3x3) transforms: the same arithmetic, in the same order,
// as winoInputGo and winoOutputGo in winograd.go, written so that the C
// compiler vectorizes the row loops (the Go compiler does not).

#include <string.h>

#include "winograd.h"
#include "simd.h"

GOGH_SIMD void gogh_wino_input(const float *restrict in, int cin, int h, int w, int ty0, int ty1, float *restrict v) {
	int tw = (w + 1) / 2, pw = 2 * tw + 2;
	long tiles = (long)(ty1 - ty0) * tw, stride = (long)cin * tiles;
	float t[4][pw], zero[w];
	memset(t, 0, sizeof t); // the padding columns stay zero
	memset(zero, 0, sizeof zero);
	for (int ci = 0; ci < cin; ci++) {
		const float *plane = in + (long)ci * h * w;
		for (int ty = ty0; ty < ty1; ty++) {
			const float *d[4];
			for (int r = 0; r < 4; r++) {
				int y = 2 * ty - 1 + r;
				d[r] = (y >= 0 && y < h) ? plane + (long)y * w : zero;
			}
			const float *restrict d0 = d[0], *restrict d1 = d[1], *restrict d2 = d[2], *restrict d3 = d[3];
			float *restrict t0 = t[0] + 1, *restrict t1 = t[1] + 1, *restrict t2 = t[2] + 1, *restrict t3 = t[3] + 1;
			for (int x = 0; x < w; x++) {
				t0[x] = d0[x] - d2[x];
				t1[x] = d1[x] + d2[x];
				t2[x] = d2[x] - d1[x];
				t3[x] = d1[x] - d3[x];
			}
			long k = ci * tiles + (long)(ty - ty0) * tw;
			for (int i = 0; i < 4; i++) {
				const float *restrict ti = t[i];
				float *restrict v0 = v + (4 * i + 0) * stride + k;
				float *restrict v1 = v + (4 * i + 1) * stride + k;
				float *restrict v2 = v + (4 * i + 2) * stride + k;
				float *restrict v3 = v + (4 * i + 3) * stride + k;
				for (int tx = 0; tx < tw; tx++) {
					float c0 = ti[2 * tx], c1 = ti[2 * tx + 1], c2 = ti[2 * tx + 2], c3 = ti[2 * tx + 3];
					v0[tx] = c0 - c2;
					v1[tx] = c1 + c2;
					v2[tx] = c2 - c1;
					v3[tx] = c1 - c3;
				}
			}
		}
	}
}

GOGH_SIMD void gogh_wino_output(const float *restrict m, int cout, int h, int w, int ty0, int ty1, float *restrict out,
		const float *restrict bias, float *restrict pre, float *restrict act) {
	int tw = (w + 1) / 2;
	long tiles = (long)(ty1 - ty0) * tw, stride = (long)cout * tiles;
	float s[2][4][tw], row[2 * tw];
	for (int co = 0; co < cout; co++) {
		float b = bias ? bias[co] : 0;
		for (int ty = ty0; ty < ty1; ty++) {
			long k = co * tiles + (long)(ty - ty0) * tw;
			for (int j = 0; j < 4; j++) {
				const float *restrict m0 = m + j * stride + k, *restrict m1 = m + (4 + j) * stride + k;
				const float *restrict m2 = m + (8 + j) * stride + k, *restrict m3 = m + (12 + j) * stride + k;
				float *restrict s0 = s[0][j], *restrict s1 = s[1][j];
				for (int tx = 0; tx < tw; tx++) {
					s0[tx] = m0[tx] + m1[tx] + m2[tx];
					s1[tx] = m1[tx] - m2[tx] - m3[tx];
				}
			}
			for (int i = 0; i < 2 && 2 * ty + i < h; i++) {
				const float *restrict a0 = s[i][0], *restrict a1 = s[i][1], *restrict a2 = s[i][2], *restrict a3 = s[i][3];
				for (int tx = 0; tx < tw; tx++) {
					row[2 * tx] = a0[tx] + a1[tx] + a2[tx] + b;
					row[2 * tx + 1] = a1[tx] - a2[tx] - a3[tx] + b;
				}
				long at = ((long)co * h + 2 * ty + i) * w;
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
