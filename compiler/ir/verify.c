/* verify.c — structural checks of the IR, run after every pass in debug builds.
 *
 * Checked: variable ids in range; operand counts match ops.def; dst set iff the op
 * produces a value (STORE/ADDTO/PUSH write none); places have a root and projections
 * of the right kind for their types (deref/index on pointers or arrays, fields on
 * structs); break/continue name an enclosing loop. A violation is a compiler bug: it
 * is reported with the function and statement, then the run aborts. */
#include "ir/ir.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct Ctx {
  const Fn *fn;
  int errors;
  int loops[256]; /* ids of enclosing loops */
  int depth;
} Ctx;

static void fail(Ctx *c, const Stmt *s, const char *what) {
  fprintf(stderr, "adjc: internal error: IR verifier: %s: %s (line %d)\n", c->fn->name, what,
          s ? s->loc.line : 0);
  c->errors++;
}

static void check_operand(Ctx *c, const Stmt *s, Operand o) {
  if (o.kind == OPD_VAR && (o.var < 0 || o.var >= c->fn->nvars))
    fail(c, s, "operand names a variable out of range");
  if (o.kind != OPD_NONE && !o.type)
    fail(c, s, "operand without a type");
}

static void check_place(Ctx *c, const Stmt *s, const Place *p) {
  if (p->var < 0 || p->var >= c->fn->nvars) {
    fail(c, s, "place rooted at a variable out of range");
    return;
  }
  const Type *t = c->fn->vars[p->var].type;
  for (int i = 0; i < p->nproj; i++) {
    const Proj *pj = &p->proj[i];
    switch (pj->kind) {
    case PJ_DEREF:
      if (t->kind != TY_PTR)
        fail(c, s, "deref of a non-pointer place");
      break;
    case PJ_INDEX:
      if (t->kind != TY_PTR && t->kind != TY_ARRAY)
        fail(c, s, "index of a place that is neither array nor pointer");
      check_operand(c, s, pj->index);
      break;
    case PJ_FIELD:
      if (t->kind != TY_STRUCT)
        fail(c, s, "field of a non-struct place");
      break;
    }
    t = pj->type;
  }
  if (t != p->type)
    fail(c, s, "place type differs from its last projection's type");
}

static void check_inst(Ctx *c, const Stmt *s) {
  const Inst *in = &s->inst;
  if (in->op < 0 || in->op >= OP_COUNT) {
    fail(c, s, "unknown op");
    return;
  }
  const OpInfo *info = &ir_ops[in->op];
  if (in->dst >= c->fn->nvars)
    fail(c, s, "dst out of range");
  bool writes_none = in->op == OP_STORE || in->op == OP_ADDTO || in->op == OP_PUSH;
  if (writes_none && in->dst >= 0)
    fail(c, s, "store-like op with a dst");
  if (!writes_none && in->op != OP_CALL && in->dst < 0)
    fail(c, s, "value op without a dst");
  bool needs_place = in->op == OP_LOAD || in->op == OP_STORE || in->op == OP_ADDR ||
                     in->op == OP_ADDTO;
  if (needs_place != (in->place != NULL))
    fail(c, s, needs_place ? "memory op without a place" : "place on a non-memory op");
  if (in->place)
    check_place(c, s, in->place);
  for (int i = 0; i < info->arity; i++) {
    if (in->args[i].kind == OPD_NONE)
      fail(c, s, "missing operand");
    check_operand(c, s, in->args[i]);
  }
  for (int i = 0; i < in->ncall_args; i++)
    check_operand(c, s, in->call_args[i]);
}

static void check_block(Ctx *c, const Block *b);

static bool in_loop(const Ctx *c, int id) {
  for (int i = 0; i < c->depth; i++)
    if (c->loops[i] == id)
      return true;
  return false;
}

static void check_stmt(Ctx *c, const Stmt *s) {
  switch (s->kind) {
  case ST_INST:
    check_inst(c, s);
    break;
  case ST_IF:
    check_operand(c, s, s->if_.cond);
    check_block(c, &s->if_.then_b);
    check_block(c, &s->if_.else_b);
    break;
  case ST_LOOP:
    if (c->depth == (int)(sizeof c->loops / sizeof c->loops[0])) {
      fail(c, s, "loops nested too deeply to verify");
      break;
    }
    c->loops[c->depth++] = s->loop.id;
    check_block(c, &s->loop.cond_b);
    check_operand(c, s, s->loop.cond);
    check_block(c, &s->loop.body);
    check_block(c, &s->loop.step);
    c->depth--;
    break;
  case ST_BREAK:
  case ST_CONTINUE:
    if (!in_loop(c, s->target))
      fail(c, s, "break/continue outside its target loop");
    break;
  case ST_RETURN:
    check_operand(c, s, s->value);
    break;
  }
}

static void check_block(Ctx *c, const Block *b) {
  for (int i = 0; i < b->len; i++)
    check_stmt(c, b->items[i]);
}

int ir_verify_fn(const Fn *fn) {
  Ctx c = {.fn = fn};
  for (int i = 0; i < fn->nvars; i++)
    if (!fn->vars[i].type || !fn->vars[i].name)
      fail(&c, NULL, "variable without type or name");
  check_block(&c, &fn->body);
  return c.errors;
}

int ir_verify_module(const Module *m) {
  int errors = 0;
  for (int i = 0; i < m->nfns; i++)
    if (m->fns[i]->has_body && !m->fns[i]->broken)
      errors += ir_verify_fn(m->fns[i]);
  if (errors)
    abort();
  return errors;
}
