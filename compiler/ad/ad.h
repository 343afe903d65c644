/*
 * ad.h — the automatic differentiation stage: IR → IR transforms.
 *
 * structurize.c  removes break/continue/early return (flag variables and guards),
 *                so every later transform sees single-entry single-exit code
 * activity.c     which variables and memory carry derivatives (varied ∧ useful)
 * rules.c        the derivative rule of each op: pullback (reverse) and
 *                pushforward (forward), next to its math
 * reverse.c      reverse mode: forward sweep with tape pushes, then reverse sweep
 * requests.c     turns each annotation into generated functions (memoised per
 *                callee activity pattern) and names them (docs/naming.md)
 */
#ifndef ADJC_AD_H
#define ADJC_AD_H

#include "ir/ir.h"

/* A function the AD stage generated, in the order they must be emitted. */
typedef struct Generated {
  Fn *fn;
  const Fn *primal;     /* the function it differentiates */
  ReqKind kind;
  bool is_public;       /* requested by an annotation: goes into --header */
  const char *summary;  /* one-line comment for the emitted function */
} Generated;

typedef struct AdResult {
  Generated *gens;
  int ngens;
} AdResult;

/* ---- structurize.c ---- */
/* Rewrite every function with a body so that it has no ST_BREAK, ST_CONTINUE, and a
 * single ST_RETURN as its last statement. Semantics are unchanged. */
void ad_structurize_module(Module *m);

/* ---- requests.c ---- */
/* Generate the functions every request asks for; report unsupported constructs
 * with diagnostics (check diag_errors() after). */
AdResult ad_run_requests(Module *m);

#endif /* ADJC_AD_H */
