/* hand_gmm.c — hand-written gradient of gmm_objective (gmm.c), the "Manual" column of
 * the ADBench comparison.
 *
 * Notation, per component k (index dropped where clear):
 *   q_j   = icf[k][j]              (j < d), log of the diagonal of L
 *   L     = diag(e^q) + strictly lower part icf[k][d..] (stored by columns)
 *   xc_i  = x_i - mu_k,  y_ik = L xc_i
 *   m_ik  = alpha_k + sum_j q_j - |y_ik|^2 / 2          (main term)
 *   E     = sum_i lse_k(m_ik) - n lse(alpha) + sum_k [g^2/2 (|e^q|^2 + |Lstrict|^2)
 *           - wm sum_j q_j] + constants       (g = wishart_gamma, wm = wishart_m)
 *
 * With w_ik = softmax_k(m_ik) = dE/dm_ik and W_k = sum_i w_ik:
 *   dE/dalpha_k = W_k - n softmax(alpha)_k
 *   dE/dmu_k    = sum_i w_ik L^T y_ik            = L^T s_k,   s_k = sum_i w_ik y_ik
 *   dE/dq_j     = W_k - e^{q_j} G_jj + g^2 e^{2 q_j} - wm
 *   dE/dL_ab    = -G_ab + g^2 L_ab               (a > b)
 * where G = sum_i w_ik y_ik xc_i^T (only its lower triangle is needed).
 *
 * So one pass over the data: per point compute xc, y and the main terms of every
 * component (the same operations as gmm.c), the softmax weights, and accumulate s_k,
 * W_k and the lower triangle of G_k (a rank-one update shaped like the product L xc
 * itself). The rank-one updates of HAND_GMM_NB = 4 consecutive points are applied
 * together, so G (k d(d-1)/2 values, the largest accumulator) is read and written
 * once per 4 points; xc and y are kept for those 4 points only (4 k d values each).
 * L^T s_k and the prior terms are applied once at the end; e^q is computed once per
 * component. */
#include "adbench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>


static void *hand_gmm_alloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "hand_gmm: out of memory (%zu bytes)\n", n);
    exit(2);
  }
  return p;
}

/* log of the multivariate gamma function Gamma_p(a), as in gmm.c */
static double hand_gmm_log_gamma_distrib(double a, int p) {
  double out = 0.25 * p * (p - 1) * log(ADB_PI);
  for (int j = 1; j <= p; j++)
    out += lgamma(a + 0.5 * (1 - j));
  return out;
}

/* logsumexp(v) with the same operation order as gmm.c; also leaves e[i] = exp(v[i] -
 * max) and returns their sum in *sum, so the softmax weights are e[i] / *sum. */
static double hand_gmm_logsumexp(int n, const double *v, double *e, double *sum) {
  double mx = v[0];
  for (int i = 1; i < n; i++)
    if (v[i] > mx)
      mx = v[i];
  double s = 0.0;
  for (int i = 0; i < n; i++) {
    e[i] = exp(v[i] - mx);
    s += e[i];
  }
  *sum = s;
  return log(s) + mx;
}

/* Points per block of rank-one updates (hand_gmm_rank4 is written for 4). */
#define HAND_GMM_NB 4
_Static_assert(HAND_GMM_NB == 4, "hand_gmm_rank4 takes 4 points");

/* g += sum_p (w y)_p xc_p^T on the strictly lower triangle, stored by columns:
 * G[row j, column a] += sum_p yb[p][j] * xb[p][a] for j > a. */
static void hand_gmm_rank4(int d, double *restrict g, const double *const xb[HAND_GMM_NB],
                           const double *const yb[HAND_GMM_NB]) {
  const double *restrict y0 = yb[0], *restrict y1 = yb[1], *restrict y2 = yb[2],
                         *restrict y3 = yb[3];
  for (int a = 0; a < d - 1; a++) {
    double x0 = xb[0][a], x1 = xb[1][a], x2 = xb[2][a], x3 = xb[3][a];
    double *restrict ga = g + (size_t)a * (2 * d - a - 1) / 2; /* column a, rows > a */
    for (int j = a + 1; j < d; j++)
      ga[j - a - 1] += (y0[j] * x0 + y1[j] * x1) + (y2[j] * x2 + y3[j] * x3);
  }
}

