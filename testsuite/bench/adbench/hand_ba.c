/* hand_ba.c — hand-written Jacobian of the bundle-adjustment residuals (ba.c), the
 * "Manual" column of the ADBench comparison.
 *
 * One observation: camera (r, C, f, x0, kappa), point X, weight w, feature m.
 *
 *   xo   = X - C
 *   xcam = R(r) xo             Rodrigues: theta = |r|, u = r / theta, c = cos, s = sin,
 *                              xcam = c xo + s (u x xo) + (1 - c)(u.xo) u
 *                              (theta == 0: xcam = xo + r x xo)
 *   p    = (xcam_0, xcam_1) / xcam_2
 *   L    = 1 + k0 rsq + k1 rsq^2,  rsq = |p|^2
 *   proj = f L p + x0
 *   err  = w (proj - m)
 *
 * Chain rule, row by row. Let e (3) be the row of E = d err / d xcam:
 *   d err/d p  = w f (L I + 2 (k0 + 2 k1 rsq) p p^T)
 *   d p/d xcam = [[1/z, 0, -p0/z], [0, 1/z, -p1/z]]
 * then
 *   d err/d X  = e^T R = c e + s (e x u) + (1 - c)(e.u) u       (theta == 0: e + e x r)
 *   d err/d C  = -d err/d X
 *   d err/d r  = e^T dxcam/dr                                    (see rot_row below)
 *   d err/d f  = w L p,   d err/d x0 = w I,   d err/d kappa = w f p (rsq, rsq^2)
 *   d err/d w  = proj - m
 * and w_err = 1 - w^2, d w_err / d w = -2 w. */
#include "adbench.h"

#include <math.h>

static void hand_ba_cross(const double *a, const double *b, double *out) {
  out[0] = a[1] * b[2] - a[2] * b[1];
  out[1] = a[2] * b[0] - a[0] * b[2];
  out[2] = a[0] * b[1] - a[1] * b[0];
}

