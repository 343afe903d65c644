/* lstm.c — ADBench objective 3: loss of a multi-layer LSTM character model over a
 * sequence, written in plain C from the published definition (Srajer et al. 2018,
 * LSTM extension of ADBench; a "diagonal" LSTM: every gate weight is per unit).
 *
 * l layers of b units; main_params holds per layer 4 gate weight vectors then 4 gate
 * bias vectors (2 * l * 4 * b), extra_params the input weights, output weights and
 * output biases (3 * b); state the initial hidden and cell vector of each layer
 * (2 * l * b); sequence c one-hot characters of b entries. The loss is the mean
 * cross-entropy of predicting character t+1 from characters 0..t.
 *
 * adjc differentiates lstm_objective with respect to (main_params, extra_params).
 * The state is copied into a local array of capacity LSTM_MAX_L x LSTM_MAX_B. */
#include "adbench.h"

#include <adjoint.h>
#include <math.h>

static double lstm_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

static double lstm_logsumexp(int n, const double *v) {
  double s = 0.0;
  for (int i = 0; i < n; i++)
    s += exp(v[i]);
  return log(s + 2.0);
}

/* One LSTM cell: updates hidden and cell in place from input. */
static void lstm_model(int b, const double *weight, const double *bias, double *hidden,
                       double *cell, const double *input) {
  double forget[LSTM_MAX_B], ingate[LSTM_MAX_B], outgate[LSTM_MAX_B], change[LSTM_MAX_B];
  for (int i = 0; i < b; i++) {
    forget[i] = lstm_sigmoid(input[i] * weight[i] + bias[i]);
    ingate[i] = lstm_sigmoid(hidden[i] * weight[b + i] + bias[b + i]);
    outgate[i] = lstm_sigmoid(input[i] * weight[2 * b + i] + bias[2 * b + i]);
    change[i] = tanh(hidden[i] * weight[3 * b + i] + bias[3 * b + i]);
  }
  for (int i = 0; i < b; i++)
    cell[i] = cell[i] * forget[i] + ingate[i] * change[i];
  for (int i = 0; i < b; i++)
    hidden[i] = outgate[i] * tanh(cell[i]);
}

/* Runs the input through all layers and the output layer into ypred. */
static void lstm_predict(int l, int b, const double *w, const double *w2, double *s,
                         const double *x, double *ypred) {
  double x2[LSTM_MAX_B];
  for (int i = 0; i < b; i++)
    x2[i] = x[i] * w2[i];
  /* layer 0 reads x2, layer i > 0 the hidden state of layer i - 1 */
  lstm_model(b, &w[0], &w[4 * b], &s[0], &s[b], x2);
  for (int i = 1; i < l; i++)
    lstm_model(b, &w[i * 2 * 4 * b], &w[(i * 2 + 1) * 4 * b], &s[i * 2 * b],
               &s[(i * 2 + 1) * b], &s[(i - 1) * 2 * b]);
  for (int i = 0; i < b; i++)
    ypred[i] = s[(l - 1) * 2 * b + i] * w2[b + i] + w2[2 * b + i];
}

ADJ_GRAD(main_params, extra_params)
double lstm_objective(int l, int c, int b, const double *main_params,
                      const double *extra_params, const double *state,
                      const double *sequence) {
  double s[2 * LSTM_MAX_L * LSTM_MAX_B];
  for (int i = 0; i < 2 * l * b; i++)
    s[i] = state[i];
  double ypred[LSTM_MAX_B], ynorm[LSTM_MAX_B];
  double total = 0.0;
  int count = 0;
  for (int t = 0; t < c - 1; t++) {
    lstm_predict(l, b, main_params, extra_params, s, &sequence[t * b], ypred);
    double lse = lstm_logsumexp(b, ypred);
    for (int i = 0; i < b; i++)
      ynorm[i] = ypred[i] - lse;
    for (int i = 0; i < b; i++)
      total += sequence[(t + 1) * b + i] * ynorm[i];
    count += b;
  }
  return -total / count;
}
