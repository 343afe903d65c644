/* data.c — deterministic inputs for the ADBench objectives (a splitmix64 stream, so
 * every tool and every run sees the same numbers; no data files). */
#include "adbench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct Rng {
  unsigned long long s;
} Rng;

static unsigned long long rng_next(Rng *r) {
  unsigned long long z = (r->s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* uniform in [lo, hi) */
static double uniform(Rng *r, double lo, double hi) {
  return lo + (hi - lo) * (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* standard normal (Box-Muller) */
static double normal(Rng *r) {
  double u = uniform(r, 0x1.0p-53, 1.0), v = uniform(r, 0.0, 1.0);
  return sqrt(-2.0 * log(u)) * cos(2.0 * ADB_PI * v);
}

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size);
  if (!p) {
    fprintf(stderr, "adbench: out of memory (%zu x %zu bytes)\n", n, size);
    exit(2);
  }
  return p;
}

void gmm_generate(GmmInput *in, int d, int k, int n, unsigned long long seed) {
  if (d < 1 || d > GMM_MAX_D || k < 1 || k > GMM_MAX_K || n < 1) {
    fprintf(stderr, "adbench: GMM needs 1 <= d <= %d, 1 <= k <= %d, n >= 1\n", GMM_MAX_D,
            GMM_MAX_K);
    exit(2);
  }
  Rng r = {seed};
  int icf_sz = d * (d + 1) / 2;
  in->d = d, in->k = k, in->n = n;
  in->alphas = xcalloc((size_t)k, sizeof(double));
  in->means = xcalloc((size_t)k * d, sizeof(double));
  in->icf = xcalloc((size_t)k * icf_sz, sizeof(double));
  in->x = xcalloc((size_t)n * d, sizeof(double));
  for (int i = 0; i < k; i++)
    in->alphas[i] = normal(&r);
  for (int i = 0; i < k * d; i++)
    in->means[i] = uniform(&r, 0.0, 1.0);
  for (int i = 0; i < k * icf_sz; i++)
    in->icf[i] = (i % icf_sz < d ? 0.5 : 0.1) * normal(&r);
  for (int i = 0; i < n * d; i++)
    in->x[i] = uniform(&r, 0.0, 1.0);
  in->wishart_gamma = 1.0;
  in->wishart_m = 0;
}

void gmm_free(GmmInput *in) {
  free(in->alphas), free(in->means), free(in->icf), free(in->x);
}

int gmm_nparams(const GmmInput *in) {
  return in->k + in->k * in->d + in->k * in->d * (in->d + 1) / 2;
}

void ba_generate(BaInput *in, int n, int m, int p, unsigned long long seed) {
  Rng r = {seed};
  in->n = n, in->m = m, in->p = p;
  in->cams = xcalloc((size_t)n * BA_NCAM, sizeof(double));
  in->x = xcalloc((size_t)m * 3, sizeof(double));
  in->w = xcalloc((size_t)p, sizeof(double));
  in->feats = xcalloc((size_t)p * 2, sizeof(double));
  in->obs = xcalloc((size_t)p * 2, sizeof(int));
  for (int i = 0; i < n; i++) {
    double *c = &in->cams[i * BA_NCAM];
    for (int j = 0; j < 3; j++)
      c[BA_ROT_IDX + j] = 0.2 * normal(&r);
    for (int j = 0; j < 3; j++)
      c[BA_C_IDX + j] = 0.5 * normal(&r);
    c[BA_F_IDX] = uniform(&r, 400.0, 600.0);
    c[BA_X0_IDX] = uniform(&r, -5.0, 5.0);
    c[BA_X0_IDX + 1] = uniform(&r, -5.0, 5.0);
    c[BA_RAD_IDX] = 0.01 * normal(&r);
    c[BA_RAD_IDX + 1] = 0.001 * normal(&r);
  }
  for (int i = 0; i < m; i++) {
    in->x[3 * i] = uniform(&r, -2.0, 2.0);
    in->x[3 * i + 1] = uniform(&r, -2.0, 2.0);
    in->x[3 * i + 2] = uniform(&r, 6.0, 12.0); /* in front of every camera */
  }
  for (int i = 0; i < p; i++) {
    in->obs[2 * i] = i % n;
    in->obs[2 * i + 1] = (int)(((long long)i * 7919) % m);
    in->w[i] = uniform(&r, 0.5, 1.5);
    in->feats[2 * i] = uniform(&r, -100.0, 100.0);
    in->feats[2 * i + 1] = uniform(&r, -100.0, 100.0);
  }
}

void ba_free(BaInput *in) {
  free(in->cams), free(in->x), free(in->w), free(in->feats), free(in->obs);
}

void lstm_generate(LstmInput *in, int l, int c, int b, unsigned long long seed) {
  if (l < 1 || l > LSTM_MAX_L || b < 1 || b > LSTM_MAX_B || c < 2) {
    fprintf(stderr, "adbench: LSTM needs 1 <= l <= %d, 1 <= b <= %d, c >= 2\n", LSTM_MAX_L,
            LSTM_MAX_B);
    exit(2);
  }
  Rng r = {seed};
  in->l = l, in->c = c, in->b = b;
  in->main_params = xcalloc((size_t)2 * l * 4 * b, sizeof(double));
  in->extra_params = xcalloc((size_t)3 * b, sizeof(double));
  in->state = xcalloc((size_t)2 * l * b, sizeof(double));
  in->sequence = xcalloc((size_t)c * b, sizeof(double));
  for (int i = 0; i < 2 * l * 4 * b; i++)
    in->main_params[i] = uniform(&r, -1.0, 1.0);
  for (int i = 0; i < 3 * b; i++)
    in->extra_params[i] = uniform(&r, -1.0, 1.0);
  for (int i = 0; i < 2 * l * b; i++)
    in->state[i] = uniform(&r, -0.5, 0.5);
  for (int t = 0; t < c; t++)
    in->sequence[t * b + (int)(rng_next(&r) % (unsigned)b)] = 1.0;
}

void lstm_free(LstmInput *in) {
  free(in->main_params), free(in->extra_params), free(in->state), free(in->sequence);
}

int lstm_nparams(const LstmInput *in) { return 2 * in->l * 4 * in->b + 3 * in->b; }
