// Vector-valued functions in both modes, with outputs of several shapes: an output
// array written through a helper, an in/out array updated in place over several
// steps (an explicit ODE integrator), an output struct by pointer, and a scalar
// result together with an output array. ADJ_JVP pushes tangents forward, ADJ_VJP
// pulls cotangents back; the dot-product test <J v, u> == <v, J^T u> must hold to
// 1e-12 relative, J v must match central finite differences (1e-6), and the
// outputs of both must equal the primal's bit for bit.
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

enum { N = 4 };

static void rotate(const double *x, double *y, double th) {
  y[0] = cos(th) * x[0] - sin(th) * x[1];
  y[1] = sin(th) * x[0] + cos(th) * x[1];
}

// an output array written through a helper; th is a listed scalar
ADJ_JVP(x, th, y) ADJ_VJP(x, th, y)
void rot_out(const double *x, double th, double *y) {
  rotate(x, y, th);
  y[2] = x[2] * y[0];
  y[3] = exp(0.1 * x[3]) + y[1] * th;
}
void rot_out_jvp(const double *x, const double *t_x, double th, double t_th, double *y,
                 double *t_y);
void rot_out_vjp(const double *x, double *d_x, double th, double *d_th, double *y, double *d_y);

// in/out: u is read then overwritten, step by step (explicit Euler for a
// Lotka-Volterra-like system)
ADJ_JVP(u, k) ADJ_VJP(u, k)
void integrate(double *u, const double *k, int steps) {
  for (int s = 0; s < steps; s++) {
    double a = u[0], b = u[1];
    u[0] = a + 0.05 * (k[0] * a - k[1] * a * b);
    u[1] = b + 0.05 * (k[2] * a * b - k[3] * b);
    u[2] += 0.05 * u[0] * u[1];
    u[3] = u[3] * (1.0 - 0.05 * k[0]) + 0.05 * sin(u[2]);
  }
}
void integrate_jvp(double *u, double *t_u, const double *k, const double *t_k, int steps);
void integrate_vjp(double *u, double *d_u, const double *k, double *d_k, int steps);

typedef struct {
  double mean, var, lo, hi;
} stats;

// an output struct by pointer
ADJ_JVP(x, out) ADJ_VJP(x, out)
void summarize(const double *x, int n, stats *out) {
  double m = 0;
  for (int i = 0; i < n; i++)
    m += x[i];
  m /= n;
  double v = 0;
  for (int i = 0; i < n; i++)
    v += (x[i] - m) * (x[i] - m);
  out->mean = m;
  out->var = v / (n - 1);
  out->lo = x[0] < x[1] ? x[0] : x[1];
  out->hi = fmax(x[2], x[3]);
}
void summarize_jvp(const double *x, const double *t_x, int n, stats *out, stats *t_out);
void summarize_vjp(const double *x, double *d_x, int n, stats *out, stats *d_out);

// a scalar result and an output array at once
ADJ_JVP(x, y) ADJ_VJP(x, y)
double both(const double *x, double *y, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) {
    y[i] = x[i] * x[(i + 1) % n];
    s += y[i] * y[i];
  }
  return sqrt(s + 1.0);
}
double both_jvp(const double *x, const double *t_x, double *y, double *t_y, int n,
                double *t_ret);
double both_vjp(const double *x, double *d_x, double *y, double *d_y, int n, double d_ret);

// <J v, u> from the JVP, <v, J^T u> from the VJP, the same from finite differences
static int report(const char *name, double jv_u, double v_jtu, double fd, int same) {
  int ok = fabs(jv_u - v_jtu) <= 1e-12 * fmax(1.0, fabs(v_jtu)) &&
           fabs(jv_u - fd) <= 1e-6 * fmax(1.0, fabs(fd)) && same;
  printf("%s: %s\n", name, ok ? "OK" : "FAIL");
  if (!ok)
    printf("  <Jv,u> %.17g <v,J^T u> %.17g fd %.17g outputs %s\n", jv_u, v_jtu, fd,
           same ? "same" : "differ");
  return !ok;
}

