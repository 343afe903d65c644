/* hand_lstm.c — hand-written gradient of lstm_objective (lstm.c) by backpropagation
 * through time, the "Manual" column of the ADBench comparison.
 *
 * Forward, step t = 0 .. c-2, layer j with input in (layer 0: x2 = x_t * w2_in; layer
 * j > 0: the new hidden of layer j-1), old hidden h and cell s, weights W0..W3, biases
 * B0..B3 (all elementwise, b units):
 *   f = sig(in W0 + B0)   i = sig(h W1 + B1)   o = sig(in W2 + B2)   g = tanh(h W3 + B3)
 *   s' = s f + i g        h' = o tanh(s')
 * output: y = h'_top w2_out + w2_bias, lse = log(sum exp(y) + 2) (the "+2" of lstm.c),
 *   total += sum_u seq_{t+1,u} (y_u - lse),   loss = -total / ((c - 1) b).
 *
 * Backward (K = -1 / ((c - 1) b), Y = sum_u seq_{t+1,u}):
 *   dy_u   = K (seq_{t+1,u} - Y exp(y_u) / (sum exp(y) + 2))
 *   dw2_out += dy h'_top, dw2_bias += dy, dh'_top += dy w2_out
 * and per layer, top to bottom, with dh' and ds' the incoming adjoints of the new state:
 *   do = dh' tanh(s'),  ds' += dh' o (1 - tanh(s')^2)
 *   df = ds' s,  di = ds' g,  dg = ds' i,  ds = ds' f          (ds: to step t-1)
 *   zf = df f (1 - f), zi = di i (1 - i), zo = do o (1 - o), zg = dg (1 - g^2)
 *   dW0 += zf in, dW1 += zi h, dW2 += zo in, dW3 += zg h, dB_k += z_k
 *   din = zf W0 + zo W2  (layer j > 0: into dh' of layer j-1; layer 0: dw2_in += din x)
 *   dh  = zi W1 + zg W3  (to step t-1)
 *
 * The forward pass stores per step and layer the new state (h', s') and the gate
 * values (f, i, o, g, tanh(s')), and per step the output adjoint dy, computed as soon
 * as y is known (it depends on step t only). */
#include "adbench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void *hand_lstm_alloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "hand_lstm: out of memory (%zu bytes)\n", n);
    exit(2);
  }
  return p;
}

static double hand_lstm_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* Per step and layer records in the tape: 7 vectors of b values. */
enum { TAPE_H, TAPE_S, TAPE_F, TAPE_I, TAPE_O, TAPE_G, TAPE_TS, TAPE_N };

/* Backward through one layer at one step. r: its tape record; h, s: the old state;
 * inp: its input; dh, ds: in, the adjoints of the new state, out, those of the old
 * state; dW: the adjoints of its 4 weights then 4 biases (accumulated); din: out, the
 * adjoint of inp. The arrays do not overlap (restrict lets the loop vectorize). */
static void hand_lstm_layer_back(int b, const double *restrict r, const double *restrict h,
                                 const double *restrict s, const double *restrict inp,
                                 const double *restrict W, double *restrict dW,
                                 double *restrict dh, double *restrict ds,
                                 double *restrict din) {
  const double *f = r + (size_t)TAPE_F * b, *ig = r + (size_t)TAPE_I * b;
  const double *o = r + (size_t)TAPE_O * b, *g = r + (size_t)TAPE_G * b;
  const double *ts = r + (size_t)TAPE_TS * b;
  double *dB = dW + (size_t)4 * b;
  for (int u = 0; u < b; u++) {
    double dhn = dh[u];
    double d_o = dhn * ts[u];                                /* do = dh' tanh(s') */
    double dsn = ds[u] + dhn * o[u] * (1.0 - ts[u] * ts[u]); /* ds' */
    double zf = dsn * s[u] * f[u] * (1.0 - f[u]);
    double zi = dsn * g[u] * ig[u] * (1.0 - ig[u]);
    double zo = d_o * o[u] * (1.0 - o[u]);
    double zg = dsn * ig[u] * (1.0 - g[u] * g[u]);
    dW[u] += zf * inp[u];
    dW[b + u] += zi * h[u];
    dW[2 * b + u] += zo * inp[u];
    dW[3 * b + u] += zg * h[u];
    dB[u] += zf;
    dB[b + u] += zi;
    dB[2 * b + u] += zo;
    dB[3 * b + u] += zg;
    din[u] = zf * W[u] + zo * W[2 * b + u];
    ds[u] = dsn * f[u];
    dh[u] = zi * W[b + u] + zg * W[3 * b + u];
  }
}

