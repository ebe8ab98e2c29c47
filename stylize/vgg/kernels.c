// Element kernels of the engine: the same arithmetic as their Go twins in
// conv.go (biasReLUPlaneGo, addIntoGo, reluMaskGo, poolPlanesGo, unpoolPlanesGo), written so
// that the C compiler vectorizes them.

#include <string.h>

#include "kernels.h"
#include "simd.h"

GOGH_SIMD void gogh_bias_relu(float *p, float *a, float b, long n) {
	// p and a may be the same plane, so neither is restrict.
	for (long j = 0; j < n; j++) {
		float v = p[j] + b;
		p[j] = v;
		a[j] = v > 0 ? v : 0;
	}
}

GOGH_SIMD void gogh_add_into(float *restrict g, const float *restrict p, long n) {
	for (long j = 0; j < n; j++)
		g[j] += p[j];
}

GOGH_SIMD void gogh_relu_mask(float *restrict g, const float *restrict act, long n) {
	for (long j = 0; j < n; j++)
		g[j] = act[j] > 0 ? g[j] : 0;
}

GOGH_SIMD void gogh_pool_planes(const float *restrict in, int c, int h, int w, float *restrict out, unsigned char *restrict arg) {
	int oh = h / 2, ow = w / 2;
	for (int ch = 0; ch < c; ch++) {
		const float *src = in + (long)ch * h * w;
		for (int y = 0; y < oh; y++) {
			const float *r0 = src + (long)2 * y * w, *r1 = r0 + w;
			float *o = out + ((long)ch * oh + y) * ow;
			unsigned char *a = arg + ((long)ch * oh + y) * ow;
			for (int x = 0; x < ow; x++) {
				float best = r0[2 * x];
				unsigned char at = 0;
				if (r0[2 * x + 1] > best) best = r0[2 * x + 1], at = 1;
				if (r1[2 * x] > best) best = r1[2 * x], at = 2;
				if (r1[2 * x + 1] > best) best = r1[2 * x + 1], at = 3;
				o[x] = best;
				a[x] = at;
			}
		}
	}
}

GOGH_SIMD void gogh_unpool_planes(const float *restrict g, const unsigned char *restrict arg, int c, int h, int w, float *restrict dst) {
	int oh = h / 2, ow = w / 2;
	for (int ch = 0; ch < c; ch++) {
		float *d = dst + (long)ch * h * w;
		memset(d, 0, sizeof(float) * h * w);
		for (int y = 0; y < oh; y++) {
			const float *gr = g + ((long)ch * oh + y) * ow;
			const unsigned char *ar = arg + ((long)ch * oh + y) * ow;
			for (int x = 0; x < ow; x++) {
				int a = ar[x];
				d[(long)(2 * y + (a >> 1)) * w + 2 * x + (a & 1)] = gr[x];
			}
		}
	}
}