static double hand_ba_dot(const double *a, const double *b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/* The Rodrigues rotation of xo by rot with the quantities the derivative reuses. */
typedef struct HandBaRot {
  int zero; /* theta == 0: first-order branch */
  double theta, c, s;
  double u[3];       /* rot / theta */
  double uxo;        /* u . xo */
  double u_cross[3]; /* u x xo */
} HandBaRot;

static void hand_ba_rotate(const double *rot, const double *xo, HandBaRot *R,
                           double *xcam) {
  double sqtheta = hand_ba_dot(rot, rot);
  R->zero = !(sqtheta != 0.0);
  if (!R->zero) {
    /* same operations as ba_rodrigues_rotate */
    double theta = sqrt(sqtheta);
    R->theta = theta;
    R->c = cos(theta);
    R->s = sin(theta);
    double theta_inverse = 1.0 / theta;
    for (int i = 0; i < 3; i++)
      R->u[i] = rot[i] * theta_inverse;
    hand_ba_cross(R->u, xo, R->u_cross);
    R->uxo = R->u[0] * xo[0] + R->u[1] * xo[1] + R->u[2] * xo[2];
    double tmp = R->uxo * (1.0 - R->c);
    for (int i = 0; i < 3; i++)
      xcam[i] = xo[i] * R->c + R->u_cross[i] * R->s + R->u[i] * tmp;
  } else {
    /* unused by the theta == 0 pullback; set so every field is defined */
    R->theta = 0.0, R->c = 1.0, R->s = 0.0, R->uxo = 0.0;
    for (int i = 0; i < 3; i++)
      R->u[i] = 0.0, R->u_cross[i] = 0.0;
    double rot_cross_x[3];
    hand_ba_cross(rot, xo, rot_cross_x);
    for (int i = 0; i < 3; i++)
      xcam[i] = xo[i] + rot_cross_x[i];
  }
}

/* One row e = d err_r / d xcam pulled back to the rotation vector (3 values) and the
 * point (3 values; the centre gets the negation).
 *
 * theta != 0, with theta = |r|, u = r / theta:
 *   d xcam/d theta = -s xo + c (u x xo) + s (u.xo) u
 *   d xcam/d u     = A = -s [xo]x + (1 - c)(u xo^T + (u.xo) I)
 *   d theta/d r    = u^T,  d u/d r = (I - u u^T) / theta
 * so, with a = e^T A = s (xo x e) + (1 - c)((e.u) xo + (u.xo) e):
 *   e^T dxcam/dr = (e . dxcam/dtheta) u + (a - (a.u) u) / theta
 * theta == 0: xcam = xo + r x xo = xo - [xo]x r, so e^T dxcam/dr = xo x e, and
 *   e^T dxcam/dxo = e + e x r. */
static void hand_ba_pullback(const HandBaRot *R, const double *rot, const double *xo,
                             const double *e, double *d_rot, double *d_x) {
  double xo_x_e[3];
  hand_ba_cross(xo, e, xo_x_e);
  if (R->zero) {
    double e_x_r[3];
    hand_ba_cross(e, rot, e_x_r);
    for (int i = 0; i < 3; i++) {
      d_rot[i] = xo_x_e[i];
      d_x[i] = e[i] + e_x_r[i];
    }
    return;
  }
  const double *u = R->u;
  double c = R->c, s = R->s, omc = 1.0 - R->c;
  double eu = hand_ba_dot(e, u), exo = hand_ba_dot(e, xo);
  /* e . dxcam/dtheta */
  double e_dtheta = -s * exo + c * hand_ba_dot(e, R->u_cross) + s * R->uxo * eu;
  double a[3];
  for (int i = 0; i < 3; i++)
    a[i] = s * xo_x_e[i] + omc * (eu * xo[i] + R->uxo * e[i]);
  double au = hand_ba_dot(a, u), inv_theta = 1.0 / R->theta;
  /* e^T R = c e + s (e x u) + (1 - c)(e.u) u */
  double e_x_u[3];
  hand_ba_cross(e, u, e_x_u);
  for (int i = 0; i < 3; i++) {
    d_rot[i] = e_dtheta * u[i] + (a[i] - au * u[i]) * inv_theta;
    d_x[i] = c * e[i] + s * e_x_u[i] + omc * eu * u[i];
  }
}

void ba_hand_jacobian(const BaInput *in, double *reproj_err, double *w_err, double *J,
                      double *Jw) {
  for (int i = 0; i < in->p; i++) {
    const double *cam = &in->cams[(size_t)in->obs[2 * i] * BA_NCAM];
    const double *X = &in->x[(size_t)in->obs[2 * i + 1] * 3];
    const double w = in->w[i];
    const double *rot = &cam[BA_ROT_IDX], *kappa = &cam[BA_RAD_IDX];
    const double f = cam[BA_F_IDX];

    /* forward, in ba.c's operation order */
    double xo[3], xcam[3];
    for (int j = 0; j < 3; j++)
      xo[j] = X[j] - cam[BA_C_IDX + j];
    HandBaRot R;
    hand_ba_rotate(rot, xo, &R, xcam);
    double p[2] = {xcam[0] / xcam[2], xcam[1] / xcam[2]};
    double rsq = p[0] * p[0] + p[1] * p[1];
    double L = 1.0 + kappa[0] * rsq + kappa[1] * rsq * rsq;
    double dist[2] = {p[0] * L, p[1] * L};
    double proj[2] = {dist[0] * f + cam[BA_X0_IDX], dist[1] * f + cam[BA_X0_IDX + 1]};
    double diff[2] = {proj[0] - in->feats[2 * i], proj[1] - in->feats[2 * i + 1]};
    reproj_err[2 * i] = w * diff[0];
    reproj_err[2 * i + 1] = w * diff[1];
    w_err[i] = 1.0 - w * w;
    Jw[i] = -2.0 * w;

    /* d err / d p = w f (L I + g p p^T), g = 2 (k0 + 2 k1 rsq) = dL/drsq * 2 */
    double wf = w * f, g = 2.0 * (kappa[0] + 2.0 * kappa[1] * rsq);
    double inv_z = 1.0 / xcam[2];
    for (int r = 0; r < 2; r++) {
      double *row = &J[(size_t)i * 2 * BA_NBLOCK + (size_t)r * BA_NBLOCK];
      double dp[2];
      dp[0] = wf * ((r == 0 ? L : 0.0) + g * p[r] * p[0]);
      dp[1] = wf * ((r == 1 ? L : 0.0) + g * p[r] * p[1]);
      /* e = d err_r / d xcam = dp^T d p / d xcam */
      double e[3] = {dp[0] * inv_z, dp[1] * inv_z, -(dp[0] * p[0] + dp[1] * p[1]) * inv_z};
      double d_x[3];
      hand_ba_pullback(&R, rot, xo, e, &row[BA_ROT_IDX], d_x);
      for (int j = 0; j < 3; j++) {
        row[BA_C_IDX + j] = -d_x[j];
        row[BA_NCAM + j] = d_x[j];
      }
      row[BA_F_IDX] = w * dist[r];
      row[BA_X0_IDX] = r == 0 ? w : 0.0;
      row[BA_X0_IDX + 1] = r == 1 ? w : 0.0;
      row[BA_RAD_IDX] = wf * p[r] * rsq;
      row[BA_RAD_IDX + 1] = wf * p[r] * rsq * rsq;
      row[BA_NCAM + 3] = diff[r];
    }
  }
}
