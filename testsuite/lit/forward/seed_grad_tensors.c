// The seeds' grad_tensors example with ADJ_VJP: y0 = (x + w)(w + 1),
// y1 = (x + w) + (w + 1); loss = [y0, y1]; backward(gradient=[1, 2]) at w = 1,
// x = 2 gives w.grad = 1 * 5 + 2 * 2 = 9 (PyTorch prints tensor([9.])), and
// x.grad = 1 * 2 + 2 * 1 = 4. The JVP of the same function agrees (dot test).
//
// RUN: %adjc %s -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
#include <adjoint.h>
#include <stdio.h>

ADJ_VJP(w, x, loss) ADJ_JVP(w, x, loss)
void seed(double w, double x, double *loss) {
  double a = w + x;
  double b = w + 1;
  loss[0] = a * b;
  loss[1] = a + b;
}
void seed_vjp(double w, double *d_w, double x, double *d_x, double *loss, double *d_loss);
void seed_jvp(double w, double t_w, double x, double t_x, double *loss, double *t_loss);

int main(void) {
  double dw = 0, dx = 0, loss[2], grad_tensors[2] = {1, 2};
  seed_vjp(1.0, &dw, 2.0, &dx, loss, grad_tensors);
  printf("loss = [%g, %g]; w.grad = tensor([%g.]); x.grad = %g\n", loss[0], loss[1], dw, dx);
  // CHECK: loss = [6, 5]; w.grad = tensor([9.]); x.grad = 4
  double t[2];
  seed_jvp(1.0, 1.0, 2.0, 0.0, loss, t); // tangent along w: [dy0/dw, dy1/dw] = [5, 2]
  printf("d loss / d w = [%g, %g]; <J e_w, [1, 2]> = %g\n", t[0], t[1], t[0] + 2 * t[1]);
  // CHECK: d loss / d w = [5, 2]; <J e_w, [1, 2]> = 9
  return 0;
}
