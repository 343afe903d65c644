/* rules.c — the derivative rule of every differentiable op, next to its math.
 *
 * A pullback receives the adjoint dy of the result and returns, for each operand,
 * the contribution dy * ∂y/∂operand as an operand of the generated function (the
 * caller accumulates it with +=). ad_rule_needs declares which primal values the
 * formula reads, which is what the to-be-recorded analysis keeps alive for the
 * reverse sweep. Conventions at kinks and singular points follow PyTorch:
 * fabs'(0) = 0, fmin/fmax split a tie equally, pow's exponent derivative is 0 where
 * the base is 0 and its base derivative is 0 where the exponent is 0, hypot'(0,0)
 * = 0, floor/ceil/round/trunc have derivative 0. */
#include "ad/ad.h"


static const Operand none = {.kind = OPD_NONE};

/* A float constant; printers spell it from the value and type. */
Operand ad_const(Type *t, double v) { return ir_opd_float(t, v, NULL); }

Operand ad_emit_op(RuleCtx *rc, Op op, Type *t, Operand a, Operand b, Operand c) {
  int v = ir_var_new(rc->m, rc->fn, "t", t, VAR_TEMP, rc->loc);
  Stmt *s = ir_inst_new(rc->m, op, t, v, rc->loc, rc->src);
  s->inst.args[0] = a;
  s->inst.args[1] = b;
  s->inst.args[2] = c;
  ir_block_push(rc->m, rc->out, s);
  return ir_opd_var(rc->fn, v);
}

/* Small expression builders over the float type t. */
static Operand un(RuleCtx *rc, Op op, Type *t, Operand a) {
  return ad_emit_op(rc, op, t, a, none, none);
}
static Operand bin(RuleCtx *rc, Op op, Type *t, Operand a, Operand b) {
  return ad_emit_op(rc, op, t, a, b, none);
}
static Type *int_t(RuleCtx *rc) { return ir_type_int(rc->m, "int", 4, true); }
/* A comparison as a 0/1 integer. */
static Operand cmp(RuleCtx *rc, Op op, Operand a, Operand b) {
  return ad_emit_op(rc, op, int_t(rc), a, b, none);
}
/* A 0/1 integer as a float of type t. */
static Operand as_float(RuleCtx *rc, Type *t, Operand i) {
  return ad_emit_op(rc, OP_CAST, t, i, none, none);
}
static Operand sel(RuleCtx *rc, Type *t, Operand c, Operand a, Operand b) {
  return ad_emit_op(rc, OP_SELECT, t, c, a, b);
}

/* The primal values the pullbacks of the wanted operands (bit i: operand i) read;
 * must match what ad_pullback emits for that `want`. */
unsigned ad_rule_needs(Op op, unsigned want) {
  bool wa = want & 1u, wb = want & 2u;
  if (!want)
    return 0;
  switch (op) {
  case OP_MUL: case OP_FMA: /* da = dy b, db = dy a */
    return (wa ? NEED_B : 0) | (wb ? NEED_A : 0);
  case OP_DIV: /* da = dy / b, db = -dy a / b² */
    return NEED_B | (wb ? NEED_A : 0);
  case OP_ATAN2: case OP_FMIN: case OP_FMAX:
    return NEED_A | NEED_B;
  case OP_FMOD: /* da = dy, db = -dy trunc(a / b) */
    return wb ? NEED_A | NEED_B : 0;
  case OP_POW: /* da = dy b a^(b-1), db = dy y ln a */
    return (wa ? NEED_A | NEED_B : 0) | (wb ? NEED_A | NEED_Y : 0);
  case OP_HYPOT: /* da = dy a / y, db = dy b / y */
    return NEED_Y | (wa ? NEED_A : 0) | (wb ? NEED_B : 0);
  case OP_SELECT: /* the condition picks the operand */
    return NEED_A;
  case OP_SIN: case OP_COS: case OP_ASIN: case OP_ACOS: case OP_ATAN: case OP_SINH:
  case OP_COSH: case OP_LOG: case OP_LOG2: case OP_LOG10: case OP_LOG1P: case OP_FABS:
  case OP_ERF: case OP_ERFC:
    return NEED_A;
  case OP_TAN: case OP_TANH: case OP_EXP: case OP_EXP2: case OP_EXPM1: case OP_SQRT:
  case OP_CBRT:
    return NEED_Y;
  default:
    return 0;
  }
}

bool ad_rule_exists(Op op) {
  OpKind k = ir_ops[op].kind;
  return k == K_ARITH || k == K_MATH;
}

