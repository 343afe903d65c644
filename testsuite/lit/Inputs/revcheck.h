/*
 * revcheck.h — the standard checks of a generated reverse-mode function, for the
 * end-to-end lit tests (builds on gradcheck.h).
 *
 * For a function f of n doubles (wrapped as `double f_w(const double *x, void *ctx)`)
 * and its generated gradient (wrapped as `double g_w(const double *x, double *g,
 * void *ctx)`, which calls f_grad and returns its value), check_rev verifies:
 *   1. the value f_grad returns is f's value, bit for bit;
 *   2. the gradient matches central finite differences within `tol` (absolute);
 *   3. a second call adds the same gradient again (derivative outputs accumulate).
 * It prints one line `rev <name>: OK` or the failures, and returns 0 when all hold.
 */
#ifndef ADJ_REVCHECK_H
#define ADJ_REVCHECK_H

#include "gradcheck.h"

typedef double (*rc_grad_fn)(const double *x, double *g, void *ctx);

/* check_rev with finite-difference step rel * max(1, |x_i|) (use about 1e-3 for
 * functions computed in float). */
static inline int check_rev_h(const char *name, gc_fn f, rc_grad_fn g, void *ctx,
                              const double *x, int n, double tol, double rel) {
  double *grad = calloc((size_t)(n > 0 ? n : 1), sizeof(double));
  double *twice = calloc((size_t)(n > 0 ? n : 1), sizeof(double));
  double *fd = calloc((size_t)(n > 0 ? n : 1), sizeof(double));
  int bad = 0;
  if (!grad || !twice || !fd) {
    printf("rev %s: out of memory FAIL\n", name);
    bad = 1;
    goto done;
  }
  double value = g(x, grad, ctx);
  double primal = f(x, ctx);
  if (!(value == primal) && !(value != value && primal != primal)) {
    printf("rev %s: value %.17g but f gives %.17g FAIL\n", name, value, primal);
    bad = 1;
  }
  gc_fd_grad_h(f, ctx, x, n, fd, rel);
  for (int i = 0; i < n; i++) {
    double e = fabs(grad[i] - fd[i]);
    if (!(e <= tol * fmax(1.0, fabs(fd[i])))) {
      printf("rev %s: d/dx[%d] = %.17g, finite differences %.17g FAIL\n", name, i, grad[i], fd[i]);
      bad = 1;
    }
  }
  for (int i = 0; i < n; i++)
    twice[i] = grad[i];
  g(x, twice, ctx);
  for (int i = 0; i < n; i++)
    /* the second call adds onto a non-zero start, so float code rounds differently */
    if (fabs(twice[i] - 2 * grad[i]) > fmax(1e-12, 1e-3 * tol) * fmax(1.0, fabs(grad[i]))) {
      printf("rev %s: second call gives %.17g, expected 2 * %.17g (accumulation) FAIL\n", name,
             twice[i], grad[i]);
      bad = 1;
    }
  if (!bad)
    printf("rev %s: OK\n", name);
done:
  free(grad);
  free(twice);
  free(fd);
  return bad;
}

/* For `double f(const double *w, int n)` with ADJ_GRAD(w): declares f_grad and
 * defines f_w / f_g, the gc_fn / rc_grad_fn wrappers check_rev takes, at length n. */
#define RC_WRAP_N(f, n)                                                             \
  double f##_grad(const double *w, double *d_w, int n_);                            \
  static double f##_w(const double *v, void *c) {                                   \
    (void)c;                                                                        \
    return f(v, (n));                                                               \
  }                                                                                 \
  static double f##_g(const double *v, double *g, void *c) {                        \
    (void)c;                                                                        \
    return f##_grad(v, g, (n));                                                     \
  }

/* RC_WRAP_N plus f_jvp (ADJ_JVP(w)) and f_j, the rc_jvp_fn wrapper check_fwd takes. */
#define RC_WRAP_JVP_N(f, n)                                                         \
  RC_WRAP_N(f, n)                                                                   \
  double f##_jvp(const double *w, const double *t_w, int n_, double *t_ret);        \
  static double f##_j(const double *x, const double *v, double *t, void *c) {       \
    (void)c;                                                                        \
    return f##_jvp(x, v, (n), t);                                                   \
  }

static inline int check_rev(const char *name, gc_fn f, rc_grad_fn g, void *ctx, const double *x,
                            int n, double tol) {
  return check_rev_h(name, f, g, ctx, x, n, tol, 1e-6);
}

/* A generated forward-mode function, wrapped: returns f(x) and writes the
 * directional derivative (tangent of the result) for direction v into *t_ret. */
typedef double (*rc_jvp_fn)(const double *x, const double *v, double *t_ret, void *ctx);

/* Check a JVP against the gradient of the same function (the dot-product test
 * <J v, 1> == <v, J^T 1>, to 1e-10 relative) and against a central finite difference
 * along v (to tol). Prints `fwd <name>: OK` or the failures; returns 0 when all hold. */
