// Headers written by --header for two different inputs can be included together:
// each has its own include guard, so both sets of prototypes are visible. The
// file plays three parts: PART=1 and PART=2 are two differentiated inputs, PART=3
// a user that includes both generated headers (via -include) and calls both.
//
// RUN: %adjc %s -o %t.a.c --header %t.a.h -- -DPART=1
// RUN: %adjc %s -o %t.b.c --header %t.b.h -- -DPART=2
// RUN: %cc -DPART=3 -include %t.a.h -include %t.b.h -c %s -o %t.o
#include <adjoint.h>

#if PART == 1
ADJ_GRAD(x)
double fa(double x) { return x * x; }
#elif PART == 2
ADJ_GRAD(x)
double fb(double x) { return x * x * x; }
#else
double both(double x) {
  double d = 0;
  return fa_grad(x, &d) + fb_grad(x, &d) + d;
}
#endif
