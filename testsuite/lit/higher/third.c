// Any order by composition: a request on the declaration of a generated function
// differentiates the generated code. Here ADJ_JVP of f_hvp gives third derivatives
// (forward over forward over reverse), checked against closed forms: (x³)''' = 6,
// sin''' = -cos, exp''' = exp, and the mixed partial ∂³(x y z)/∂x∂y∂z = 1.
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
// RUN: %FileCheck %s --check-prefix=GEN < %t.c
#include <adjoint.h>
#include <math.h>

#include "gradcheck.h"

ADJ_HVP(x)
double cube(double x) { return x * x * x; }
ADJ_JVP(x, hv_x)
double cube_hvp(double x, double v_x, double *hv_x);
double cube_hvp_jvp(double x, double t_x, double v_x, double *hv_x, double *t_hv_x, double *t2_ret);
// GEN: {{^ *}}double cube_hvp_jvp(double x, double t_x, double v_x, double *hv_x, double *t_hv_x, double *t2_ret) {

ADJ_HVP(x)
double sine(double x) { return sin(x); }
ADJ_JVP(x, hv_x)
double sine_hvp(double x, double v_x, double *hv_x);
double sine_hvp_jvp(double x, double t_x, double v_x, double *hv_x, double *t_hv_x, double *t2_ret);

ADJ_HVP(x)
double expo(double x) { return exp(0.5 * x); }
ADJ_JVP(x, hv_x)
double expo_hvp(double x, double v_x, double *hv_x);
double expo_hvp_jvp(double x, double t_x, double v_x, double *hv_x, double *t_hv_x, double *t2_ret);

ADJ_HVP(x, y, z)
double triple(double x, double y, double z) { return x * y * z + x * x; }
ADJ_JVP(x, y, z, hv_x, hv_y, hv_z)
double triple_hvp(double x, double v_x, double *hv_x, double y, double v_y, double *hv_y, double z,
                  double v_z, double *hv_z);
double triple_hvp_jvp(double x, double t_x, double v_x, double *hv_x, double *t_hv_x, double y,
                      double t_y, double v_y, double *hv_y, double *t_hv_y, double z, double t_z,
                      double v_z, double *hv_z, double *t_hv_z, double *t2_ret);

int main(void) {
  int bad = 0;
  for (double x = -1.0; x <= 2.0; x += 1.5) {
    double hv = 0, t3 = 0, tr = 0;
    cube_hvp_jvp(x, 1.0, 1.0, &hv, &t3, &tr);
    bad |= gc_compare1("cube f''", hv, 6 * x, 1e-12);
    bad |= gc_compare1("cube f'''", t3, 6.0, 1e-12);
    hv = t3 = 0;
    sine_hvp_jvp(x, 1.0, 1.0, &hv, &t3, &tr);
    bad |= gc_compare1("sin f''", hv, -sin(x), 1e-12);
    bad |= gc_compare1("sin f'''", t3, -cos(x), 1e-12);
    hv = t3 = 0;
    expo_hvp_jvp(x, 1.0, 1.0, &hv, &t3, &tr);
    bad |= gc_compare1("exp f'''", t3, 0.125 * exp(0.5 * x), 1e-12);
  }
  // CHECK-COUNT-3: gradcheck cube f'': {{.*}} OK
  // CHECK: gradcheck cube f''': {{.*}} OK
  // CHECK: gradcheck sin f''': {{.*}} OK
  // CHECK: gradcheck exp f''': {{.*}} OK

  // v = e_x (Hessian column x), tangent e_z: t_hv_y = ∂/∂z ∂²f/∂y∂x = 1,
  // t_hv_x = ∂/∂z ∂²f/∂x² = 0
  double hx = 0, hy = 0, hz = 0, tx = 0, ty = 0, tz = 0, tr = 0;
  triple_hvp_jvp(0.3, 0.0, 1.0, &hx, &tx, -0.7, 0.0, 0.0, &hy, &ty, 1.1, 1.0, 0.0, &hz, &tz, &tr);
  printf("H e_x = [%g, %g, %g]; d/dz of it = [%g, %g, %g]\n", hx, hy, hz, tx, ty, tz);
  // CHECK: H e_x = [2, 1.1, -0.7]; d/dz of it = [0, 1, 0]
  return bad;
}