/* Pullbacks of unary math functions: the factor ∂y/∂a, or OPD_NONE for zero. */
static Operand unary_factor(RuleCtx *rc, Op op, Type *t, Operand a, Operand y) {
  switch (op) {
  case OP_SIN: /* d sin a = cos a */
    return un(rc, OP_COS, t, a);
  case OP_COS: /* d cos a = -sin a */
    return un(rc, OP_NEG, t, un(rc, OP_SIN, t, a));
  case OP_TAN: /* d tan a = 1 + tan² a */
    return bin(rc, OP_ADD, t, ad_const(t, 1), bin(rc, OP_MUL, t, y, y));
  case OP_ASIN: /* 1 / sqrt(1 - a²) */
    return bin(rc, OP_DIV, t, ad_const(t, 1),
               un(rc, OP_SQRT, t, bin(rc, OP_SUB, t, ad_const(t, 1), bin(rc, OP_MUL, t, a, a))));
  case OP_ACOS: /* -1 / sqrt(1 - a²) */
    return bin(rc, OP_DIV, t, ad_const(t, -1),
               un(rc, OP_SQRT, t, bin(rc, OP_SUB, t, ad_const(t, 1), bin(rc, OP_MUL, t, a, a))));
  case OP_ATAN: /* 1 / (1 + a²) */
    return bin(rc, OP_DIV, t, ad_const(t, 1),
               bin(rc, OP_ADD, t, ad_const(t, 1), bin(rc, OP_MUL, t, a, a)));
  case OP_SINH:
    return un(rc, OP_COSH, t, a);
  case OP_COSH:
    return un(rc, OP_SINH, t, a);
  case OP_TANH: /* 1 - tanh² a */
    return bin(rc, OP_SUB, t, ad_const(t, 1), bin(rc, OP_MUL, t, y, y));
  case OP_EXP:
    return y;
  case OP_EXP2: /* 2^a ln 2 */
    return bin(rc, OP_MUL, t, y, ad_const(t, 0.69314718055994530942));
  case OP_EXPM1: /* e^a = y + 1 */
    return bin(rc, OP_ADD, t, y, ad_const(t, 1));
  case OP_LOG:
    return bin(rc, OP_DIV, t, ad_const(t, 1), a);
  case OP_LOG2:
    return bin(rc, OP_DIV, t, ad_const(t, 1), bin(rc, OP_MUL, t, a, ad_const(t, 0.69314718055994530942)));
  case OP_LOG10:
    return bin(rc, OP_DIV, t, ad_const(t, 1), bin(rc, OP_MUL, t, a, ad_const(t, 2.30258509299404568402)));
  case OP_LOG1P:
    return bin(rc, OP_DIV, t, ad_const(t, 1), bin(rc, OP_ADD, t, ad_const(t, 1), a));
  case OP_SQRT: /* 1 / (2 sqrt a) */
    return bin(rc, OP_DIV, t, ad_const(t, 0.5), y);
  case OP_CBRT: /* 1 / (3 cbrt² a) */
    return bin(rc, OP_DIV, t, ad_const(t, 1), bin(rc, OP_MUL, t, ad_const(t, 3), bin(rc, OP_MUL, t, y, y)));
  case OP_FABS: /* sign(a), sign(0) = 0 */
    return as_float(rc, t, bin(rc, OP_SUB, int_t(rc), cmp(rc, OP_GT, a, ad_const(t, 0)),
                                cmp(rc, OP_LT, a, ad_const(t, 0))));
  case OP_ERF: /* 2/sqrt(pi) e^{-a²} */
    return bin(rc, OP_MUL, t, ad_const(t, 1.12837916709551257390),
               un(rc, OP_EXP, t, un(rc, OP_NEG, t, bin(rc, OP_MUL, t, a, a))));
  case OP_ERFC:
    return bin(rc, OP_MUL, t, ad_const(t, -1.12837916709551257390),
               un(rc, OP_EXP, t, un(rc, OP_NEG, t, bin(rc, OP_MUL, t, a, a))));
  case OP_FLOOR: case OP_CEIL: case OP_ROUND: case OP_TRUNC: /* piecewise constant */
    return none;
  default:
    unreachable();
  }
}

/* fmin/fmax: the selected operand gets dy; a tie splits it; a NaN operand is the one
 * not selected. Weight of a for fmin: (a < b) + (a == b)/2 + (b != b). */
static void minmax(RuleCtx *rc, bool is_min, Type *t, Operand a, Operand b, Operand dy,
                   const bool *want, Operand *contrib) {
  Op less = is_min ? OP_LT : OP_GT;
  Operand tie = bin(rc, OP_MUL, t, as_float(rc, t, cmp(rc, OP_EQ, a, b)), ad_const(t, 0.5));
  for (int i = 0; i < 2; i++) {
    if (!want[i])
      continue;
    Operand self = i ? b : a, other = i ? a : b;
    Operand wins = as_float(rc, t, cmp(rc, less, self, other));
    Operand nan = as_float(rc, t, cmp(rc, OP_NE, other, other));
    Operand w = bin(rc, OP_ADD, t, bin(rc, OP_ADD, t, wins, tie), nan);
    contrib[i] = bin(rc, OP_MUL, t, dy, w);
  }
}

