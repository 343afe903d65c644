/* ba.c — ADBench objective 2: bundle adjustment reprojection residuals, written in
 * plain C from the published definition (Srajer et al. 2018, section 3.2; the
 * camera model is Snavely's Bundler model).
 *
 * A camera has 11 parameters: rotation r (Rodrigues, 3), centre C (3), focal f (1),
 * principal point x0 (2), radial distortion kappa (2). Observation i of point X by
 * camera c with weight w and feature m gives the residuals
 *
 *   reproj_err_i = w * (proj(c, X) - m)        (2 values)
 *   w_err_i      = 1 - w^2                     (1 value)
 *
 * The Jacobian is sparse: residual block i depends on its camera (11), its point (3)
 * and its weight (1). adjc differentiates ba_reproj, the residual of one
 * observation, with reverse mode (one VJP per residual row) and forward mode (one
 * JVP per input direction); the drivers that assemble the sparse Jacobian are in
 * bench_ba.c. */
#include "adbench.h"

#include <adjoint.h>
#include <math.h>

static double ba_sqnorm3(const double *v) { return v[0] * v[0] + v[1] * v[1] + v[2] * v[2]; }

static void ba_cross(const double *a, const double *b, double *out) {
  out[0] = a[1] * b[2] - a[2] * b[1];
  out[1] = a[2] * b[0] - a[0] * b[2];
  out[2] = a[0] * b[1] - a[1] * b[0];
}

/* Rotate x by the axis-angle vector rot (Rodrigues' formula; first order at 0). */
static void ba_rodrigues_rotate(const double *rot, const double *x, double *out) {
  double sqtheta = ba_sqnorm3(rot);
  if (sqtheta != 0.0) {
    double theta = sqrt(sqtheta);
    double costheta = cos(theta);
    double sintheta = sin(theta);
    double theta_inverse = 1.0 / theta;
    double w[3];
    for (int i = 0; i < 3; i++)
      w[i] = rot[i] * theta_inverse;
    double w_cross_x[3];
    ba_cross(w, x, w_cross_x);
    double tmp = (w[0] * x[0] + w[1] * x[1] + w[2] * x[2]) * (1.0 - costheta);
    for (int i = 0; i < 3; i++)
      out[i] = x[i] * costheta + w_cross_x[i] * sintheta + w[i] * tmp;
  } else {
    double rot_cross_x[3];
    ba_cross(rot, x, rot_cross_x);
    for (int i = 0; i < 3; i++)
      out[i] = x[i] + rot_cross_x[i];
  }
}

static void ba_radial_distort(const double *kappa, double *proj) {
  double rsq = proj[0] * proj[0] + proj[1] * proj[1];
  double l = 1.0 + kappa[0] * rsq + kappa[1] * rsq * rsq;
  proj[0] *= l;
  proj[1] *= l;
}

static void ba_project(const double *cam, const double *x, double *proj) {
  double xo[3];
  for (int i = 0; i < 3; i++)
    xo[i] = x[i] - cam[BA_C_IDX + i];
  double xcam[3];
  ba_rodrigues_rotate(&cam[BA_ROT_IDX], xo, xcam);
  proj[0] = xcam[0] / xcam[2];
  proj[1] = xcam[1] / xcam[2];
  ba_radial_distort(&cam[BA_RAD_IDX], proj);
  proj[0] = proj[0] * cam[BA_F_IDX] + cam[BA_X0_IDX];
  proj[1] = proj[1] * cam[BA_F_IDX] + cam[BA_X0_IDX + 1];
}

ADJ_VJP(cam, x, w, err)
ADJ_JVP(cam, x, w, err)
void ba_reproj(const double *cam, const double *x, double w, double feat_x, double feat_y,
               double *err) {
  double proj[2];
  ba_project(cam, x, proj);
  err[0] = w * (proj[0] - feat_x);
  err[1] = w * (proj[1] - feat_y);
}

/* The primal of the benchmark: every residual. */
void ba_objective(const BaInput *in, double *reproj_err, double *w_err) {
  for (int i = 0; i < in->p; i++) {
    int c = in->obs[2 * i], pt = in->obs[2 * i + 1];
    ba_reproj(&in->cams[c * BA_NCAM], &in->x[pt * 3], in->w[i], in->feats[2 * i],
              in->feats[2 * i + 1], &reproj_err[2 * i]);
  }
  for (int i = 0; i < in->p; i++)
    w_err[i] = 1.0 - in->w[i] * in->w[i];
}
