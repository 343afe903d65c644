// adolc_ba.cpp — the bundle-adjustment residual of ba.c for ADOL-C 2.7: the same
// definition, operation for operation, as a C++ template (instantiated with adouble to
// record the tape; with double it is ba_reproj), and the two benchmark entry points of
// adbench.h.
//
// One tape holds one observation's residual: 15 independents (cam[0..10], x[0..2], w)
// and 2 dependents (err[0], err[1]). The feature coordinates are ADOL-C parameters
// (mkparam), so the same tape serves every observation: set_param_vec puts the
// observation's features in, zos_forward (keep = 1) evaluates the residuals and
// fov_reverse with the 2x2 identity gives both Jacobian rows in one reverse sweep.
// Those two calls are what ADOL-C's jacobian() driver does for m = 2 <= n/2 (minus its
// per-call allocations, and keeping the residuals it discards).
//
// The Rodrigues rotation branches on sqtheta != 0; ADOL-C records the comparison, and
// the forward sweep returns a negative value where the recorded branch is not the one
// this observation takes. The tape is then recorded again at that observation.
//
// Temporaries are initialized from their expressions (brace lists, returned arrays)
// rather than declared and then assigned: a default-constructed adouble records an
// assignment of zero, which would be re-executed for every observation.
#include "adbench.h"

#include <adolc/adolc.h>

#include <array>
#include <cmath>

namespace {

template <typename T> auto ba_sqnorm3(const T *v) {
  return v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
}

// Rotate x by the axis-angle vector rot (Rodrigues' formula; first order at 0).
template <typename T> std::array<T, 3> ba_rodrigues_rotate(const T *rot, const T *x) {
  using std::cos;
  using std::sin;
  using std::sqrt;
  T sqtheta = ba_sqnorm3(rot);
  if (sqtheta != 0.0) {
    T theta = sqrt(sqtheta);
    T costheta = cos(theta);
    T sintheta = sin(theta);
    T theta_inverse = 1.0 / theta;
    const T w[3] = {rot[0] * theta_inverse, rot[1] * theta_inverse, rot[2] * theta_inverse};
    const T w_cross_x[3] = {w[1] * x[2] - w[2] * x[1], w[2] * x[0] - w[0] * x[2],
                            w[0] * x[1] - w[1] * x[0]};
    T tmp = (w[0] * x[0] + w[1] * x[1] + w[2] * x[2]) * (1.0 - costheta);
    return {x[0] * costheta + w_cross_x[0] * sintheta + w[0] * tmp,
            x[1] * costheta + w_cross_x[1] * sintheta + w[1] * tmp,
            x[2] * costheta + w_cross_x[2] * sintheta + w[2] * tmp};
  } else {
    const T rot_cross_x[3] = {rot[1] * x[2] - rot[2] * x[1], rot[2] * x[0] - rot[0] * x[2],
                              rot[0] * x[1] - rot[1] * x[0]};
    return {x[0] + rot_cross_x[0], x[1] + rot_cross_x[1], x[2] + rot_cross_x[2]};
  }
}

template <typename T> void ba_radial_distort(const T *kappa, T *proj) {
  T rsq = proj[0] * proj[0] + proj[1] * proj[1];
  T l = 1.0 + kappa[0] * rsq + kappa[1] * rsq * rsq;
  proj[0] *= l;
  proj[1] *= l;
}

template <typename T> std::array<T, 2> ba_project(const T *cam, const T *x) {
  const T xo[3] = {x[0] - cam[BA_C_IDX], x[1] - cam[BA_C_IDX + 1], x[2] - cam[BA_C_IDX + 2]};
  std::array<T, 3> xcam = ba_rodrigues_rotate(&cam[BA_ROT_IDX], xo);
  T proj[2] = {xcam[0] / xcam[2], xcam[1] / xcam[2]};
  ba_radial_distort(&cam[BA_RAD_IDX], proj);
  return {proj[0] * cam[BA_F_IDX] + cam[BA_X0_IDX],
          proj[1] * cam[BA_F_IDX] + cam[BA_X0_IDX + 1]};
}

// F is the type of the feature coordinates: double, or pdouble (an ADOL-C parameter).
template <typename T, typename F>
std::array<T, 2> ba_reproj_t(const T *cam, const T *x, const T &w, const F &feat_x,
                             const F &feat_y) {
  std::array<T, 2> proj = ba_project(cam, x);
  return {w * (proj[0] - feat_x), w * (proj[1] - feat_y)};
}

// Observation i's 15 independents: camera, point, weight.
void ba_block(const BaInput *in, int i, double *xin) {
  const double *cam = &in->cams[in->obs[2 * i] * BA_NCAM];
  const double *x = &in->x[in->obs[2 * i + 1] * 3];
  for (int j = 0; j < BA_NCAM; j++)
    xin[j] = cam[j];
  for (int j = 0; j < 3; j++)
    xin[BA_NCAM + j] = x[j];
  xin[BA_NCAM + 3] = in->w[i];
}

// Records the residual of observation i (its values fix the recorded branch).
void ba_tape(short tag, const BaInput *in, int i) {
  double xin[BA_NBLOCK], err[2];
  ba_block(in, i, xin);
  trace_on(tag);
  {
    adouble a[BA_NBLOCK];
    for (int j = 0; j < BA_NBLOCK; j++)
      a[j] <<= xin[j];
    pdouble feat_x = mkparam(in->feats[2 * i]);
    pdouble feat_y = mkparam(in->feats[2 * i + 1]);
    std::array<adouble, 2> e = ba_reproj_t(&a[0], &a[BA_NCAM], a[BA_NCAM + 3], feat_x, feat_y);
    e[0] >>= err[0];
    e[1] >>= err[1];
  }
  trace_off();
}

} // namespace

extern "C" void adolc_ba_record(short tag, const BaInput *in) { ba_tape(tag, in, 0); }

extern "C" int adolc_ba_jacobian(short tag, const BaInput *in, double *reproj_err,
                                 double *w_err, double *J, double *Jw) {
  double e0[2] = {1.0, 0.0}, e1[2] = {0.0, 1.0};
  double *U[2] = {e0, e1};
  double xin[BA_NBLOCK], feat[2];
  disableBranchSwitchWarnings(); // switches are handled below, by retaping
  for (int i = 0; i < in->p; i++) {
    ba_block(in, i, xin);
    feat[0] = in->feats[2 * i];
    feat[1] = in->feats[2 * i + 1];
    set_param_vec(tag, 2, feat);
    if (zos_forward(tag, 2, BA_NBLOCK, 1, xin, &reproj_err[2 * i]) < 0) {
      ba_tape(tag, in, i);
      set_param_vec(tag, 2, feat);
      if (zos_forward(tag, 2, BA_NBLOCK, 1, xin, &reproj_err[2 * i]) < 0)
        return 1;
    }
    double *Z[2] = {&J[(size_t)i * 2 * BA_NBLOCK], &J[((size_t)i * 2 + 1) * BA_NBLOCK]};
    if (fov_reverse(tag, 2, BA_NBLOCK, 2, U, Z) < 0)
      return 1;
    Jw[i] = -2.0 * in->w[i];
    w_err[i] = 1.0 - in->w[i] * in->w[i];
  }
  return 0;
}
