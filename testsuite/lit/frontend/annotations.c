// Annotations: every request kind with its parameters split at top-level commas
// (`w[n]` kept as written), custom_grad and inactive, a prototype's annotation
// combined with the definition's, and declarations for annotated functions
// without a body. Functions without annotations that nothing calls are ignored.
//
// RUN: %adjc %s --print-after=lower --emit=ir >/dev/null 2>%t.ir || true
// RUN: %FileCheck %s < %t.ir
#include <adjoint.h>

ADJ_GRAD(w, x)
double model(const double *w, const double *x, int n);

ADJ_HVP(w) ADJ_HESSIAN(w[n])
double model(const double *w, const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; i++)
    s += w[i] * x[i];
  return s;
}
// CHECK-LABEL: func double model(const double *w, const double *x, int n)  ; grad(w, x) hvp(w) hessian(w[n]) {

ADJ_VJP(x) ADJ_JVP(x) ADJ_JACOBIAN(x[2], y[3])
void vec(const double *x, double *y) { y[0] = x[0] * x[1]; }
// CHECK-LABEL: func void vec(const double *x, double *y)  ; vjp(x) jvp(x) jacobian(x[2], y[3]) {

void my_pullback(double x, double d_ret, double *d_x);
ADJ_CUSTOM_GRAD(my_pullback)
double special(double x);
// CHECK-LABEL: declare double special(double x)  ; custom_grad(my_pullback)

ADJ_INACTIVE
double counter(double x) { return x + 1; }
// CHECK-LABEL: declare double counter(double x)  ; inactive

double plain(double x) { return x; }
// CHECK-NOT: plain

ADJ_GRAD(x)
double uses(double x, double) { return special(x) + counter(x); }
// CHECK-LABEL: func double uses(double x, double p1)  ; grad(x) {
