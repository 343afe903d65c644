/* ir.c — the op table and IR construction helpers. Passes and the frontend build
 * IR only through these, so every node is arena-allocated and located. */
#include "ir/ir.h"

#include <string.h>

const OpInfo ir_ops[OP_COUNT] = {
#define OP(name, arity, kind, cname, doc) {#name, arity, kind, cname, doc},
#include "ir/ops.def"
#undef OP
};

Module *ir_module_new(Arena *arena, const char *file) {
  Module *m = ARENA_NEW(arena, Module);
  m->arena = arena;
  m->file = arena_strdup(arena, file);
  return m;
}

Fn *ir_fn_new(Module *m, const char *name, Type *ret, Loc loc) {
  Fn *fn = ARENA_NEW(m->arena, Fn);
  fn->name = arena_strdup(m->arena, name);
  fn->ret = ret;
  fn->loc = loc;
  if (m->nfns == m->capfns) {
    int cap = m->capfns ? m->capfns * 2 : 16;
    m->fns = arena_realloc(m->arena, m->fns, sizeof(Fn *) * (size_t)m->capfns,
                           sizeof(Fn *) * (size_t)cap);
    m->capfns = cap;
  }
  m->fns[m->nfns++] = fn;
  return fn;
}

Fn *ir_module_find(Module *m, const char *name) {
  for (int i = 0; i < m->nfns; i++)
    if (strcmp(m->fns[i]->name, name) == 0)
      return m->fns[i];
  return NULL;
}

int ir_var_new(Module *m, Fn *fn, const char *name, Type *type, VarKind kind, Loc loc) {
  if (fn->nvars == fn->capvars) {
    int cap = fn->capvars ? fn->capvars * 2 : 16;
    fn->vars = arena_realloc(m->arena, fn->vars, sizeof(Var) * (size_t)fn->capvars,
                             sizeof(Var) * (size_t)cap);
    fn->capvars = cap;
  }
  fn->vars[fn->nvars] = (Var){arena_strdup(m->arena, name), type, kind, loc, false};
  if (kind == VAR_PARAM)
    fn->nparams++;
  return fn->nvars++;
}

void ir_block_push(Module *m, Block *b, Stmt *s) {
  if (b->len == b->cap) {
    int cap = b->cap ? b->cap * 2 : 8;
    b->items = arena_realloc(m->arena, b->items, sizeof(Stmt *) * (size_t)b->cap,
                             sizeof(Stmt *) * (size_t)cap);
    b->cap = cap;
  }
  b->items[b->len++] = s;
}

Stmt *ir_stmt_new(Module *m, StmtKind kind, Loc loc, const char *src) {
  Stmt *s = ARENA_NEW(m->arena, Stmt);
  s->kind = kind;
  s->loc = loc;
  s->src = src;
  return s;
}

Stmt *ir_inst_new(Module *m, Op op, Type *type, int dst, Loc loc, const char *src) {
  Stmt *s = ir_stmt_new(m, ST_INST, loc, src);
  s->inst.op = op;
  s->inst.type = type;
  s->inst.dst = dst;
  return s;
}

Place *ir_place_new(Module *m, int var, Type *type) {
  Place *p = ARENA_NEW(m->arena, Place);
  p->var = var;
  p->type = type;
  return p;
}

void ir_place_push(Module *m, Place *p, ProjKind kind, Operand index, const char *field,
                   Type *type) {
  Proj *proj = ARENA_ARRAY(m->arena, Proj, p->nproj + 1);
  if (p->nproj)
    memcpy(proj, p->proj, sizeof(Proj) * (size_t)p->nproj);
  proj[p->nproj] = (Proj){kind, index, field ? arena_strdup(m->arena, field) : NULL, type};
  p->proj = proj;
  p->nproj++;
  p->type = type;
}

Place *ir_place_clone(Module *m, const Place *p) {
  Place *c = ARENA_NEW(m->arena, Place);
  *c = *p;
  c->proj = ARENA_ARRAY(m->arena, Proj, p->nproj ? p->nproj : 1);
  if (p->nproj)
    memcpy(c->proj, p->proj, sizeof(Proj) * (size_t)p->nproj);
  return c;
}

Operand ir_opd_var(const Fn *fn, int var) {
  return (Operand){.kind = OPD_VAR, .type = fn->vars[var].type, .var = var};
}

Operand ir_opd_int_typed(Type *t, long long v) {
  return (Operand){.kind = OPD_INT, .type = t, .ival = v};
}

Operand ir_opd_int(Module *m, long long v) {
  return ir_opd_int_typed(ir_type_int(m, "int", 4, true), v);
}

Operand ir_opd_float(Type *t, double v, const char *spelling) {
  return (Operand){.kind = OPD_FLOAT, .type = t, .fval = v, .spelling = spelling};
}

static bool opd_same(Operand a, Operand b) {
  if (a.kind != b.kind)
    return false;
  if (a.kind == OPD_VAR)
    return a.var == b.var;
  if (a.kind == OPD_INT)
    return a.ival == b.ival;
  return false; /* float indices do not occur; be safe */
}

bool ir_place_same(const Place *a, const Place *b) {
  if (a->var != b->var || a->nproj != b->nproj || a->type != b->type)
    return false;
  for (int i = 0; i < a->nproj; i++) {
    const Proj *x = &a->proj[i], *y = &b->proj[i];
    if (x->kind != y->kind || x->type != y->type)
      return false;
    if (x->kind == PJ_INDEX && !opd_same(x->index, y->index))
      return false;
    if (x->kind == PJ_FIELD && strcmp(x->field, y->field) != 0)
      return false;
  }
  return true;
}

bool ir_place_names(const Place *p, int v) {
  if (p->var == v)
    return true;
  for (int i = 0; i < p->nproj; i++)
    if (p->proj[i].kind == PJ_INDEX && p->proj[i].index.kind == OPD_VAR && p->proj[i].index.var == v)
      return true;
  return false;
}

Place *ir_place_remap(Module *m, const Place *p, const int *map) {
  Place *q = ir_place_clone(m, p);
  q->var = map[p->var];
  for (int i = 0; i < q->nproj; i++)
    if (q->proj[i].kind == PJ_INDEX && q->proj[i].index.kind == OPD_VAR)
      q->proj[i].index.var = map[q->proj[i].index.var];
  return q;
}
