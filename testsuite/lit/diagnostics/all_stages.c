// Every error of the file in one run, whichever stage finds it: a construct the
// frontend refuses (goto) in one differentiated function, and calls the AD stage
// refuses (no body, no rule; an unlisted output array) in two others. All three
// are reported, then adjc exits with status 1.
//
// RUN: %not %adjc %s -o %t.c 2>&1 | %FileCheck %s
#include <adjoint.h>

double ext(double x);

ADJ_GRAD(x)
double frontend_stage(double x) {
  if (x > 0)
    // CHECK-DAG: all_stages.c:[[@LINE+1]]:5: error: goto is not supported by adjc
    goto out;
  x = -x;
out:
  return x * x;
}

ADJ_GRAD(x)
double ad_stage(double x) {
  // CHECK-DAG: all_stages.c:[[@LINE+1]]:10: error: cannot differentiate the call to 'ext': it has no body and no derivative rule
  return ext(x) + x;
}

ADJ_GRAD(w)
double ad_stage_store(const double *w, double *out) {
  // CHECK-DAG: all_stages.c:[[@LINE+1]]:3: error: value with a derivative is stored into 'out', which carries none
  out[0] = w[0] * w[0];
  return out[0] + w[1]; // read back: the unlisted array matters to the result
}