double lstm_hand_grad(const LstmInput *in, double *grad) {
  const int l = in->l, c = in->c, b = in->b, steps = c - 1;
  const double *wmain = in->main_params, *w2 = in->extra_params, *seq = in->sequence;
  const size_t layer_rec = (size_t)TAPE_N * b, step_rec = (size_t)l * layer_rec;
  double *d_main = grad, *d_w2 = grad + (size_t)2 * l * 4 * b;

  /* tape (steps records), output adjoints dy (steps * b), and work vectors:
   * dh, ds (l*b each), x2, ypred, exp(ypred), din (b each) */
  double *tape =
      hand_lstm_alloc(((size_t)steps * (step_rec + b) + (size_t)2 * l * b + (size_t)4 * b) *
                      sizeof(double));
  double *dys = tape + (size_t)steps * step_rec;
  double *dh = dys + (size_t)steps * b, *ds = dh + (size_t)l * b;
  double *x2 = ds + (size_t)l * b, *ypred = x2 + b, *ey = ypred + b, *din = ey + b;

  for (int i = 0; i < 2 * l * 4 * b + 3 * b; i++)
    grad[i] = 0.0;

  /* ---- forward ---- */
  const int count = steps * b;
  const double K = -1.0 / count;
  double total = 0.0;
  for (int t = 0; t < steps; t++) {
    const double *x = &seq[(size_t)t * b];
    double *rec = &tape[(size_t)t * step_rec];
    for (int u = 0; u < b; u++)
      x2[u] = x[u] * w2[u];
    for (int j = 0; j < l; j++) {
      double *r = rec + (size_t)j * layer_rec;
      /* old state: the previous step's record, or the initial state */
      const double *h = t ? &rec[(size_t)j * layer_rec - step_rec + (size_t)TAPE_H * b]
                          : &in->state[(size_t)j * 2 * b];
      const double *s = t ? &rec[(size_t)j * layer_rec - step_rec + (size_t)TAPE_S * b]
                          : &in->state[(size_t)(j * 2 + 1) * b];
      const double *inp = j ? &rec[(size_t)(j - 1) * layer_rec + (size_t)TAPE_H * b] : x2;
      const double *W = &wmain[(size_t)j * 2 * 4 * b], *B = W + (size_t)4 * b;
      double *hn = r + (size_t)TAPE_H * b, *sn = r + (size_t)TAPE_S * b;
      double *f = r + (size_t)TAPE_F * b, *ig = r + (size_t)TAPE_I * b;
      double *o = r + (size_t)TAPE_O * b, *g = r + (size_t)TAPE_G * b;
      double *ts = r + (size_t)TAPE_TS * b;
      for (int u = 0; u < b; u++) {
        f[u] = hand_lstm_sigmoid(inp[u] * W[u] + B[u]);
        ig[u] = hand_lstm_sigmoid(h[u] * W[b + u] + B[b + u]);
        o[u] = hand_lstm_sigmoid(inp[u] * W[2 * b + u] + B[2 * b + u]);
        g[u] = tanh(h[u] * W[3 * b + u] + B[3 * b + u]);
      }
      /* (a separate loop: the gates of all units are independent work for the CPU,
       * fused with tanh(s') the loop runs ~1.4x slower) */
      for (int u = 0; u < b; u++) {
        sn[u] = s[u] * f[u] + ig[u] * g[u];
        ts[u] = tanh(sn[u]);
        hn[u] = o[u] * ts[u];
      }
    }
    const double *htop = &rec[(size_t)(l - 1) * layer_rec + (size_t)TAPE_H * b];
    double sum = 0.0;
    for (int u = 0; u < b; u++) {
      ypred[u] = htop[u] * w2[b + u] + w2[2 * b + u];
      ey[u] = exp(ypred[u]);
      sum += ey[u];
    }
    double lse = log(sum + 2.0);
    const double *target = &seq[(size_t)(t + 1) * b];
    double Y = 0.0;
    for (int u = 0; u < b; u++) {
      total += target[u] * (ypred[u] - lse);
      Y += target[u];
    }
    /* dy = K (target - Y softmax2(y)); the output layer's parameter adjoints now */
    double *dy = &dys[(size_t)t * b], inv = 1.0 / (sum + 2.0);
    for (int u = 0; u < b; u++) {
      dy[u] = K * (target[u] - Y * ey[u] * inv);
      d_w2[b + u] += dy[u] * htop[u];
      d_w2[2 * b + u] += dy[u];
    }
  }

  /* ---- backward ---- */
  /* dh, ds: adjoints of each layer's hidden and cell state, carried backwards in time */
  for (int i = 0; i < l * b; i++)
    dh[i] = 0.0, ds[i] = 0.0;
  for (int t = steps - 1; t >= 0; t--) {
    const double *rec = &tape[(size_t)t * step_rec];
    const double *dy = &dys[(size_t)t * b];
    /* dh'_top += dy w2_out */
    double *dht = &dh[(size_t)(l - 1) * b];
    for (int u = 0; u < b; u++)
      dht[u] += dy[u] * w2[b + u];
    const double *x = &seq[(size_t)t * b];
    for (int u = 0; u < b; u++)
      x2[u] = x[u] * w2[u];
    for (int j = l - 1; j >= 0; j--) {
      const double *h = t ? &rec[(size_t)j * layer_rec - step_rec + (size_t)TAPE_H * b]
                          : &in->state[(size_t)j * 2 * b];
      const double *s = t ? &rec[(size_t)j * layer_rec - step_rec + (size_t)TAPE_S * b]
                          : &in->state[(size_t)(j * 2 + 1) * b];
      const double *inp = j ? &rec[(size_t)(j - 1) * layer_rec + (size_t)TAPE_H * b] : x2;
      hand_lstm_layer_back(b, rec + (size_t)j * layer_rec, h, s, inp,
                           &wmain[(size_t)j * 2 * 4 * b], &d_main[(size_t)j * 2 * 4 * b],
                           &dh[(size_t)j * b], &ds[(size_t)j * b], din);
      /* layer j > 0 read the new hidden of layer j - 1; layer 0 read x2 = x w2_in */
      if (j) {
        double *dhb = &dh[(size_t)(j - 1) * b];
        for (int u = 0; u < b; u++)
          dhb[u] += din[u];
      } else {
        for (int u = 0; u < b; u++)
          d_w2[u] += din[u] * x[u];
      }
    }
  }

  free(tape);
  return -total / count;
}
