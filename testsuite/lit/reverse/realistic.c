// Two realistic objectives differentiated by adjc: the log-likelihood of a Gaussian
// mixture (diagonal covariances, log-sum-exp over components) and the loss of a small
// recurrent network (tanh cell, squared error over a sequence). Gradients with
// respect to every parameter are checked against finite differences.
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

enum { K = 3, D = 2, NPTS = 10 };

static double logsumexp(const double *v, int n) {
  double m = v[0];
  for (int i = 1; i < n; i++)
    if (v[i] > m)
      m = v[i];
  double s = 0;
  for (int i = 0; i < n; i++)
    s += exp(v[i] - m);
  return m + log(s);
}

// theta = [alpha (K) | mu (K*D) | logsig (K*D)]
ADJ_GRAD(theta)
double gmm_loglik(const double *theta, const double *x, int n, int k, int d) {
  const double *alpha = theta, *mu = theta + k, *logsig = theta + k + k * d;
  double lse_alpha = logsumexp(alpha, k);
  double total = 0;
  double comp[16];
  for (int i = 0; i < n; i++) {
    for (int c = 0; c < k; c++) {
      double q = alpha[c] - lse_alpha;
      for (int j = 0; j < d; j++) {
        double z = (x[i * d + j] - mu[c * d + j]) * exp(-logsig[c * d + j]);
        q += -0.5 * z * z - logsig[c * d + j] - 0.91893853320467274178;
      }
      comp[c] = q;
    }
    total += logsumexp(comp, k);
  }
  return total;
}
double gmm_loglik_grad(const double *theta, double *d_theta, const double *x, int n, int k, int d);

static double gmm_x[NPTS * D];
static double gmm_w(const double *v, void *c) { (void)c; return gmm_loglik(v, gmm_x, NPTS, K, D); }
static double gmm_g(const double *v, double *g, void *c) {
  (void)c;
  return gmm_loglik_grad(v, g, gmm_x, NPTS, K, D);
}

enum { H = 3, T = 6 };

// theta = [W (H*H) | U (H) | b (H) | v (H)]; input and target sequences x, y (T)
ADJ_GRAD(theta)
double rnn_loss(const double *theta, const double *x, const double *y, int t_len) {
  const double *W = theta, *U = theta + H * H, *b = U + H, *v = b + H;
  double h[H] = {0, 0, 0}, next[H];
  double loss = 0;
  for (int t = 0; t < t_len; t++) {
    for (int i = 0; i < H; i++) {
      double a = U[i] * x[t] + b[i];
      for (int j = 0; j < H; j++)
        a += W[i * H + j] * h[j];
      next[i] = tanh(a);
    }
    double out = 0;
    for (int i = 0; i < H; i++) {
      h[i] = next[i];
      out += v[i] * h[i];
    }
    double e = out - y[t];
    loss += e * e;
  }
  return loss / t_len;
}
double rnn_loss_grad(const double *theta, double *d_theta, const double *x, const double *y, int t_len);

static double rnn_x[T], rnn_y[T];
static double rnn_w(const double *v, void *c) { (void)c; return rnn_loss(v, rnn_x, rnn_y, T); }
static double rnn_g(const double *v, double *g, void *c) {
  (void)c;
  return rnn_loss_grad(v, g, rnn_x, rnn_y, T);
}

int main(void) {
  uint64_t rng = 99;
  int bad = 0;
  gc_fill(&rng, gmm_x, NPTS * D, -2.0, 2.0);
  gc_fill(&rng, rnn_x, T, -1.0, 1.0);
  gc_fill(&rng, rnn_y, T, -0.5, 0.5);
  for (int trial = 0; trial < 2; trial++) {
    double theta[K + 2 * K * D];
    gc_fill(&rng, theta, K + 2 * K * D, -0.5, 0.5);
    bad |= check_rev("gmm_loglik", gmm_w, gmm_g, NULL, theta, K + 2 * K * D, 1e-6);
    double p[H * H + 3 * H];
    gc_fill(&rng, p, H * H + 3 * H, -0.8, 0.8);
    bad |= check_rev("rnn_loss", rnn_w, rnn_g, NULL, p, H * H + 3 * H, 1e-6);
  }
  // CHECK-COUNT-4: rev {{[a-z_]+}}: OK
  return bad;
}