double gmm_hand_grad(const GmmInput *in, double *grad) {
  const int d = in->d, k = in->k, n = in->n;
  const int icf_sz = d * (d + 1) / 2, tri_sz = icf_sz - d;
  const double *alphas = in->alphas, *means = in->means, *icf = in->icf, *x = in->x;
  double *d_alphas = grad, *d_means = grad + k, *d_icf = grad + k + (size_t)k * d;

  /* scratch: e^q (k*d); per point of a block, xc and y (k*d each); sum of q, the main
   * terms and their exponentials, exp of alpha (k each) */
  double *buf = hand_gmm_alloc(((size_t)(1 + 2 * HAND_GMM_NB) * k * d + 4 * (size_t)k) *
                               sizeof(double));
  double *qdiags = buf, *xc = qdiags + (size_t)k * d, *y = xc + (size_t)HAND_GMM_NB * k * d;
  double *sum_qs = y + (size_t)HAND_GMM_NB * k * d, *main_term = sum_qs + k,
         *ex = main_term + k, *ea = ex + k;

  for (int ik = 0; ik < k; ik++) {
    sum_qs[ik] = 0.0;
    for (int id = 0; id < d; id++) {
      double q = icf[(size_t)ik * icf_sz + id];
      sum_qs[ik] += q;
      qdiags[(size_t)ik * d + id] = exp(q);
    }
  }

  /* accumulators: W_k in d_alphas, s_k in d_means, G_k (diagonal, then the strictly
   * lower part by columns: the icf layout) in d_icf */
  for (int i = 0; i < k + k * d + k * icf_sz; i++)
    grad[i] = 0.0;

  double slse = 0.0;
  for (int i0 = 0; i0 < n; i0 += HAND_GMM_NB) {
    int nb = n - i0 < HAND_GMM_NB ? n - i0 : HAND_GMM_NB; /* points in this block */
    for (int p = 0; p < HAND_GMM_NB; p++) {
      double *xcp = &xc[(size_t)p * k * d], *yp = &y[(size_t)p * k * d];
      if (p >= nb) { /* padding of the last block: xc = 0, w y = 0 add nothing */
        for (int i = 0; i < k * d; i++)
          xcp[i] = 0.0, yp[i] = 0.0;
        continue;
      }
      const double *xi = &x[(size_t)(i0 + p) * d];
      /* forward: xc = x - mu, y = L xc, m = alpha + sum q - |y|^2 / 2, as in gmm.c */
      for (int ik = 0; ik < k; ik++) {
        const double *mu = &means[(size_t)ik * d], *qd = &qdiags[(size_t)ik * d];
        const double *lt = &icf[(size_t)ik * icf_sz + d];
        double *xck = &xcp[(size_t)ik * d], *yk = &yp[(size_t)ik * d];
        for (int id = 0; id < d; id++) {
          xck[id] = xi[id] - mu[id];
          yk[id] = qd[id] * xck[id];
        }
        for (int a = 0; a < d; a++) { /* column a of the strictly lower part */
          double xa = xck[a];
          double *yt = yk + a + 1;
          const double *la = lt + (size_t)a * (2 * d - a - 1) / 2;
          for (int j = 0; j < d - a - 1; j++)
            yt[j] += la[j] * xa;
        }
        double sq = 0.0;
        for (int id = 0; id < d; id++)
          sq += yk[id] * yk[id];
        main_term[ik] = alphas[ik] + sum_qs[ik] - 0.5 * sq;
      }
      double sum;
      slse += hand_gmm_logsumexp(k, main_term, ex, &sum);

      /* backward: w = softmax(m); W += w, s += w y, diag(G) += (w y) * xc */
      double inv_sum = 1.0 / sum;
      for (int ik = 0; ik < k; ik++) {
        double wk = ex[ik] * inv_sum;
        const double *xck = &xcp[(size_t)ik * d];
        double *yk = &yp[(size_t)ik * d];
        double *sk = &d_means[(size_t)ik * d], *gk = &d_icf[(size_t)ik * icf_sz];
        d_alphas[ik] += wk;
        for (int id = 0; id < d; id++) {
          yk[id] *= wk; /* y now holds w y */
          sk[id] += yk[id];
          gk[id] += yk[id] * xck[id];
        }
      }
    }
    /* strictly lower part of G: the rank-one updates of the block's points together */
    for (int ik = 0; ik < k; ik++) {
      const double *xb[HAND_GMM_NB], *yb[HAND_GMM_NB];
      for (int p = 0; p < HAND_GMM_NB; p++) {
        xb[p] = &xc[((size_t)p * k + ik) * d];
        yb[p] = &y[((size_t)p * k + ik) * d];
      }
      hand_gmm_rank4(d, &d_icf[(size_t)ik * icf_sz + d], xb, yb);
    }
  }

  /* objective, in gmm.c's order */
  double asum; /* softmax(alpha) = ea / asum */
  double alse = hand_gmm_logsumexp(k, alphas, ea, &asum);
  double err = -n * d * 0.5 * log(2 * ADB_PI) + slse - n * alse;
  const double gamma = in->wishart_gamma, g2 = gamma * gamma;
  const int wm = in->wishart_m;
  int wn = d + wm + 1;
  double c =
      wn * d * (log(gamma) - 0.5 * log(2.0)) - hand_gmm_log_gamma_distrib(0.5 * wn, d);
  double prior = 0.0;
  for (int ik = 0; ik < k; ik++) {
    const double *qd = &qdiags[(size_t)ik * d], *lt = &icf[(size_t)ik * icf_sz + d];
    double frob_diag = 0.0, frob_tri = 0.0;
    for (int id = 0; id < d; id++)
      frob_diag += qd[id] * qd[id];
    for (int j = 0; j < tri_sz; j++)
      frob_tri += lt[j] * lt[j];
    prior += 0.5 * gamma * gamma * (frob_diag + frob_tri) - wm * sum_qs[ik];
  }
  double value = err + prior - k * c;

  /* finish the gradient, component by component */
  for (int ik = 0; ik < k; ik++) {
    const double *qd = &qdiags[(size_t)ik * d], *lt = &icf[(size_t)ik * icf_sz + d];
    double W = d_alphas[ik];
    /* dE/dalpha_k = W_k - n e^{alpha_k} / sum e^alpha */
    d_alphas[ik] = W - n * (ea[ik] / asum);

    /* dE/dmu_k = L^T s_k: (L^T s)_a = e^{q_a} s_a + sum_{j > a} L_ja s_j; in place,
     * ascending a, since entry a only reads s_a and later entries */
    double *sk = &d_means[(size_t)ik * d];
    for (int a = 0; a < d; a++) {
      const double *la = lt + (size_t)a * (2 * d - a - 1) / 2;
      double t = qd[a] * sk[a];
      for (int j = 0; j < d - a - 1; j++)
        t += la[j] * sk[a + 1 + j];
      sk[a] = t;
    }

    /* dE/dq_j = W - e^{q_j} G_jj + g^2 e^{2 q_j} - wm;  dE/dL_ab = -G_ab + g^2 L_ab */
    double *gk = &d_icf[(size_t)ik * icf_sz];
    for (int id = 0; id < d; id++)
      gk[id] = W - qd[id] * gk[id] + g2 * qd[id] * qd[id] - wm;
    for (int j = 0; j < tri_sz; j++)
      gk[d + j] = g2 * lt[j] - gk[d + j];
  }

  free(buf);
  return value;
}
