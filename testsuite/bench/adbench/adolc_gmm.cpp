// adolc_gmm.cpp — the GMM objective of gmm.c for ADOL-C 2.7: the same definition,
// operation for operation, as a C++ template (instantiated with adouble to record the
// tape; with double it is gmm_objective), and the two benchmark entry points of
// adbench.h: record the tape once, then evaluate the gradient from it.
//
// Independents, in the gradient layout of adbench.h: alphas (k), means (k*d),
// icf (k*d*(d+1)/2). One dependent: the objective.
#include "adbench.h"

#include <adolc/adolc.h>

#include <cmath>
#include <cstddef>
#include <vector>

namespace {

template <typename T> T gmm_sqnorm(int n, const T *v) {
  T s = 0.0;
  for (int i = 0; i < n; i++)
    s += v[i] * v[i];
  return s;
}

// The max shift is taken with adouble comparisons: ADOL-C records them (u - v > 0),
// and a later evaluation that would pick another maximum reports a branch switch.
template <typename T> T gmm_logsumexp(int n, const T *v) {
  using std::exp;
  using std::log;
  T mx = v[0];
  for (int i = 1; i < n; i++)
    if (v[i] > mx)
      mx = v[i];
  T s = 0.0;
  for (int i = 0; i < n; i++)
    s += exp(v[i] - mx);
  return log(s) + mx;
}

// out = L x with L = diag(ldiag) + strictly lower ltri (by columns), as in gmm.c.
template <typename T>
void gmm_qtimesx(int d, const T *ldiag, const T *ltri, const T *x, T *out) {
  for (int i = 0; i < d; i++)
    out[i] = ldiag[i] * x[i];
  int idx = 0;
  for (int i = 0; i < d; i++)
    for (int j = i + 1; j < d; j++) {
      out[j] += ltri[idx] * x[i];
      idx++;
    }
}

// log of the multivariate gamma function Gamma_p(a): a constant, in double.
double gmm_log_gamma_distrib(double a, int p) {
  double out = 0.25 * p * (p - 1) * std::log(ADB_PI);
  for (int j = 1; j <= p; j++)
    out += std::lgamma(a + 0.5 * (1 - j));
  return out;
}

template <typename T>
T gmm_objective_t(int d, int k, int n, const T *alphas, const T *means, const T *icf,
                  const double *x, double wishart_gamma, int wishart_m) {
  using std::exp;
  using std::log;
  int icf_sz = d * (d + 1) / 2;
  std::vector<T> qdiags((size_t)k * d);
  std::vector<T> sum_qs((size_t)k);
  for (int ik = 0; ik < k; ik++) {
    sum_qs[ik] = 0.0;
    for (int id = 0; id < d; id++) {
      const T &q = icf[ik * icf_sz + id];
      sum_qs[ik] += q;
      qdiags[ik * d + id] = exp(q);
    }
  }

  std::vector<T> xcentered((size_t)d), qxcentered((size_t)d), main_term((size_t)k);
  T slse = 0.0;
  for (int ix = 0; ix < n; ix++) {
    for (int ik = 0; ik < k; ik++) {
      for (int id = 0; id < d; id++)
        xcentered[id] = x[ix * d + id] - means[ik * d + id];
      gmm_qtimesx(d, &qdiags[ik * d], &icf[ik * icf_sz + d], xcentered.data(),
                  qxcentered.data());
      main_term[ik] = alphas[ik] + sum_qs[ik] - 0.5 * gmm_sqnorm(d, qxcentered.data());
    }
    slse += gmm_logsumexp(k, main_term.data());
  }
  T err = -n * d * 0.5 * log(2 * ADB_PI) + slse - (double)n * gmm_logsumexp(k, alphas);

  // Wishart prior
  int wn = d + wishart_m + 1;
  double c = wn * d * (log(wishart_gamma) - 0.5 * log(2.0)) -
             gmm_log_gamma_distrib(0.5 * wn, d);
  T prior = 0.0;
  for (int ik = 0; ik < k; ik++) {
    T frobenius =
        gmm_sqnorm(d, &qdiags[ik * d]) + gmm_sqnorm(icf_sz - d, &icf[ik * icf_sz + d]);
    prior += 0.5 * wishart_gamma * wishart_gamma * frobenius - (double)wishart_m * sum_qs[ik];
  }
  return err + prior - k * c;
}

// The independents' values, in gradient layout.
std::vector<double> gmm_pack(const GmmInput *in) {
  size_t na = (size_t)in->k, nm = (size_t)in->k * in->d,
         ni = (size_t)in->k * (in->d * (in->d + 1) / 2);
  std::vector<double> p(na + nm + ni);
  for (size_t i = 0; i < na; i++)
    p[i] = in->alphas[i];
  for (size_t i = 0; i < nm; i++)
    p[na + i] = in->means[i];
  for (size_t i = 0; i < ni; i++)
    p[na + nm + i] = in->icf[i];
  return p;
}

} // namespace

extern "C" double adolc_gmm_record(short tag, const GmmInput *in) {
  std::vector<double> p = gmm_pack(in);
  size_t na = (size_t)in->k, nm = (size_t)in->k * in->d;
  double f = 0.0;
  trace_on(tag);
  {
    std::vector<adouble> a(p.size());
    for (size_t i = 0; i < p.size(); i++)
      a[i] <<= p[i];
    adouble y = gmm_objective_t<adouble>(in->d, in->k, in->n, a.data(), a.data() + na,
                                         a.data() + na + nm, in->x, in->wishart_gamma,
                                         in->wishart_m);
    y >>= f;
  }
  trace_off();
  return f;
}

// gradient(tag, n, x, g) of ADOL-C 2.7 is zos_forward(keep = 1) followed by
// fos_reverse with weight 1, writing the function value into g before overwriting it
// with the gradient; the same two calls here keep the value, at no extra cost. A
// negative return of the forward sweep means the recorded control flow (the
// logsumexp maxima) is not valid at this input: retape there and evaluate again.
extern "C" double adolc_gmm_grad(short tag, const GmmInput *in, double *grad) {
  std::vector<double> p = gmm_pack(in);
  int n = (int)p.size();
  double f = 0.0, one = 1.0;
  disableBranchSwitchWarnings();
  if (zos_forward(tag, 1, n, 1, p.data(), &f) < 0) {
    adolc_gmm_record(tag, in);
    if (zos_forward(tag, 1, n, 1, p.data(), &f) < 0)
      return NAN;
  }
  if (fos_reverse(tag, 1, n, &one, grad) < 0)
    return NAN;
  return f;
}
