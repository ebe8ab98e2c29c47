void gogh_wino_input(const float *in, int cin, int h, int w, int ty0, int ty1, float *v);
void gogh_wino_output(const float *m, int cout, int h, int w, int ty0, int ty1, float *out,
	const float *bias, float *pre, float *act);
void gogh_wino4_input(const float *in, int cin, int h, int w, int ty0, int ty1, float *v);
void gogh_wino4_output(const float *m, int cout, int h, int w, int ty0, int ty1, float *out,
	const float *bias, float *pre, float *act);