void ad_pullback(RuleCtx *rc, Op op, Type *t, const Operand *args, Operand y, Operand dy,
                 const bool *want, Operand *contrib) {
  Operand a = args[0], b = args[1];
  contrib[0] = contrib[1] = contrib[2] = none;
  switch (op) {
  case OP_MOV: case OP_CAST: /* y = a: da += dy (CAST converts the type) */
    if (want[0])
      contrib[0] = op == OP_CAST && a.type != t ? ad_emit_op(rc, OP_CAST, a.type, dy, none, none) : dy;
    return;
  case OP_NEG:
    if (want[0])
      contrib[0] = un(rc, OP_NEG, t, dy);
    return;
  case OP_ADD: /* da += dy; db += dy */
    if (want[0]) contrib[0] = dy;
    if (want[1]) contrib[1] = dy;
    return;
  case OP_SUB: /* da += dy; db -= dy */
    if (want[0]) contrib[0] = dy;
    if (want[1]) contrib[1] = un(rc, OP_NEG, t, dy);
    return;
  case OP_MUL: /* da += dy b; db += dy a */
    if (want[0]) contrib[0] = bin(rc, OP_MUL, t, dy, b);
    if (want[1]) contrib[1] = bin(rc, OP_MUL, t, dy, a);
    return;
  case OP_DIV: /* da += dy / b; db -= dy a / b² */
    if (want[0]) contrib[0] = bin(rc, OP_DIV, t, dy, b);
    if (want[1])
      contrib[1] = un(rc, OP_NEG, t, bin(rc, OP_DIV, t, bin(rc, OP_MUL, t, dy, a), bin(rc, OP_MUL, t, b, b)));
    return;
  case OP_SELECT: /* y = a ? b : c */
    if (want[1]) contrib[1] = sel(rc, t, a, dy, ad_const(t, 0));
    if (want[2]) contrib[2] = sel(rc, t, a, ad_const(t, 0), dy);
    return;
  case OP_ATAN2: { /* y = atan2(a, b): da += dy b/(a²+b²); db -= dy a/(a²+b²) */
    Operand r = bin(rc, OP_ADD, t, bin(rc, OP_MUL, t, a, a), bin(rc, OP_MUL, t, b, b));
    if (want[0]) contrib[0] = bin(rc, OP_DIV, t, bin(rc, OP_MUL, t, dy, b), r);
    if (want[1]) contrib[1] = un(rc, OP_NEG, t, bin(rc, OP_DIV, t, bin(rc, OP_MUL, t, dy, a), r));
    return;
  }
  case OP_POW: /* da += dy b a^(b-1) (0 where b == 0); db += dy y ln a (0 where a == 0) */
    if (want[0]) {
      Operand d = bin(rc, OP_MUL, t, b, bin(rc, OP_POW, t, a, bin(rc, OP_SUB, t, b, ad_const(t, 1))));
      contrib[0] = bin(rc, OP_MUL, t, dy, sel(rc, t, cmp(rc, OP_NE, b, ad_const(t, 0)), d, ad_const(t, 0)));
    }
    if (want[1]) {
      Operand d = bin(rc, OP_MUL, t, y, un(rc, OP_LOG, t, a));
      contrib[1] = bin(rc, OP_MUL, t, dy, sel(rc, t, cmp(rc, OP_NE, a, ad_const(t, 0)), d, ad_const(t, 0)));
    }
    return;
  case OP_HYPOT: /* da += dy a / y; db += dy b / y; 0 where y == 0 */
    for (int i = 0; i < 2; i++) {
      if (!want[i])
        continue;
      Operand q = bin(rc, OP_DIV, t, i ? b : a, y);
      contrib[i] = bin(rc, OP_MUL, t, dy, sel(rc, t, cmp(rc, OP_NE, y, ad_const(t, 0)), q, ad_const(t, 0)));
    }
    return;
  case OP_FMIN:
  case OP_FMAX:
    minmax(rc, op == OP_FMIN, t, a, b, dy, want, contrib);
    return;
  case OP_FMOD: /* y = a - trunc(a/b) b: da += dy; db -= dy trunc(a/b) */
    if (want[0]) contrib[0] = dy;
    if (want[1]) contrib[1] = un(rc, OP_NEG, t, bin(rc, OP_MUL, t, dy, un(rc, OP_TRUNC, t, bin(rc, OP_DIV, t, a, b))));
    return;
  case OP_FMA: /* y = a b + c */
    if (want[0]) contrib[0] = bin(rc, OP_MUL, t, dy, b);
    if (want[1]) contrib[1] = bin(rc, OP_MUL, t, dy, a);
    if (want[2]) contrib[2] = dy;
    return;
  default:
    break;
  }
  if (ir_ops[op].kind == K_MATH && ir_ops[op].arity == 1) {
    if (!want[0])
      return;
    Operand f = unary_factor(rc, op, t, a, y);
    if (f.kind != OPD_NONE)
      contrib[0] = bin(rc, OP_MUL, t, dy, f);
    return;
  }
  unreachable();
}
