/* structurize.c — remove break, continue and early return.
 *
 * Key idea: an abrupt statement sets a control variable `ctl` instead of jumping
 * (1 = return, 2 + 2L = break loop L, 3 + 2L = continue loop L); whatever follows it
 * in a block is guarded by `if (ctl == 0)`. A loop whose body can set ctl gets
 *
 *   cond_b'  = if (ctl == 0) { cond_b; c = cond } else { c = 0 }
 *   body'    = body; if (ctl == CONTINUE_L) ctl = 0
 *   step'    = if (ctl == 0) { step }
 *   after it : if (ctl == BREAK_L) ctl = 0
 *
 * and the function ends with its only `return retval`. Code without abrupt
 * statements is left exactly as it was, so simple loops stay simple. The result has
 * single-entry single-exit control flow, which is what the reverse transform (loop
 * trip counts, branch decisions) and the tangent transform rely on. */
#include "ad/ad.h"

typedef struct Ctx {
  Module *m;
  Fn *fn;
  int ctl;    /* the control variable, -1 until needed */
  int retval; /* the return value variable, -1 for void or until needed */
  Type *int_t;
} Ctx;

static int ctl_var(Ctx *c) {
  if (c->ctl < 0)
    c->ctl = ir_var_new(c->m, c->fn, "ctl", c->int_t, VAR_TEMP, c->fn->loc);
  return c->ctl;
}

static Stmt *set_ctl(Ctx *c, long long code, const Stmt *from) {
  Stmt *s = ir_inst_new(c->m, OP_MOV, c->int_t, ctl_var(c), from->loc, from->src);
  s->inst.args[0] = ir_opd_int(c->m, code);
  return s;
}

/* Append `t = (ctl == code)` to b and return the operand t. */
static Operand ctl_test(Ctx *c, Block *b, Op op, long long code, Loc loc) {
  int t = ir_var_new(c->m, c->fn, "t", c->int_t, VAR_TEMP, loc);
  Stmt *s = ir_inst_new(c->m, op, c->int_t, t, loc, NULL);
  s->inst.args[0] = ir_opd_var(c->fn, ctl_var(c));
  s->inst.args[1] = ir_opd_int(c->m, code);
  ir_block_push(c->m, b, s);
  return ir_opd_var(c->fn, t);
}

static bool block_jumps(Ctx *c, Block *b);

/* Rewrite one statement in place (its sub-blocks); return whether it may leave
 * ctl != 0. May replace *sp (abrupt statements become assignments). */
static bool stmt_jumps(Ctx *c, Stmt **sp, Block *after) {
  Stmt *s = *sp;
  switch (s->kind) {
  case ST_INST:
    return false;
  case ST_BREAK:
    *sp = set_ctl(c, 2 + 2LL * s->target, s);
    return true;
  case ST_CONTINUE:
    *sp = set_ctl(c, 3 + 2LL * s->target, s);
    return true;
  case ST_RETURN: {
    if (s->value.kind != OPD_NONE) {
      if (c->retval < 0)
        c->retval = ir_var_new(c->m, c->fn, "retval", c->fn->ret, VAR_TEMP, c->fn->loc);
      Stmt *mv = ir_inst_new(c->m, OP_MOV, c->fn->ret, c->retval, s->loc, s->src);
      mv->inst.args[0] = s->value;
      *sp = mv;
      ir_block_push(c->m, after, set_ctl(c, 1, s));
    } else {
      *sp = set_ctl(c, 1, s);
    }
    return true;
  }
  case ST_IF: {
    bool a = block_jumps(c, &s->if_.then_b);
    bool b = block_jumps(c, &s->if_.else_b);
    return a || b;
  }
  case ST_LOOP: {
    Loop *l = &s->loop;
    bool jb = block_jumps(c, &l->body);
    bool js = block_jumps(c, &l->step);
    if (!jb && !js)
      return false;
    Loc loc = s->loc;
    /* cond_b' = if (ctl == 0) { cond_b; c = cond } else { c = 0 } */
    int cv = ir_var_new(c->m, c->fn, "t", c->int_t, VAR_TEMP, loc);
    Block nb = {0};
    Stmt *guard = ir_stmt_new(c->m, ST_IF, loc, s->src);
    guard->if_.cond = ctl_test(c, &nb, OP_EQ, 0, loc);
    guard->if_.then_b = l->cond_b;
    Stmt *setc = ir_inst_new(c->m, OP_MOV, c->int_t, cv, loc, s->src);
    if (l->cond.kind == OPD_NONE)
      setc->inst.args[0] = ir_opd_int(c->m, 1);
    else if (l->cond.type->kind == TY_INT)
      setc->inst.args[0] = l->cond;
    else {
      setc->inst.op = OP_NE;
      setc->inst.args[0] = l->cond;
      setc->inst.args[1] = ir_opd_float(l->cond.type, 0, "0");
    }
    ir_block_push(c->m, &guard->if_.then_b, setc);
    Stmt *zero = ir_inst_new(c->m, OP_MOV, c->int_t, cv, loc, s->src);
    zero->inst.args[0] = ir_opd_int(c->m, 0);
    ir_block_push(c->m, &guard->if_.else_b, zero);
    ir_block_push(c->m, &nb, guard);
    l->cond_b = nb;
    l->cond = ir_opd_var(c->fn, cv);
    /* body' = body; if (ctl == CONTINUE_L) ctl = 0 */
    Stmt *reset = ir_stmt_new(c->m, ST_IF, loc, NULL);
    reset->if_.cond = ctl_test(c, &l->body, OP_EQ, 3 + 2LL * l->id, loc);
    ir_block_push(c->m, &reset->if_.then_b, set_ctl(c, 0, s));
    ir_block_push(c->m, &l->body, reset);
    /* step' = if (ctl == 0) { step } */
    if (l->step.len) {
      Block ns = {0};
      Stmt *g = ir_stmt_new(c->m, ST_IF, loc, NULL);
      g->if_.cond = ctl_test(c, &ns, OP_EQ, 0, loc);
      g->if_.then_b = l->step;
      ir_block_push(c->m, &ns, g);
      l->step = ns;
    }
    /* after the loop: if (ctl == BREAK_L) ctl = 0 */
    Stmt *brk = ir_stmt_new(c->m, ST_IF, loc, NULL);
    brk->if_.cond = ctl_test(c, after, OP_EQ, 2 + 2LL * l->id, loc);
    ir_block_push(c->m, &brk->if_.then_b, set_ctl(c, 0, s));
    ir_block_push(c->m, after, brk);
    return true; /* an inner return or outer break may still be pending */
  }
  }
  unreachable();
}

