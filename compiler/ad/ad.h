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

#include <stdio.h>

/* Where to print the analyses of each reverse-mode function (activity, what is
 * recorded, pointer facts), or NULL: set by the driver's --print-analysis. */
extern FILE *ad_analysis_out;

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

/* ---- activity.c ---- */
/*
 * Activity of one function for one pattern of active inputs. Memory is split into
 * regions named by their root variable: a pointer parameter stands for everything
 * it points to, a local array or struct for itself; region nvars is "unknown"
 * (globals, pointers returned by calls). A pointer variable carries the set of
 * regions it may point into.
 *   varied[v]      v's value depends on an active input (float-carrying types only)
 *   region[r]      memory of region r holds values that depend on an active input
 *   points[v]      for pointer variables: bit set of regions (nvars + 1 bits)
 * The analysis is flow-insensitive (a fixpoint over all instructions), which is
 * sound: it can only call more things active than strictly needed.
 */
typedef struct Activity {
  int nvars;
  bool *varied;
  bool *region;
  unsigned char *points; /* nvars rows of (nvars + 1) bytes */
  unsigned char *scratch; /* nvars + 1 bytes of working space */
  unsigned char *stored;  /* per region: the regions pointers stored into it point to */
  bool *useful;           /* per variable: can reach the result (NULL while varied runs) */
  bool *useful_region;    /* per region: can reach the result */
} Activity;

/* active_params[i] tells whether parameter i is differentiated. */
Activity *act_fill(Arena *arena, const Fn *fn, const bool *active_params);
/* The region set of a place: its root's points-to set when the root is a pointer,
 * else the root itself. Writes into `out` (nvars + 1 bytes). */
void act_place_regions(const Activity *a, const Fn *fn, const Place *p, unsigned char *out);
/* Does the place lie in active memory, or is it an active aggregate variable? */
bool act_place_active(const Activity *a, const Fn *fn, const Place *p);
/* Is the value of variable v active (a varied float, or a pointer into active
 * memory, or an aggregate with active content)? */
bool act_var_active(const Activity *a, const Fn *fn, int v);
/* Does the call pass anything active (an active argument or a pointer to active
 * memory)? */
bool act_call_active(const Activity *a, const Fn *fn, const Inst *call);
/* Text form, one line per variable, for tests and --print-after. */
void act_print(StrBuf *sb, const Activity *a, const Fn *fn);

/* ---- rules.c ---- */
/* Where a rule writes the instructions it builds, and with which location. */
typedef struct RuleCtx {
  Module *m;
  Fn *fn;      /* the function being generated (new temporaries go here) */
  Block *out;  /* instructions are appended here */
  Loc loc;
  const char *src;
} RuleCtx;

/* Which primal values an op's pullback reads: bit i for args[i], bit 3 for the
 * result y. Feeds the to-be-recorded analysis (what must survive to the reverse
 * sweep). */
enum { NEED_A = 1, NEED_B = 2, NEED_C = 4, NEED_Y = 8 };
unsigned ad_rule_needs(Op op, unsigned want);
/* Does the op have a derivative rule for floats (arith and math ops)? */
bool ad_rule_exists(Op op);
/* Pullback of `y = op(args)` for float type t: for each i with want[i], set
 * contrib[i] to an operand holding the adjoint contribution dy * ∂y/∂args[i]
 * (OPD_NONE when it is identically zero). Operands are of the generated function. */
void ad_pullback(RuleCtx *rc, Op op, Type *t, const Operand *args, Operand y, Operand dy,
                 const bool *want, Operand *contrib);
/* Builders used by rules and transforms: a new temporary `op a, b, c`. */
Operand ad_emit_op(RuleCtx *rc, Op op, Type *t, Operand a, Operand b, Operand c);
Operand ad_const(Type *t, double v);

/* ---- inline.c ---- */
/* P with its calls to small helpers replaced by their bodies (a copy; P itself when
 * there is nothing to inline or ad_inline_enabled is false, `adjc --no-inline`). */
extern bool ad_inline_enabled;
const Fn *ad_inline(Module *m, const Fn *P);
/* A deep copy of P's variables and statements, to transform. */
Fn *ad_copy_fn(Module *m, const Fn *P);

/* ---- loadcse.c ---- */
/* P with repeated loads of one place in a block (`v[i] * v[i]`) reading the first
 * load's temporary (a copy; P itself when there are none). */
const Fn *ad_cse_loads(Module *m, const Fn *P);

