// Three more realistic objectives: a logistic-regression loss with L2 over a small
// data set, the loss of a 1-D heat equation integrated explicitly (parameters are the
// initial condition and the diffusivity), and a softmax cross-entropy over a tiny
// MLP (tanh hidden layer). Each has ADJ_GRAD (checked against finite differences,
// 1e-6 relative to max(1, |fd|), value and accumulation) and ADJ_JVP (dot test
// against the gradient, 1e-10, and finite differences along a random direction).
// The Hessian of the logistic loss is checked in higher/hvp_calls.c.
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

enum { NS = 12, NF = 3, NX = 10, NT = 25, NI = 3, NH = 4, NC = 3 };

// ---- logistic regression: theta = [w (NF) | b] ------------------------------------
static double log1pexp(double z) { return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z)); }

ADJ_GRAD(theta) ADJ_JVP(theta)
double logreg(const double *theta, int m, const double *x, const int *y, int n, double lambda) {
  int nf = m - 1;
  double loss = 0;
  for (int i = 0; i < n; i++) {
    double z = theta[nf];
    for (int j = 0; j < nf; j++)
      z += theta[j] * x[i * nf + j];
    // -log sigmoid(z) for y = 1, -log(1 - sigmoid(z)) for y = 0
    loss += y[i] ? log1pexp(-z) : log1pexp(z);
  }
  double reg = 0;
  for (int j = 0; j < nf; j++)
    reg += theta[j] * theta[j];
  return loss / n + 0.5 * lambda * reg;
}
double logreg_grad(const double *theta, double *d_theta, int m, const double *x, const int *y,
                   int n, double lambda);
double logreg_jvp(const double *theta, const double *t_theta, int m, const double *x,
                  const int *y, int n, double lambda, double *t_ret);

static double X[NS * NF];
static int Y[NS];
static double logreg_w(const double *v, void *c) { (void)c; return logreg(v, NF + 1, X, Y, NS, 0.1); }
static double logreg_g(const double *v, double *g, void *c) {
  (void)c;
  return logreg_grad(v, g, NF + 1, X, Y, NS, 0.1);
}
static double logreg_j(const double *v, const double *t, double *tr, void *c) {
  (void)c;
  return logreg_jvp(v, t, NF + 1, X, Y, NS, 0.1, tr);
}

// ---- heat equation: u_t = kappa u_xx on [0, 1], u = 0 at both ends ---------------
// p = [u0 (NX) | log kappa]; loss = sum (u(T) - target)^2 + small smoothness term
ADJ_GRAD(p) ADJ_JVP(p)
double heat(const double *p, int nx, int nt, const double *target) {
  double u[32], un[32];
  double kappa = exp(p[nx]);
  double dx = 1.0 / (nx + 1), dt = 0.2 * dx * dx; // stable for kappa < 2.5
  for (int i = 0; i < nx; i++)
    u[i] = p[i];
  for (int s = 0; s < nt; s++) {
    for (int i = 0; i < nx; i++) {
      double left = i > 0 ? u[i - 1] : 0.0;
      double right = i < nx - 1 ? u[i + 1] : 0.0;
      un[i] = u[i] + dt * kappa * (left - 2.0 * u[i] + right) / (dx * dx);
    }
    for (int i = 0; i < nx; i++)
      u[i] = un[i];
  }
  double loss = 0;
  for (int i = 0; i < nx; i++) {
    double e = u[i] - target[i];
    loss += e * e;
    if (i > 0)
      loss += 1e-3 * (p[i] - p[i - 1]) * (p[i] - p[i - 1]);
  }
  return loss;
}
double heat_grad(const double *p, double *d_p, int nx, int nt, const double *target);
double heat_jvp(const double *p, const double *t_p, int nx, int nt, const double *target,
                double *t_ret);
static double TARGET[NX];
static double heat_w(const double *v, void *c) { (void)c; return heat(v, NX, NT, TARGET); }
static double heat_g(const double *v, double *g, void *c) {
  (void)c;
  return heat_grad(v, g, NX, NT, TARGET);
}
static double heat_j(const double *v, const double *t, double *tr, void *c) {
  (void)c;
  return heat_jvp(v, t, NX, NT, TARGET, tr);
}

