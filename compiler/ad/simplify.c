/* simplify.c — dead code elimination on generated functions.
 *
 * The transforms generate by rule and do not look back: an adjoint read whose value
 * no rule needs, the tangent of a value nobody reads, a shadow that is written and
 * never used. This pass deletes, until nothing changes,
 *   - pure instructions (arithmetic, math, comparisons, casts, loads, address
 *     computations) whose result variable is never read, and
 *   - stores and `+=` into a local variable (not a parameter, not a global, not
 *     address-taken) that is never read.
 * Calls, tape pushes and pops, and writes through pointers are always kept. */
#include "ad/ad.h"

#include <string.h>

static void read_opd(int *reads, Operand o) {
  if (o.kind == OPD_VAR)
    reads[o.var]++;
}

/* Does the place reach memory through a pointer (the root, or one held in the root's
 * memory: rows[r][j])? Writing there writes memory the root does not own. */
static bool through_pointer(const Fn *fn, const Place *p) {
  const Type *t = fn->vars[p->var].type;
  for (int i = 0; i < p->nproj; i++) {
    if (p->proj[i].kind != PJ_FIELD && t->kind == TY_PTR)
      return true;
    t = p->proj[i].type;
  }
  return false;
}

/* A place's reads: its indices, and its root unless the place is (part of) the root
 * variable's own storage being written. */
static void read_place(const Fn *fn, int *reads, const Place *p, bool written) {
  for (int i = 0; i < p->nproj; i++)
    if (p->proj[i].kind == PJ_INDEX)
      read_opd(reads, p->proj[i].index);
  if (!written || through_pointer(fn, p))
    reads[p->var]++;
}

static void count(const Fn *fn, const Block *b, int *reads) {
  for (int i = 0; i < b->len; i++) {
    const Stmt *s = b->items[i];
    switch (s->kind) {
    case ST_INST: {
      const Inst *in = &s->inst;
      for (int k = 0; k < ir_ops[in->op].arity && k < 3; k++)
        read_opd(reads, in->args[k]);
      for (int k = 0; k < in->ncall_args; k++)
        read_opd(reads, in->call_args[k]);
      if (in->place)
        read_place(fn, reads, in->place, in->op == OP_STORE || in->op == OP_ADDTO);
      break;
    }
    case ST_IF:
      read_opd(reads, s->if_.cond);
      count(fn, &s->if_.then_b, reads);
      count(fn, &s->if_.else_b, reads);
      break;
    case ST_LOOP:
      count(fn, &s->loop.cond_b, reads);
      read_opd(reads, s->loop.cond);
      count(fn, &s->loop.body, reads);
      count(fn, &s->loop.step, reads);
      break;
    case ST_RETURN:
      read_opd(reads, s->value);
      break;
    default:
      break;
    }
  }
}

static bool removable_var(const Fn *fn, int v) {
  const Var *var = &fn->vars[v];
  return v >= fn->nparams && var->kind != VAR_GLOBAL && !var->addr_taken &&
         !(fn->has_tape && v == fn->tape);
}

static bool dead(const Fn *fn, const Inst *in, const int *reads) {
  switch (in->op) {
  case OP_CALL: case OP_PUSH: case OP_POP:
    return false;
  case OP_STORE: case OP_ADDTO:
    return !through_pointer(fn, in->place) && removable_var(fn, in->place->var) &&
           !reads[in->place->var];
  default:
    break;
  }
  OpKind k = ir_ops[in->op].kind;
  bool pure = k == K_ARITH || k == K_MATH || k == K_CMP || k == K_INT || in->op == OP_LOAD ||
              in->op == OP_ADDR || in->op == OP_STOPGRAD;
  return pure && in->dst >= 0 && removable_var(fn, in->dst) && !reads[in->dst];
}

/* Remove dead statements from b (recursively); returns how many went. */
static int sweep(Module *m, const Fn *fn, Block *b, const int *reads) {
  int removed = 0;
  Block out = {0};
  for (int i = 0; i < b->len; i++) {
    Stmt *s = b->items[i];
    if (s->kind == ST_INST && dead(fn, &s->inst, reads)) {
      removed++;
      continue;
    }
    if (s->kind == ST_IF) {
      removed += sweep(m, fn, &s->if_.then_b, reads);
      removed += sweep(m, fn, &s->if_.else_b, reads);
    } else if (s->kind == ST_LOOP) {
      removed += sweep(m, fn, &s->loop.cond_b, reads);
      removed += sweep(m, fn, &s->loop.body, reads);
      removed += sweep(m, fn, &s->loop.step, reads);
    }
    ir_block_push(m, &out, s);
  }
  *b = out;
  return removed;
}

void ad_simplify_fn(Module *m, Fn *fn) {
  int *reads = ARENA_ARRAY(m->arena, int, fn->nvars + 1);
  for (;;) {
    memset(reads, 0, sizeof(int) * (size_t)(fn->nvars + 1));
    count(fn, &fn->body, reads);
    if (!sweep(m, fn, &fn->body, reads))
      return;
  }
}
