// Forward mode (ADJ_JVP) through the constructs of reverse/switch_cond.c,
// reverse/lvalues.c, reverse/loops_data.c and reverse/calls_more.c: switch with
// fallthrough and a default in the middle, ?: with side effects, the comma operator,
// compound assignment on elements and fields, ++/-- on doubles and pointers, integer
// code, global const arrays, reassigned parameters, do/while with continue, a break
// out of an inner loop, return from nested loops, local 2-D arrays, arrays of
// structs, &local output parameters, mutual recursion, several activity patterns of
// one helper, ADJ_NO_GRAD and adj_stop_gradient in loops. Every function also has
// ADJ_GRAD; check_fwd compares J v with <v, gradient> (1e-10 relative) and with
// central finite differences along v (1e-6 relative to max(1, |fd|)).
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
#include <adjoint.h>
#include <math.h>

#include "revcheck.h"

enum { N = 6 };

#define CHECKV(f) RC_WRAP_JVP_N(f, N)

static const double COEF[3] = {0.5, -1.5, 2.0};

ADJ_GRAD(w) ADJ_JVP(w)
double j_switch(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) {
    switch ((i * 7) % 5) {
    case 1:
      s = s * w[i] + 0.5;
      break;
    default:
      s += w[i] * w[i];
      /* fallthrough */
    case 3:
      s -= 0.25 * sin(w[i]);
      break;
    case 4:
      s = exp(0.2 * s);
      /* fallthrough */
    case 0:
      s += COEF[i % 3] * w[i];
    }
  }
  return s;
}
CHECKV(j_switch)

ADJ_GRAD(w) ADJ_JVP(w)
double j_cond_comma(const double *w, int n) {
  double acc = 0, neg = 0;
  int k = 0;
  for (int i = 0; i < n; i++) {
    double t = w[i] > 0 ? (acc += w[i] * w[i], k++, acc) : (neg -= w[i], neg * 2.0);
    acc = acc + 0.1 * t;
  }
  double u = (acc = acc * 1.1, neg = neg + acc, neg * acc);
  return u + k * w[0];
}
CHECKV(j_cond_comma)

typedef struct {
  double x, y;
  double h[2];
} cell;

ADJ_GRAD(w) ADJ_JVP(w)
double j_lvalues(const double *w, int n) {
  double a[N];
  cell c = {w[0], w[1], {w[2], w[3]}};
  cell *p = &c;
  for (int i = 0; i < n; i++)
    a[i] = w[i];
  for (int i = 0; i < n; i++) {
    a[i] += a[(i + 1) % n] * 0.5;
    a[(i + 2) % n] *= 1.0 + 0.1 * a[i];
    p->x *= 1.0 + 0.05 * a[i];
    p->h[i % 2] += p->x * w[i];
  }
  double s = 0;
  const double *q = a;
  while (q < a + n)
    s += *q++ * 0.5;
  double d = w[4];
  s += d * w[5]; // ++/-- on doubles in forward mode: forward/incdec.c
  return s + c.x * c.y + c.h[0] - c.h[1];
}
CHECKV(j_lvalues)

ADJ_GRAD(w) ADJ_JVP(w)
double j_ints(const double *w, int n) {
  int idx[N];
  for (int i = 0; i < n; i++)
    idx[i] = (i * 5 + 1) % n;
  double s = 0;
  for (int i = 0; i < n; i++) {
    int t = (int)(w[i] * 3.0 + 10.0);
    s += w[idx[i]] * (double)(t % 4) + w[i] * ((1 << (i % 3)) >> 1);
  }
  return s;
}
CHECKV(j_ints)

static double walk(const double *w, int n, double x) {
  double s = 0;
  x = x * x;
  while (n-- > 0) {
    s += *w * x;
    x = x * 0.5 + *w;
    w++;
  }
  return s + x;
}

ADJ_GRAD(w) ADJ_JVP(w)
double j_reassigned(const double *w, int n) {
  double s = walk(w, n, w[0]);
  w++;
  n--;
  return s + walk(w, n, 0.3) + w[0] * w[1];
}
CHECKV(j_reassigned)

ADJ_GRAD(w) ADJ_JVP(w)
double j_loops(const double *w, int n) {
  double s = 0.5;
  int i = 0;
  do {
    double x = w[i];
    i++;
    if (x < -0.3) {
      s -= x;
      continue;
    }
    s = s * (1.0 + 0.2 * x) + x * x;
  } while (i < n);
  for (int a = 0; a < n; a++) {
    double row = 0;
    for (int b = 0; b < n; b++) {
      row += w[b] * w[(a + b) % n];
      if (b >= a)
        break;
    }
    s += sin(row);
  }
  for (int a = 0; a < n; a++)
    for (int b = 0; b < 3; b++) {
      s *= 1.0 + 0.05 * w[(a + b) % n];
      if (s > 50.0)
        return s * w[b];
    }
  return s;
}
CHECKV(j_loops)

typedef struct {
  double pos, vel;
} body;