// ---- a tiny MLP: NI inputs -> NH tanh units -> NC logits -> softmax cross-entropy --
// params = [W1 (NH x NI) | b1 (NH) | W2 (NC x NH) | b2 (NC)]
static void layer(const double *w, const double *b, const double *in, double *out, int nin,
                  int nout, int act) {
  for (int o = 0; o < nout; o++) {
    double a = b[o];
    for (int i = 0; i < nin; i++)
      a += w[o * nin + i] * in[i];
    out[o] = act ? tanh(a) : a;
  }
}

ADJ_GRAD(params) ADJ_JVP(params)
double mlp_xent(const double *params, const double *x, const int *label, int n) {
  const double *w1 = params, *b1 = w1 + NH * NI;
  const double *w2 = b1 + NH, *b2 = w2 + NC * NH;
  double total = 0;
  for (int s = 0; s < n; s++) {
    double h[NH], logits[NC];
    layer(w1, b1, x + s * NI, h, NI, NH, 1);
    layer(w2, b2, h, logits, NH, NC, 0);
    double m = logits[0];
    for (int c = 1; c < NC; c++)
      m = logits[c] > m ? logits[c] : m;
    double z = 0;
    for (int c = 0; c < NC; c++)
      z += exp(logits[c] - m);
    total += m + log(z) - logits[label[s]];
  }
  return total / n;
}
double mlp_xent_grad(const double *params, double *d_params, const double *x, const int *label,
                     int n);
double mlp_xent_jvp(const double *params, const double *t_params, const double *x,
                    const int *label, int n, double *t_ret);
enum { NP = NH * NI + NH + NC * NH + NC, NMLP = 6 };
static double MX[NMLP * NI];
static int ML[NMLP];
static double mlp_w(const double *v, void *c) { (void)c; return mlp_xent(v, MX, ML, NMLP); }
static double mlp_g(const double *v, double *g, void *c) {
  (void)c;
  return mlp_xent_grad(v, g, MX, ML, NMLP);
}
static double mlp_j(const double *v, const double *t, double *tr, void *c) {
  (void)c;
  return mlp_xent_jvp(v, t, MX, ML, NMLP, tr);
}

int main(void) {
  uint64_t rng = 7;
  int bad = 0;
  gc_fill(&rng, X, NS * NF, -2.0, 2.0);
  for (int i = 0; i < NS; i++)
    Y[i] = X[i * NF] + 0.5 * X[i * NF + 1] > 0.3 ? 1 : 0;
  for (int i = 0; i < NX; i++)
    TARGET[i] = sin(3.14159 * (i + 1) / (NX + 1)) * 0.5;
  gc_fill(&rng, MX, NMLP * NI, -1.0, 1.0);
  for (int i = 0; i < NMLP; i++)
    ML[i] = i % NC;
  for (int trial = 0; trial < 3; trial++) {
    double th[NF + 1], p[NX + 1], w[NP];
    gc_fill(&rng, th, NF + 1, -1.0, 1.0);
    gc_fill(&rng, p, NX + 1, -1.0, 0.5);
    gc_fill(&rng, w, NP, -0.8, 0.8);
    bad |= check_rev("logreg", logreg_w, logreg_g, NULL, th, NF + 1, 1e-6);
    bad |= check_fwd("logreg", logreg_w, logreg_g, logreg_j, NULL, th, NF + 1, &rng, 1e-6);
    bad |= check_rev("heat", heat_w, heat_g, NULL, p, NX + 1, 1e-6);
    bad |= check_fwd("heat", heat_w, heat_g, heat_j, NULL, p, NX + 1, &rng, 1e-6);
    bad |= check_rev("mlp_xent", mlp_w, mlp_g, NULL, w, NP, 1e-6);
    bad |= check_fwd("mlp_xent", mlp_w, mlp_g, mlp_j, NULL, w, NP, &rng, 1e-6);
  }
  // CHECK-COUNT-18: {{(rev|fwd)}} {{[a-z_]+}}: OK
  // CHECK-NOT: FAIL
  return bad;
}