static inline int check_fwd(const char *name, gc_fn f, rc_grad_fn g, rc_jvp_fn j, void *ctx,
                            const double *x, int n, uint64_t *rng, double tol) {
  double *v = calloc((size_t)(n > 0 ? n : 1), sizeof(double));
  double *grad = calloc((size_t)(n > 0 ? n : 1), sizeof(double));
  double *xp = calloc((size_t)(n > 0 ? n : 1), sizeof(double));
  int bad = 0;
  if (!v || !grad || !xp) {
    printf("fwd %s: out of memory FAIL\n", name);
    bad = 1;
    goto done;
  }
  gc_fill(rng, v, n, -1.0, 1.0);
  double t = 0;
  double value = j(x, v, &t, ctx);
  if (!(value == f(x, ctx))) {
    printf("fwd %s: value %.17g but f gives %.17g FAIL\n", name, value, f(x, ctx));
    bad = 1;
  }
  g(x, grad, ctx);
  double dot = gc_dot(grad, v, n);
  if (fabs(t - dot) > 1e-10 * fmax(1.0, fabs(dot))) {
    printf("fwd %s: <J v, 1> = %.17g but <v, J^T 1> = %.17g FAIL\n", name, t, dot);
    bad = 1;
  }
  double h = 1e-6;
  for (int i = 0; i < n; i++)
    xp[i] = x[i] + h * v[i];
  double up = f(xp, ctx);
  for (int i = 0; i < n; i++)
    xp[i] = x[i] - h * v[i];
  double fd = (up - f(xp, ctx)) / (2 * h);
  if (!(fabs(t - fd) <= tol * fmax(1.0, fabs(fd)))) {
    printf("fwd %s: J v = %.17g, finite differences %.17g FAIL\n", name, t, fd);
    bad = 1;
  }
  if (!bad)
    printf("fwd %s: OK\n", name);
done:
  free(v);
  free(grad);
  free(xp);
  return bad;
}

/* Generated second-order functions of f(w, n), wrapped as the signatures adjc gives
 * them for ADJ_GRAD(w) ADJ_HVP(w[n]) ADJ_HESSIAN(w[n]). */
typedef double (*rc_prim_n)(const double *, int);
typedef double (*rc_grad_n)(const double *, double *, int);
typedef double (*rc_hvp_n)(const double *, const double *, double *, int);
typedef double (*rc_hess_n)(const double *, double *, int);

/* Check at a random w, along a random v: f_hvp returns f's value and H v matches
 * central differences of the gradient along v (1e-6); f_hessian returns f's value,
 * is symmetric and H v from its rows equals f_hvp's (1e-12). Prints gradcheck lines
 * named `name`; returns 0 when all hold. */
static inline int check_hvp_hessian(const char *name, rc_prim_n f, rc_grad_n g, rc_hvp_n hv,
                                    rc_hess_n hs, int n, uint64_t *rng) {
  size_t sz = (size_t)(n > 0 ? n : 1);
  double *w = calloc(sz, sizeof(double)), *v = calloc(sz, sizeof(double));
  double *out = calloc(sz, sizeof(double)), *g1 = calloc(sz, sizeof(double));
  double *g2 = calloc(sz, sizeof(double)), *wp = calloc(sz, sizeof(double));
  double *fd = calloc(sz, sizeof(double)), *hv2 = calloc(sz, sizeof(double));
  double *h = calloc(sz * sz, sizeof(double));
  int bad = !w || !v || !out || !g1 || !g2 || !wp || !fd || !hv2 || !h;
  if (!bad) {
    gc_fill(rng, w, n, -1.0, 1.0);
    gc_fill(rng, v, n, -1.0, 1.0);
    bad |= !(hv(w, v, out, n) == f(w, n));
    double e = 1e-6;
    for (int i = 0; i < n; i++)
      wp[i] = w[i] + e * v[i];
    g(wp, g1, n);
    for (int i = 0; i < n; i++)
      wp[i] = w[i] - e * v[i];
    g(wp, g2, n);
    for (int i = 0; i < n; i++)
      fd[i] = (g1[i] - g2[i]) / (2 * e);
    bad |= gc_compare(name, out, fd, n, 1e-6);
    bad |= !(hs(w, h, n) == f(w, n));
    double asym = 0;
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++) {
        asym = fmax(asym, fabs(h[i * n + j] - h[j * n + i]));
        hv2[i] += h[i * n + j] * v[j];
      }
    bad |= gc_compare(name, hv2, out, n, 1e-12);
    bad |= gc_compare1(name, asym, 0.0, 1e-12);
  }
  free(w), free(v), free(out), free(g1), free(g2), free(wp), free(fd), free(hv2), free(h);
  return bad;
}

#endif /* ADJ_REVCHECK_H */