/* Rewrite a block; after the first statement that may set ctl, the rest of the
 * block is nested under `if (ctl == 0)`. Returns whether the block may set ctl. */
static bool block_jumps(Ctx *c, Block *b) {
  Block out = {0};
  bool jumps = false;
  int i = 0;
  for (; i < b->len; i++) {
    Stmt *s = b->items[i];
    Block after = {0};
    bool j = stmt_jumps(c, &s, &after);
    ir_block_push(c->m, &out, s);
    for (int k = 0; k < after.len; k++)
      ir_block_push(c->m, &out, after.items[k]);
    if (j) {
      jumps = true;
      i++;
      break;
    }
  }
  if (jumps && i < b->len) {
    Block rest = {0};
    for (int k = i; k < b->len; k++)
      ir_block_push(c->m, &rest, b->items[k]);
    block_jumps(c, &rest);
    Stmt *g = ir_stmt_new(c->m, ST_IF, b->items[i]->loc, NULL);
    g->if_.cond = ctl_test(c, &out, OP_EQ, 0, b->items[i]->loc);
    g->if_.then_b = rest;
    ir_block_push(c->m, &out, g);
  }
  *b = out;
  return jumps;
}

/* Does the block end with a return (so no implicit fall-off)? */
static bool ends_with_return(const Block *b) {
  return b->len && b->items[b->len - 1]->kind == ST_RETURN;
}

/* True when the only return is the last statement and no break/continue exists
 * outside the loops they leave... we simply check for any abrupt statement other
 * than a final top-level return. */
static bool has_abrupt(const Block *b, bool top) {
  for (int i = 0; i < b->len; i++) {
    const Stmt *s = b->items[i];
    switch (s->kind) {
    case ST_BREAK:
    case ST_CONTINUE:
      return true;
    case ST_RETURN:
      if (!(top && i == b->len - 1))
        return true;
      break;
    case ST_IF:
      if (has_abrupt(&s->if_.then_b, false) || has_abrupt(&s->if_.else_b, false))
        return true;
      break;
    case ST_LOOP:
      if (has_abrupt(&s->loop.body, false) || has_abrupt(&s->loop.step, false) ||
          has_abrupt(&s->loop.cond_b, false))
        return true;
      break;
    case ST_INST:
      break;
    }
  }
  return false;
}

static void structurize_fn(Module *m, Fn *fn) {
  if (!has_abrupt(&fn->body, true)) {
    if (!ends_with_return(&fn->body)) {
      Stmt *r = ir_stmt_new(m, ST_RETURN, fn->loc, NULL);
      ir_block_push(m, &fn->body, r);
    }
    return;
  }
  Ctx c = {m, fn, -1, -1, ir_type_int(m, "int", 4, true)};
  Block body = fn->body;
  block_jumps(&c, &body);
  Block out = {0};
  Stmt *init = ir_inst_new(m, OP_MOV, c.int_t, ctl_var(&c), fn->loc, NULL);
  init->inst.args[0] = ir_opd_int(m, 0);
  ir_block_push(m, &out, init);
  for (int i = 0; i < body.len; i++)
    ir_block_push(m, &out, body.items[i]);
  Stmt *r = ir_stmt_new(m, ST_RETURN, fn->loc, NULL);
  if (c.retval >= 0)
    r->value = ir_opd_var(fn, c.retval);
  ir_block_push(m, &out, r);
  fn->body = out;
}

void ad_structurize_module(Module *m) {
  for (int i = 0; i < m->nfns; i++)
    if (m->fns[i]->has_body && !m->fns[i]->broken)
      structurize_fn(m, m->fns[i]);
}