ADJ_GRAD(w) ADJ_JVP(w)
double j_layouts(const double *w, int n) {
  double m[2][3];
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 3; j++)
      m[i][j] = w[(i * 3 + j) % n] * (i + 1);
  body b[3];
  for (int i = 0; i < 3; i++) {
    b[i].pos = m[0][i];
    b[i].vel = m[1][i];
  }
  for (int step = 0; step < 4; step++)
    for (int i = 0; i < 3; i++) {
      b[i].vel += 0.1 * (-b[i].pos + 0.3 * b[(i + 1) % 3].pos);
      b[i].pos += 0.1 * b[i].vel;
    }
  double e = 0;
  for (int i = 0; i < 3; i++)
    e += b[i].pos * b[i].pos + 0.5 * b[i].vel * b[i].vel;
  return e;
}
CHECKV(j_layouts)

static void polar(double x, double y, double *r, double *th) {
  *r = sqrt(x * x + y * y);
  *th = atan2(y, x);
}
static double mix(double a, double b, const double *v, int n) {
  double s = a * b;
  for (int i = 0; i < n; i++)
    s += v[i] * (a - b * i);
  return s;
}
static double odd_t(double x, int k);
static double even_t(double x, int k) { return k <= 0 ? 1.0 : 1.0 + x * odd_t(x * 0.9, k - 1); }
static double odd_t(double x, int k) { return k <= 0 ? x : sin(x) + 0.5 * even_t(x + 0.1, k - 1); }

ADJ_GRAD(w) ADJ_JVP(w)
double j_calls(const double *w, int n) {
  double r, th;
  polar(w[0] + 2.0, w[1], &r, &th);
  const double consts[3] = {0.5, -1.0, 2.0};
  double s = mix(w[0], w[1], w, n) + mix(w[0], 2.0, consts, 3) + mix(1.5, w[1], consts, 3) +
             mix(0.5, 0.25, w + 2, 3) + mix(3.0, 4.0, consts, 3);
  return s + r * th + even_t(w[2], 5);
}
CHECKV(j_calls)

// stopped: exact tangent is sum_i t_i * c_i + t_0 * r
ADJ_GRAD(w) ADJ_JVP(w)
double j_stopped(const double *w, int n) {
  double s = 0, r = 0;
  for (int i = 0; i < n; i++) {
    double c = adj_stop_gradient(w[i] * w[i]);
    s += c * w[i];
    ADJ_NO_GRAD {
      r += sin(w[i]);
    }
  }
  return s + r * w[0];
}
double j_stopped_grad(const double *w, double *d_w, int n);
double j_stopped_jvp(const double *w, const double *t_w, int n, double *t_ret);

int main(void) {
  uint64_t rng = 555;
  int bad = 0;
  for (int trial = 0; trial < 3; trial++) {
    double x[N];
    gc_fill(&rng, x, N, -1.0, 1.0);
    bad |= check_fwd("j_switch", j_switch_w, j_switch_g, j_switch_j, NULL, x, N, &rng, 1e-6);
    bad |= check_fwd("j_cond_comma", j_cond_comma_w, j_cond_comma_g, j_cond_comma_j, NULL, x, N, &rng, 1e-6);
    bad |= check_fwd("j_lvalues", j_lvalues_w, j_lvalues_g, j_lvalues_j, NULL, x, N, &rng, 1e-6);
    bad |= check_fwd("j_ints", j_ints_w, j_ints_g, j_ints_j, NULL, x, N, &rng, 1e-6);
    bad |= check_fwd("j_reassigned", j_reassigned_w, j_reassigned_g, j_reassigned_j, NULL, x, N, &rng, 1e-6);
    bad |= check_fwd("j_loops", j_loops_w, j_loops_g, j_loops_j, NULL, x, N, &rng, 1e-6);
    bad |= check_fwd("j_layouts", j_layouts_w, j_layouts_g, j_layouts_j, NULL, x, N, &rng, 1e-6);
    bad |= check_fwd("j_calls", j_calls_w, j_calls_g, j_calls_j, NULL, x, N, &rng, 1e-6);
    bad |= check_rev("j_lvalues", j_lvalues_w, j_lvalues_g, NULL, x, N, 1e-6);
    bad |= check_rev("j_loops", j_loops_w, j_loops_g, NULL, x, N, 1e-6);
  }
  // CHECK-COUNT-30: {{(fwd|rev)}} {{[a-z_]+}}: OK
  // CHECK-NOT: FAIL

  double w[N], t[N], g[N] = {0}, tr = 0, r = 0, want = 0;
  gc_fill(&rng, w, N, -1.0, 1.0);
  gc_fill(&rng, t, N, -1.0, 1.0);
  double val = j_stopped_jvp(w, t, N, &tr);
  j_stopped_grad(w, g, N);
  for (int i = 0; i < N; i++)
    r += sin(w[i]);
  for (int i = 0; i < N; i++)
    want += t[i] * (w[i] * w[i] + (i == 0 ? r : 0.0));
  printf("j_stopped: value %s, tangent error < 1e-14: %s, matches gradient: %s\n",
         val == j_stopped(w, N) ? "ok" : "wrong", fabs(tr - want) < 1e-14 ? "yes" : "no",
         fabs(gc_dot(g, t, N) - want) < 1e-14 ? "yes" : "no");
  // CHECK: j_stopped: value ok, tangent error < 1e-14: yes, matches gradient: yes
  return bad;
}