int main(void) {
  uint64_t rng = 2718;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    // rot_out: inputs (x[0..3], th), outputs y[0..3]
    {
      double x[N], v[N], u[N], th, vth, y[N], ty[N], y2[N], dx[N] = {0}, dth = 0, dy[N], y0[N];
      gc_fill(&rng, x, N, -1.0, 1.0);
      gc_fill(&rng, v, N, -1.0, 1.0);
      gc_fill(&rng, u, N, -1.0, 1.0);
      th = gc_uniform(&rng, -1.0, 1.0);
      vth = gc_uniform(&rng, -1.0, 1.0);
      rot_out_jvp(x, v, th, vth, y, ty);
      for (int i = 0; i < N; i++)
        dy[i] = u[i];
      rot_out_vjp(x, dx, th, &dth, y2, dy);
      double h = 1e-6, xp[N], xm[N], yp[N], ym[N];
      for (int i = 0; i < N; i++) {
        xp[i] = x[i] + h * v[i];
        xm[i] = x[i] - h * v[i];
      }
      rot_out(xp, th + h * vth, yp);
      rot_out(xm, th - h * vth, ym);
      rot_out(x, th, y0);
      double fd = 0, same = 1;
      for (int i = 0; i < N; i++) {
        fd += (yp[i] - ym[i]) / (2 * h) * u[i];
        same = same && y[i] == y0[i] && y2[i] == y0[i];
      }
      bad |= report("rot_out", gc_dot(ty, u, N), gc_dot(v, dx, N) + vth * dth, fd, same);
    }
    // integrate: inputs (u0, k), outputs u(T)
    {
      double u0[N], k[N], vu[N], vk[N], w[N];
      gc_fill(&rng, u0, N, 0.5, 1.5);
      gc_fill(&rng, k, N, 0.5, 1.5);
      gc_fill(&rng, vu, N, -1.0, 1.0);
      gc_fill(&rng, vk, N, -1.0, 1.0);
      gc_fill(&rng, w, N, -1.0, 1.0);
      double u[N], tu[N], u2[N], du[N], dk[N] = {0}, up[N], um[N], kp[N], km[N], ur[N];
      for (int i = 0; i < N; i++) {
        u[i] = u2[i] = ur[i] = u0[i];
        tu[i] = vu[i];
        du[i] = w[i];
      }
      integrate_jvp(u, tu, k, vk, 20);
      integrate_vjp(u2, du, k, dk, 20);
      integrate(ur, k, 20);
      double h = 1e-6;
      for (int i = 0; i < N; i++) {
        up[i] = u0[i] + h * vu[i];
        um[i] = u0[i] - h * vu[i];
        kp[i] = k[i] + h * vk[i];
        km[i] = k[i] - h * vk[i];
      }
      integrate(up, kp, 20);
      integrate(um, km, 20);
      double fd = 0;
      int same = 1;
      for (int i = 0; i < N; i++) {
        fd += (up[i] - um[i]) / (2 * h) * w[i];
        same = same && u[i] == ur[i] && u2[i] == ur[i];
      }
      // d_u on exit holds the cotangent of u's entry values
      bad |= report("integrate", gc_dot(tu, w, N), gc_dot(vu, du, N) + gc_dot(vk, dk, N), fd, same);
    }
    // summarize: inputs x, outputs the 4 fields
    {
      double x[N], v[N], dx[N] = {0};
      gc_fill(&rng, x, N, -1.0, 1.0);
      gc_fill(&rng, v, N, -1.0, 1.0);
      stats o, to, o2, dout, o0, op, om;
      dout.mean = gc_uniform(&rng, -1, 1);
      dout.var = gc_uniform(&rng, -1, 1);
      dout.lo = gc_uniform(&rng, -1, 1);
      dout.hi = gc_uniform(&rng, -1, 1);
      stats u = dout;
      summarize_jvp(x, v, N, &o, &to);
      summarize_vjp(x, dx, N, &o2, &dout);
      summarize(x, N, &o0);
      double h = 1e-6, xp[N], xm[N];
      for (int i = 0; i < N; i++) {
        xp[i] = x[i] + h * v[i];
        xm[i] = x[i] - h * v[i];
      }
      summarize(xp, N, &op);
      summarize(xm, N, &om);
      double jvu = to.mean * u.mean + to.var * u.var + to.lo * u.lo + to.hi * u.hi;
      double fd = ((op.mean - om.mean) * u.mean + (op.var - om.var) * u.var +
                   (op.lo - om.lo) * u.lo + (op.hi - om.hi) * u.hi) / (2 * h);
      int same = o.mean == o0.mean && o.var == o0.var && o.lo == o0.lo && o.hi == o0.hi &&
                 o2.mean == o0.mean && o2.var == o0.var && o2.lo == o0.lo && o2.hi == o0.hi;
      bad |= report("summarize", jvu, gc_dot(v, dx, N), fd, same);
    }
    // both: inputs x, outputs (result, y)
    {
      double x[N], v[N], u[N], dx[N] = {0}, y[N], ty[N], y2[N], dy[N], y0[N], tr = 0;
      gc_fill(&rng, x, N, -1.0, 1.0);
      gc_fill(&rng, v, N, -1.0, 1.0);
      gc_fill(&rng, u, N, -1.0, 1.0);
      double ur = gc_uniform(&rng, -1.0, 1.0);
      for (int i = 0; i < N; i++)
        dy[i] = u[i];
      double r1 = both_jvp(x, v, y, ty, N, &tr);
      double r2 = both_vjp(x, dx, y2, dy, N, ur);
      double r0 = both(x, y0, N);
      double h = 1e-6, xp[N], xm[N], yp[N], ym[N];
      for (int i = 0; i < N; i++) {
        xp[i] = x[i] + h * v[i];
        xm[i] = x[i] - h * v[i];
      }
      double rp = both(xp, yp, N), rm = both(xm, ym, N);
      double fd = (rp - rm) / (2 * h) * ur;
      int same = r1 == r0 && r2 == r0;
      for (int i = 0; i < N; i++) {
        fd += (yp[i] - ym[i]) / (2 * h) * u[i];
        same = same && y[i] == y0[i] && y2[i] == y0[i];
      }
      bad |= report("both", gc_dot(ty, u, N) + tr * ur, gc_dot(v, dx, N), fd, same);
    }
  }
  // CHECK-COUNT-12: {{[a-z_]+}}: OK
  // CHECK-NOT: FAIL
  return bad;
}
