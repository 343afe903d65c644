// adolc_lstm.cpp — the LSTM objective of lstm.c for ADOL-C 2.7: the same definition,
// operation for operation (including the "+ 2" inside the logsumexp), as a C++
// template (instantiated with adouble to record the tape; with double it is
// lstm_objective), and the two benchmark entry points of adbench.h.
//
// Independents, in the gradient layout of adbench.h: main_params (2*l*4*b), then
// extra_params (3*b). One dependent: the loss.
//
// The gate temporaries live in one workspace allocated per objective call instead of
// arrays local to each cell as in lstm.c: a default-constructed adouble records an
// assignment of zero, so per-cell arrays would add dead operations to the tape. The
// small helpers return their expression directly (an adub for adouble) so that the
// assignment that stores the result reuses its location instead of copying it.
#include "adbench.h"

#include <adolc/adolc.h>

#include <cmath>
#include <cstddef>
#include <vector>

namespace {

template <typename T> auto lstm_sigmoid(const T &x) {
  using std::exp;
  return 1.0 / (1.0 + exp(-x));
}

template <typename T> T lstm_logsumexp(int n, const T *v) {
  using std::exp;
  using std::log;
  T s = 0.0;
  for (int i = 0; i < n; i++)
    s += exp(v[i]);
  return log(s + 2.0);
}

template <typename T> struct LstmWork {
  std::vector<T> forget, ingate, outgate, change, x2, ypred, ynorm;
  explicit LstmWork(int b)
      : forget((size_t)b), ingate((size_t)b), outgate((size_t)b), change((size_t)b),
        x2((size_t)b), ypred((size_t)b), ynorm((size_t)b) {}
};

// One LSTM cell: updates hidden and cell in place from input.
template <typename T>
void lstm_model(int b, const T *weight, const T *bias, T *hidden, T *cell, const T *input,
                LstmWork<T> &w) {
  using std::tanh;
  for (int i = 0; i < b; i++) {
    w.forget[i] = lstm_sigmoid(input[i] * weight[i] + bias[i]);
    w.ingate[i] = lstm_sigmoid(hidden[i] * weight[b + i] + bias[b + i]);
    w.outgate[i] = lstm_sigmoid(input[i] * weight[2 * b + i] + bias[2 * b + i]);
    w.change[i] = tanh(hidden[i] * weight[3 * b + i] + bias[3 * b + i]);
  }
  for (int i = 0; i < b; i++)
    cell[i] = cell[i] * w.forget[i] + w.ingate[i] * w.change[i];
  for (int i = 0; i < b; i++)
    hidden[i] = w.outgate[i] * tanh(cell[i]);
}

// Runs the input through all layers and the output layer into w.ypred.
template <typename T>
void lstm_predict(int l, int b, const T *wt, const T *w2, T *s, const double *x,
                  LstmWork<T> &w) {
  for (int i = 0; i < b; i++)
    w.x2[i] = x[i] * w2[i];
  // layer 0 reads x2, layer i > 0 the hidden state of layer i - 1
  lstm_model(b, &wt[0], &wt[4 * b], &s[0], &s[b], w.x2.data(), w);
  for (int i = 1; i < l; i++)
    lstm_model(b, &wt[i * 2 * 4 * b], &wt[(i * 2 + 1) * 4 * b], &s[i * 2 * b],
               &s[(i * 2 + 1) * b], &s[(i - 1) * 2 * b], w);
  for (int i = 0; i < b; i++)
    w.ypred[i] = s[(l - 1) * 2 * b + i] * w2[b + i] + w2[2 * b + i];
}

template <typename T>
T lstm_objective_t(int l, int c, int b, const T *main_params, const T *extra_params,
                   const double *state, const double *sequence) {
  std::vector<T> s(state, state + (size_t)2 * l * b);
  LstmWork<T> w(b);
  T total = 0.0;
  int count = 0;
  for (int t = 0; t < c - 1; t++) {
    lstm_predict(l, b, main_params, extra_params, s.data(), &sequence[t * b], w);
    T lse = lstm_logsumexp(b, w.ypred.data());
    for (int i = 0; i < b; i++)
      w.ynorm[i] = w.ypred[i] - lse;
    for (int i = 0; i < b; i++)
      total += sequence[(t + 1) * b + i] * w.ynorm[i];
    count += b;
  }
  return -total / (double)count;
}

std::vector<double> lstm_pack(const LstmInput *in) {
  size_t nm = (size_t)2 * in->l * 4 * in->b, ne = (size_t)3 * in->b;
  std::vector<double> p(nm + ne);
  for (size_t i = 0; i < nm; i++)
    p[i] = in->main_params[i];
  for (size_t i = 0; i < ne; i++)
    p[nm + i] = in->extra_params[i];
  return p;
}

} // namespace

extern "C" double adolc_lstm_record(short tag, const LstmInput *in) {
  std::vector<double> p = lstm_pack(in);
  size_t nm = (size_t)2 * in->l * 4 * in->b;
  double f = 0.0;
  trace_on(tag);
  {
    std::vector<adouble> a(p.size());
    for (size_t i = 0; i < p.size(); i++)
      a[i] <<= p[i];
    adouble y = lstm_objective_t<adouble>(in->l, in->c, in->b, a.data(), a.data() + nm,
                                          in->state, in->sequence);
    y >>= f;
  }
  trace_off();
  return f;
}

// As adolc_gmm_grad: the two calls of ADOL-C's gradient driver, keeping the value.
// The LSTM has no data-dependent control flow, but a negative return is handled the
// same way (retape at this input).
extern "C" double adolc_lstm_grad(short tag, const LstmInput *in, double *grad) {
  std::vector<double> p = lstm_pack(in);
  int n = (int)p.size();
  double f = 0.0, one = 1.0;
  disableBranchSwitchWarnings();
  if (zos_forward(tag, 1, n, 1, p.data(), &f) < 0) {
    adolc_lstm_record(tag, in);
    if (zos_forward(tag, 1, n, 1, p.data(), &f) < 0)
      return NAN;
  }
  if (fos_reverse(tag, 1, n, &one, grad) < 0)
    return NAN;
  return f;
}
