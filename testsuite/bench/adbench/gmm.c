/* gmm.c — ADBench objective 1: negative log-likelihood of a Gaussian mixture model
 * with a Wishart prior on the inverse covariances, written in plain C from its
 * published definition (Srajer, Kukelova, Fitzgibbon, "A benchmark of selected
 * algorithmic differentiation tools on some problems in computer vision and machine
 * learning", 2018, section 3.1).
 *
 * Parameters: k weights alphas, k means of dimension d, and per component the
 * inverse-covariance factor icf = (log of the d diagonal entries of Q, then the
 * d(d-1)/2 strictly lower entries of Q by columns); Sigma^-1 = Q Q^T.
 *
 *   E = -sum_i logsumexp_k(alpha_k + sum(log diag Q_k) - |Q_k^T (x_i - mu_k)|^2 / 2)
 *       + n logsumexp(alpha) + Wishart prior + constant
 *
 * adjc differentiates gmm_objective with respect to (alphas, means, icf). Local
 * arrays have fixed capacities (adjc does not take variable-length arrays yet):
 * d <= GMM_MAX_D, k <= GMM_MAX_K. */
#include "adbench.h"

#include <adjoint.h>
#include <math.h>

static double gmm_sqnorm(int n, const double *v) {
  double s = 0.0;
  for (int i = 0; i < n; i++)
    s += v[i] * v[i];
  return s;
}

static double gmm_logsumexp(int n, const double *v) {
  double mx = v[0];
  for (int i = 1; i < n; i++)
    if (v[i] > mx)
      mx = v[i];
  double s = 0.0;
  for (int i = 0; i < n; i++)
    s += exp(v[i] - mx);
  return log(s) + mx;
}

/* out = Q^T-like product of ADBench: L = diag(Ldiag) + strictly lower ltri (by columns). */
static void gmm_qtimesx(int d, const double *ldiag, const double *ltri, const double *x,
                        double *out) {
  for (int i = 0; i < d; i++)
    out[i] = ldiag[i] * x[i];
  int idx = 0;
  for (int i = 0; i < d; i++)
    for (int j = i + 1; j < d; j++) {
      out[j] += ltri[idx] * x[i];
      idx++;
    }
}

/* log of the multivariate gamma function Gamma_p(a); constant for AD. */
static double gmm_log_gamma_distrib(double a, int p) {
  double out = 0.25 * p * (p - 1) * log(ADB_PI);
  for (int j = 1; j <= p; j++)
    out += lgamma(a + 0.5 * (1 - j));
  return out;
}

ADJ_GRAD(alphas, means, icf)
double gmm_objective(int d, int k, int n, const double *alphas, const double *means,
                     const double *icf, const double *x, double wishart_gamma,
                     int wishart_m) {
  int icf_sz = d * (d + 1) / 2;
  double qdiags[GMM_MAX_K * GMM_MAX_D];
  double sum_qs[GMM_MAX_K];
  for (int ik = 0; ik < k; ik++) {
    sum_qs[ik] = 0.0;
    for (int id = 0; id < d; id++) {
      double q = icf[ik * icf_sz + id];
      sum_qs[ik] += q;
      qdiags[ik * d + id] = exp(q);
    }
  }

  double xcentered[GMM_MAX_D];
  double qxcentered[GMM_MAX_D];
  double main_term[GMM_MAX_K];
  double slse = 0.0;
  for (int ix = 0; ix < n; ix++) {
    for (int ik = 0; ik < k; ik++) {
      for (int id = 0; id < d; id++)
        xcentered[id] = x[ix * d + id] - means[ik * d + id];
      gmm_qtimesx(d, &qdiags[ik * d], &icf[ik * icf_sz + d], xcentered, qxcentered);
      main_term[ik] = alphas[ik] + sum_qs[ik] - 0.5 * gmm_sqnorm(d, qxcentered);
    }
    slse += gmm_logsumexp(k, main_term);
  }
  double err = -n * d * 0.5 * log(2 * ADB_PI) + slse - n * gmm_logsumexp(k, alphas);

  /* Wishart prior */
  int wn = d + wishart_m + 1;
  double c = wn * d * (log(wishart_gamma) - 0.5 * log(2.0)) -
             gmm_log_gamma_distrib(0.5 * wn, d);
  double prior = 0.0;
  for (int ik = 0; ik < k; ik++) {
    double frobenius = gmm_sqnorm(d, &qdiags[ik * d]) +
                       gmm_sqnorm(icf_sz - d, &icf[ik * icf_sz + d]);
    prior += 0.5 * wishart_gamma * wishart_gamma * frobenius - wishart_m * sum_qs[ik];
  }
  return err + prior - k * c;
}
