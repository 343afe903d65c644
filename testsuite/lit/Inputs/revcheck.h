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

#endif /* ADJ_REVCHECK_H */