/* ---- structurize.c ---- */
/* Rewrite every function with a body so that it has no ST_BREAK, ST_CONTINUE, and a
 * single ST_RETURN as its last statement. Semantics are unchanged. */
void ad_structurize_module(Module *m);

/* ---- reverse.c ---- */
typedef struct AdCtx AdCtx;
typedef enum RevMode {
  REV_GRAD,  /* T f_grad(p, d_p, ...): seed 1, one function with its own tape */
  REV_VJP,   /* T f_vjp(p, d_p, ..., T d_ret): seed d_ret */
  REV_SPLIT, /* T g_fwd(p, d_p, ..., tape) and void g_rev(p, d_p, ..., tape, d_ret) */
} RevMode;

typedef struct RevFns {
  Fn *fwd; /* REV_SPLIT: the augmented forward sweep */
  Fn *rev; /* the reverse function (REV_GRAD/VJP: the whole generated function) */
} RevFns;

/* Differentiate P in reverse mode with respect to the parameters flagged in
 * `active` (one flag per parameter; in split mode followed by one "stable" flag per
 * parameter, as ad_split_for makes them). Names come from `name` (and name_fwd for
 * split mode). `out` is filled as soon as the functions exist, before their bodies
 * are built, so a recursive call finds them. Errors are reported through diag. */
void ad_reverse(AdCtx *ad, const Fn *P, const bool *active, RevMode mode, const char *name,
                const char *name_fwd, RevFns *out);

/* ---- forward.c ---- */
/* Forward (tangent) mode of P with respect to the flagged parameters: a function
 * `name` taking each active parameter followed by its tangent t_p, and a trailing
 * `T *t_ret` when P returns a float; it returns P's value and writes *t_ret.
 * `*out` is set before the body is built (recursion). */
void ad_forward(AdCtx *ad, const Fn *P, const bool *active, const char *name, Fn **out);

/* ---- dense.c ---- */
/* T name(p, v_p, hv_p, ...): calls the tangent-of-gradient `tg` with scratch
 * gradient storage (sizes[p] is the C text of each array's length). */
Fn *ad_hvp_wrapper(AdCtx *ad, const Fn *P, const bool *active, const char **sizes, Fn *tg,
                   const char *name);
/* T name(..., y, j_y, ...): the dense Jacobian of output array `out` (length
 * m_text) with respect to input array `in` (length n_text), m x n row-major: one
 * JVP per column when n <= m, else one VJP per row (decided at run time). */
Fn *ad_jacobian_fn(AdCtx *ad, const Fn *P, int in, const char *n_text, int out, const char *m_text,
                   Fn *jvp, Fn *vjp, const char *name);
/* T name(..., w, h_w, ...): the dense Hessian, one call of `hvp` per row. */
Fn *ad_hessian_fn(AdCtx *ad, const Fn *P, int which, const char *size, Fn *hvp, const char *name);

/* ---- simplify.c ---- */
/* Delete dead pure instructions and dead stores to locals, to a fixpoint. */
void ad_simplify_fn(Module *m, Fn *fn);

/* ---- requests.c ---- */
/* The tangent function of `callee` for an activity pattern: memoised like
 * ad_split_for. */
Fn *ad_tangent_for(AdCtx *ad, Fn *callee, const bool *active);
/* The split pair for calling `callee` with the given active parameters from
 * generated reverse code: memoised, generated on first use (recursion works because
 * the pair is registered before its bodies are built). stable[i] (or NULL: none)
 * promises that the memory pointer parameter i points to does not change between
 * the calls of g_fwd and g_rev, so g_rev may read it again instead of taping it. */
RevFns ad_split_for(AdCtx *ad, Fn *callee, const bool *active, const bool *stable);
Module *ad_module(AdCtx *ad);
/* The name of a derivative variable: "<prefix>_<name>" (d_x, t_x), or, when fn
 * already has that name (it is itself generated), "<prefix>2_<name>" and so on. */
const char *ad_derived_name(Module *m, const Fn *fn, const char *prefix, const char *name);
/* A generated-function name not used by the module yet: "<base>" or "<base>_2"... */
const char *ad_fresh_name(AdCtx *ad, const char *base);
/* Record a generated function for emission. */
void ad_add_generated(AdCtx *ad, Fn *fn, const Fn *primal, ReqKind kind, bool is_public,
                      const char *summary);
/* Generate the functions every request asks for; report unsupported constructs
 * with diagnostics (check diag_errors() after). */
AdResult ad_run_requests(Module *m);

#endif /* ADJC_AD_H */
