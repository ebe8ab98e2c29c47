void gogh_bias_relu(float *p, float *a, float b, long n);
void gogh_add_into(float *g, const float *p, long n);
void gogh_relu_mask(float *g, const float *act, long n);
void gogh_pool_planes(const float *in, int c, int h, int w, float *out, unsigned char *arg);
void gogh_unpool_planes(const float *g, const unsigned char *arg, int c, int h, int w, float *dst);
