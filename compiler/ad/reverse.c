/* reverse.c — reverse mode: a forward sweep that records, then a reverse sweep.
 *
 * Key ideas.
 *  - Restore, don't re-read. Before an instruction overwrites a variable that the
 *    reverse sweep will read (to-be-recorded), the forward sweep pushes the old
 *    value; reversing the instruction pops it back. So when the reverse sweep reaches
 *    an instruction, every variable it reads holds the value it had when the
 *    instruction ran. Variables assigned once outside loops need no push.
 *  - Memory is never read by the reverse sweep: a load writes a variable, and rules
 *    read variables. Primal memory is therefore left exactly as the function left
 *    it (outputs stay written) and nothing in memory needs saving.
 *  - Control flow is recorded, not recomputed: each `if` pushes its decision, each
 *    loop its trip count; the reverse sweep replays them backwards. The input is
 *    structurized (no break/continue/early return), so this is the whole story.
 *  - Adjoints are places: the adjoint of place `w[i].x` is `d_w[i].x`, rooted at the
 *    root's shadow (a shadow variable, or `*d_x` for a scalar parameter).
 *  - Calls to functions of the file use a split pair g_fwd (records on the shared
 *    tape) and g_rev (replays it), generated once per activity pattern.
 */
#include "ad/ad.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Rev {
  AdCtx *ad;
  Module *m;
  const Fn *P;       /* primal (structurized) */
  Fn *W;             /* the function being generated (all variables live here) */
  const bool *active_params;
  RevMode mode;
  Activity *act;
  int *vmap;         /* P var -> W var */
  Place **shadow;    /* P var -> root place of its adjoint in W, or NULL */
  int *acc_param;    /* P scalar param with a local shadow -> W pointer param, or -1 */
  int *nassign;      /* static assignment count; params count 1, loops count twice */
  bool *needed;      /* read by the reverse sweep */
  bool *pushed;      /* needed and assigned more than once: saved at each assignment */
  bool has_addr_needed; /* some needed variable has its address taken */
  int *origin;       /* pointer variables: what they point into (see pointer_origins) */
  struct SaveSet *saves; /* assignments that save the value they overwrite (tbr_saves) */
  bool *stable;      /* per region (nvars + 1): memory unchanged until the reverse sweep
                        (or restored by it, see restorable) */
  bool *restored;    /* per local array: its stores are undone by the reverse sweep */
  const Stmt **remat; /* per variable: the load the reverse sweep repeats instead of
                         taping the variable (see find_remat), or NULL */
  const Stmt **first_def; /* the assignment that gives a variable its first value */
  int *entry;        /* pointer params the body moves: W var with the entry value, or -1 */
  int *entry_shadow; /* ... and with the shadow's entry value */
  int tape;          /* W var: AdjTape * */
  Type *int_t, *long_t;
} Rev;

static const Operand none = {.kind = OPD_NONE};

/* ---- small builders --------------------------------------------------------------- */

static RuleCtx rctx(Rev *r, Block *out, const Stmt *s) {
  return (RuleCtx){r->m, r->W, out, s ? s->loc : r->P->loc, s ? s->src : NULL};
}

static Stmt *inst(Rev *r, Block *out, Op op, Type *t, int dst, const Stmt *from) {
  Stmt *s = ir_inst_new(r->m, op, t, dst, from ? from->loc : r->P->loc, from ? from->src : NULL);
  ir_block_push(r->m, out, s);
  return s;
}

static int temp(Rev *r, const char *name, Type *t) {
  return ir_var_new(r->m, r->W, name, t, VAR_TEMP, r->P->loc);
}

static Operand wvar(Rev *r, int v) { return ir_opd_var(r->W, v); }

/* P operand -> W operand. */
static Operand mo(Rev *r, Operand o) {
  if (o.kind == OPD_VAR)
    o.var = r->vmap[o.var];
  return o;
}

/* P place -> W place (same projections, mapped index operands). */
static Place *mplace(Rev *r, const Place *p) { return ir_place_remap(r->m, p, r->vmap); }

static Type *shadow_type(Rev *r, Type *t);

/* The adjoint place of a P place: the root's shadow followed by the same
 * projections. NULL when the root has no shadow. */
static Place *splace(Rev *r, const Place *p) {
  Place *root = r->shadow[p->var];
  if (!root)
    return NULL;
  Place *q = ir_place_clone(r->m, root);
  for (int i = 0; i < p->nproj; i++) {
    Proj pj = p->proj[i];
    if (pj.kind == PJ_INDEX)
      pj.index = mo(r, pj.index);
    /* element types are the shadow's (d_rows holds `double *` where rows holds
     * `const double *`); a field keeps its declared type, which C sees */
    Type *t = pj.kind == PJ_FIELD ? ir_type_unqual(r->m, pj.type) : shadow_type(r, pj.type);
    ir_place_push(r->m, q, pj.kind, pj.index, pj.field, t);
  }
  return q;
}

static Place *var_place(Rev *r, const Place *root_of) { return ir_place_clone(r->m, root_of); }

/* Adjoint place of a P scalar variable. */
static Place *svar(Rev *r, int v) {
  return r->shadow[v] ? var_place(r, r->shadow[v]) : NULL;
}

static Operand load(Rev *r, Block *out, Place *p, const Stmt *from) {
  int t = temp(r, "t", p->type);
  Stmt *s = inst(r, out, OP_LOAD, p->type, t, from);
  s->inst.place = p;
  return wvar(r, t);
}

static void store(Rev *r, Block *out, Place *p, Operand v, const Stmt *from) {
  Stmt *s = inst(r, out, OP_STORE, p->type, -1, from);
  s->inst.place = p;
  s->inst.args[0] = v;
}

static void addto(Rev *r, Block *out, Place *p, Operand v, const Stmt *from) {
  Stmt *s = inst(r, out, OP_ADDTO, p->type, -1, from);
  s->inst.place = p;
  s->inst.args[0] = v;
}

static void push(Rev *r, Block *out, int wv, const Stmt *from) {
  Stmt *s = inst(r, out, OP_PUSH, r->W->vars[wv].type, -1, from);
  s->inst.args[0] = wvar(r, wv);
}

static void pop(Rev *r, Block *out, int wv, const Stmt *from) {
  inst(r, out, OP_POP, r->W->vars[wv].type, wv, from);
}

/*
 * Pointers on the tape. A pointer into a local array, or derived from a pointer
 * parameter, is recorded as a byte offset from that base, not as an address: a split
 * pair g_fwd/g_rev runs in two different stack frames (and so may its caller), so an
 * address into a frame's arrays would dangle. g_rev rebuilds the pointer, and its
 * shadow, from its own frame's base (p = base + off, d_p = d_base + off). Pointers
 * loaded from memory or returned by calls point into memory that outlives both
 * frames and are recorded as they are.
 */
enum { ORIGIN_NONE = -1, ORIGIN_ABSOLUTE = -2, ORIGIN_MIXED = -3 };

static void set_origin(int *origin, int v, int o, bool *changed) {
  int cur = origin[v];
  int next = cur == ORIGIN_NONE ? o : (cur == o || o == ORIGIN_NONE) ? cur : ORIGIN_MIXED;
  if (next != cur) {
    origin[v] = next;
    *changed = true;
  }
}

static void origins_block(const Fn *P, const Block *b, int *origin, bool *changed) {
  for (int i = 0; i < b->len; i++) {
    const Stmt *s = b->items[i];
    if (s->kind == ST_IF) {
      origins_block(P, &s->if_.then_b, origin, changed);
      origins_block(P, &s->if_.else_b, origin, changed);
      continue;
    }
    if (s->kind == ST_LOOP) {
      origins_block(P, &s->loop.cond_b, origin, changed);
      origins_block(P, &s->loop.body, origin, changed);
      origins_block(P, &s->loop.step, origin, changed);
      continue;
    }
    if (s->kind != ST_INST || s->inst.dst < 0 || P->vars[s->inst.dst].type->kind != TY_PTR)
      continue;
    const Inst *in = &s->inst;
    int o = ORIGIN_ABSOLUTE; /* loads, calls, constants */
    if (in->op == OP_ADDR) {
      int root = in->place->var;
      o = P->vars[root].type->kind == TY_PTR ? origin[root] : root;
      if (P->vars[root].kind == VAR_GLOBAL)
        o = ORIGIN_ABSOLUTE;
    } else if (in->op != OP_LOAD && in->op != OP_CALL) {
      for (int k = 0; k < ir_ops[in->op].arity; k++)
        if (in->args[k].kind == OPD_VAR && P->vars[in->args[k].var].type->kind == TY_PTR)
          o = origin[in->args[k].var];
    }
    set_origin(origin, in->dst, o, changed);
  }
}

/* origin[v] for pointer variables: the parameter or local aggregate/scalar it points
 * into, ORIGIN_ABSOLUTE (memory outliving the frame), or ORIGIN_MIXED. */
static int *pointer_origins(Rev *r) {
  const Fn *P = r->P;
  int *origin = ARENA_ARRAY(r->m->arena, int, P->nvars + 1);
  for (int v = 0; v < P->nvars; v++)
    origin[v] = P->vars[v].type->kind != TY_PTR ? ORIGIN_NONE
                : v < P->nparams                 ? v
                : P->vars[v].kind == VAR_GLOBAL ? ORIGIN_ABSOLUTE
                                                 : ORIGIN_NONE;
  bool changed = true;
  while (changed) {
    changed = false;
    origins_block(P, &P->body, origin, &changed);
  }
  return origin;
}

/* A byte pointer type: `const char *`, or `char *` when the pointer rebuilt from it
 * is not to const (so the generated casts never drop a qualifier). */
static Type *byte_ptr(Rev *r, bool to_const) {
  Type *c = ir_type_int(r->m, "char", 1, true);
  return ir_type_ptr(r->m, to_const ? ir_type_const(r->m, c) : c);
}

/* `(const char *)base` for the base of region root R in W (primal, or its shadow). */
static Operand byte_base(Rev *r, Block *out, int R, bool shadow, const Stmt *from,
                         bool to_const) {
  Type *cp = byte_ptr(r, to_const);
  Operand base;
  if (r->entry[R] >= 0) {
    /* a pointer parameter the body moves: its value on entry is the base */
    base = wvar(r, shadow ? r->entry_shadow[R] : r->entry[R]);
  } else if (!shadow && r->P->vars[R].type->kind == TY_PTR) {
    base = wvar(r, r->vmap[R]);
  } else if (shadow && r->shadow[R] && r->shadow[R]->nproj == 0 &&
             r->W->vars[r->shadow[R]->var].type->kind == TY_PTR) {
    base = wvar(r, r->shadow[R]->var);
  } else {
    Place *pl = shadow ? ir_place_clone(r->m, r->shadow[R])
                       : ir_place_new(r->m, r->vmap[R], r->P->vars[R].type);
    int t = temp(r, "p", ir_type_ptr(r->m, pl->type));
    Stmt *a = inst(r, out, OP_ADDR, r->W->vars[t].type, t, from);
    a->inst.place = pl;
    base = wvar(r, t);
  }
  int c = temp(r, "p", cp);
  Stmt *k = inst(r, out, OP_CAST, cp, c, from);
  k->inst.args[0] = base;
  return wvar(r, c);
}

/* LONG_MIN: the offset that stands for a null pointer. */
static Operand long_min(Rev *r) {
  Operand o = ir_opd_int_typed(r->long_t, 0);
  o.spelling = "LONG_MIN";
  return o;
}

/* Can pointer pv be recorded as an offset (its region has a base in both frames)? */
static int offset_root(Rev *r, int pv) {
  int o = r->origin[pv];
  if (o < 0)
    return -1;
  if (r->P->vars[pv].type->kind == TY_PTR && r->shadow[pv] && r->shadow[pv]->nproj == 0 &&
      !r->shadow[o])
    return -1; /* its shadow has no base to rebuild from */
  return o;
}

/* Push / pop a P variable and, for a pointer with a shadow, the shadow pointer. */
static void save_var(Rev *r, Block *out, int pv, const Stmt *from) {
  bool is_ptr = r->P->vars[pv].type->kind == TY_PTR;
  int root = is_ptr ? offset_root(r, pv) : -1;
  if (root >= 0) {
    /* off = p ? (const char *)p - (const char *)base : LONG_MIN (a null pointer) */
    Type *cp = ir_type_ptr(r->m, ir_type_const(r->m, ir_type_int(r->m, "char", 1, true)));
    int off = temp(r, "off", r->long_t);
    Stmt *nz = ir_stmt_new(r->m, ST_IF, from ? from->loc : r->P->loc, from ? from->src : NULL);
    nz->if_.cond = wvar(r, r->vmap[pv]);
    Block *then_b = &nz->if_.then_b;
    int pc = temp(r, "p", cp);
    Stmt *k = inst(r, then_b, OP_CAST, cp, pc, from);
    k->inst.args[0] = wvar(r, r->vmap[pv]);
    Operand base = byte_base(r, then_b, root, false, from, true);
    Stmt *d = inst(r, then_b, OP_SUB, r->long_t, off, from);
    d->inst.args[0] = wvar(r, pc);
    d->inst.args[1] = base;
    Stmt *z = inst(r, &nz->if_.else_b, OP_MOV, r->long_t, off, from);
    z->inst.args[0] = long_min(r);
    ir_block_push(r->m, out, nz);
    push(r, out, off, from);
    return;
  }
  if (is_ptr && r->origin[pv] == ORIGIN_MIXED && r->mode == REV_SPLIT)
    diag_error(from ? from->loc : r->P->loc, "give each array its own pointer variable",
               "pointer '%s' may point into different arrays; adjc cannot record it in a helper "
               "function", r->P->vars[pv].name);
  push(r, out, r->vmap[pv], from);
  if (is_ptr && r->shadow[pv] && r->shadow[pv]->nproj == 0)
    push(r, out, r->shadow[pv]->var, from);
}

static void restore_var(Rev *r, Block *out, int pv, const Stmt *from) {
  bool is_ptr = r->P->vars[pv].type->kind == TY_PTR;
  int root = is_ptr ? offset_root(r, pv) : -1;
  if (root >= 0) {
    /* p = off == LONG_MIN ? NULL : (T *)((const char *)base + off); the same for d_p */
    int off = temp(r, "off", r->long_t);
    pop(r, out, off, from);
    int isnull = temp(r, "t", r->int_t);
    Stmt *cmp = inst(r, out, OP_EQ, r->int_t, isnull, from);
    cmp->inst.args[0] = wvar(r, off);
    cmp->inst.args[1] = long_min(r);
    Stmt *g = ir_stmt_new(r->m, ST_IF, from ? from->loc : r->P->loc, from ? from->src : NULL);
    g->if_.cond = wvar(r, isnull);
    for (int sh = 0; sh < 2; sh++) {
      int dst = sh ? (r->shadow[pv] && r->shadow[pv]->nproj == 0 ? r->shadow[pv]->var : -1)
                   : r->vmap[pv];
      if (dst < 0)
        continue;
      Stmt *null = inst(r, &g->if_.then_b, OP_MOV, r->W->vars[dst].type, dst, from);
      null->inst.args[0] = ir_opd_int_typed(r->W->vars[dst].type, 0);
      Type *dt = r->W->vars[dst].type;
      bool to_const = dt->kind != TY_PTR || !dt->elem || dt->elem->is_const;
      Type *cp = byte_ptr(r, to_const);
      Operand base = byte_base(r, &g->if_.else_b, root, sh, from, to_const);
      int q = temp(r, "p", cp);
      Stmt *a = inst(r, &g->if_.else_b, OP_ADD, cp, q, from);
      a->inst.args[0] = base;
      a->inst.args[1] = wvar(r, off);
      Stmt *c = inst(r, &g->if_.else_b, OP_CAST, r->W->vars[dst].type, dst, from);
      c->inst.args[0] = wvar(r, q);
    }
    ir_block_push(r->m, out, g);
    return;
  }
  if (is_ptr && r->shadow[pv] && r->shadow[pv]->nproj == 0)
    pop(r, out, r->shadow[pv]->var, from);
  pop(r, out, r->vmap[pv], from);
}

/* Append block b to out. */
static void append(Rev *r, Block *out, const Block *b) {
  for (int i = 0; i < b->len; i++)
    ir_block_push(r->m, out, b->items[i]);
}

/* ---- adjoint reads, zeroing and accumulation, also for aggregates ------------------ */

/* For every float leaf of type t under places dst/src: dst_leaf = 0 after
 * src_leaf += dst_leaf (when src is not NULL). Arrays become loops. */
static void move_adjoint(Rev *r, Block *out, Place *dst, Place *src, Type *t, const Stmt *from) {
  if (ir_type_is_float(t)) {
    Operand v = load(r, out, dst, from);
    store(r, out, ir_place_clone(r->m, dst), ad_const(t, 0), from);
    if (src)
      addto(r, out, src, v, from);
    return;
  }
  if (t->kind == TY_STRUCT) {
    for (int i = 0; i < t->nfields; i++) {
      Type *ft = ir_type_unqual(r->m, t->fields[i].type);
      if (!ir_type_has_float(ft) || ft->kind == TY_PTR)
        continue;
      Place *d = ir_place_clone(r->m, dst);
      ir_place_push(r->m, d, PJ_FIELD, none, t->fields[i].name, ft);
      Place *s = NULL;
      if (src) {
        s = ir_place_clone(r->m, src);
        ir_place_push(r->m, s, PJ_FIELD, none, t->fields[i].name, ft);
      }
      move_adjoint(r, out, d, s, ft, from);
    }
    return;
  }
  if (t->kind == TY_ARRAY && ir_type_has_float(t->elem)) {
    /* for (k = 0; k < len; k++) move_adjoint(dst[k], src[k]) */
    int k = temp(r, "k", r->int_t);
    Stmt *init = inst(r, out, OP_MOV, r->int_t, k, from);
    init->inst.args[0] = ir_opd_int(r->m, 0);
    Stmt *loop = ir_stmt_new(r->m, ST_LOOP, from ? from->loc : r->P->loc, from ? from->src : NULL);
    loop->loop.id = r->W->nloops++;
    int c = temp(r, "t", r->int_t);
    Stmt *cmp = inst(r, &loop->loop.cond_b, OP_LT, r->int_t, c, from);
    cmp->inst.args[0] = wvar(r, k);
    cmp->inst.args[1] = ir_opd_int(r->m, t->len);
    loop->loop.cond = wvar(r, c);
    Type *et = ir_type_unqual(r->m, t->elem);
    Place *d = ir_place_clone(r->m, dst);
    ir_place_push(r->m, d, PJ_INDEX, wvar(r, k), NULL, et);
    Place *s = NULL;
    if (src) {
      s = ir_place_clone(r->m, src);
      ir_place_push(r->m, s, PJ_INDEX, wvar(r, k), NULL, et);
    }
    move_adjoint(r, &loop->loop.body, d, s, et, from);
    Stmt *inc = inst(r, &loop->loop.step, OP_ADD, r->int_t, k, from);
    inc->inst.args[0] = wvar(r, k);
    inc->inst.args[1] = ir_opd_int(r->m, 1);
    ir_block_push(r->m, out, loop);
  }
}

/* Read the adjoint at place p and reset it to zero: the value it held is dead once
 * the primal instruction that wrote it is undone. Floats only. */
static Operand take_adjoint(Rev *r, Block *out, Place *p, const Stmt *from) {
  Operand v = load(r, out, p, from);
  store(r, out, ir_place_clone(r->m, p), ad_const(p->type, 0), from);
  return v;
}

/* ---- to-be-recorded: which variables the reverse sweep reads ---------------------- */

static bool opd_active(Rev *r, Operand o) {
  return o.kind == OPD_VAR && act_var_active(r->act, r->P, o.var);
}

static void need(bool *into, Operand o) {
  if (o.kind == OPD_VAR)
    into[o.var] = true;
}

static void need_place(Rev *r, bool *into, const Place *p) {
  if (r->P->vars[p->var].type->kind == TY_PTR)
    into[p->var] = true; /* its shadow pointer addresses the adjoint */
  for (int i = 0; i < p->nproj; i++)
    if (p->proj[i].kind == PJ_INDEX)
      need(into, p->proj[i].index);
}

/* Does a struct (or array) type hold a pointer somewhere? */
static bool has_pointer(const Type *t) {
  if (t->kind == TY_PTR)
    return true;
  if (t->kind == TY_ARRAY)
    return has_pointer(t->elem);
  if (t->kind == TY_STRUCT)
    for (int i = 0; i < t->nfields; i++)
      if (has_pointer(t->fields[i].type))
        return true;
  return false;
}

/* Is this instruction's reverse non-trivial (it moves adjoints)? */
static bool inst_active(Rev *r, const Inst *in) {
  const Fn *P = r->P;
  if (in->op == OP_CALL)
    return act_call_active(r->act, P, in) ||
           (in->dst >= 0 && act_var_active(r->act, P, in->dst));
  if (in->op == OP_STORE || in->op == OP_ADDTO)
    return act_place_active(r->act, P, in->place);
  if (in->dst >= 0 && P->vars[in->dst].type->kind != TY_PTR)
    return act_var_active(r->act, P, in->dst);
  return false;
}

/* A store of a pointer (or of a struct holding one) into memory that carries
 * derivatives: the reverse sweep reads the shadow pointer back from memory, so that
 * memory is saved and restored around the store (see inst_stmt). */
static bool pointer_store(Rev *r, const Inst *in) {
  return in->op == OP_STORE && has_pointer(in->place->type) &&
         act_place_active(r->act, r->P, in->place);
}

/* The operands whose adjoints an arithmetic instruction's reverse computes (bit i:
 * args[i]); the pullback reads only what these need (ad_rule_needs). */
static unsigned want_mask(Rev *r, const Inst *in) {
  unsigned m = 0;
  for (int i = 0; i < ir_ops[in->op].arity && i < 3; i++)
    if (opd_active(r, in->args[i]) && in->args[i].type->kind != TY_PTR)
      m |= 1u << i;
  if (in->op == OP_SELECT)
    m &= ~1u;
  return m;
}

/* Marks in `into` the variables the reverse of `in` reads: with their values before
 * `in` (operands, indices, pointers), and with `into_after` the result y, read with
 * its value after `in` (NULL: the same array). */
/* A store into a restored local array (see restorable): saves the element. */
static bool restoring_store(const Rev *r, const Inst *in) {
  return (in->op == OP_STORE || in->op == OP_ADDTO) && in->place && r->restored &&
         r->restored[in->place->var];
}

static void needs_inst(Rev *r, const Inst *in, bool *into, bool *into_after) {
  if (!into_after)
    into_after = into;
  if (pointer_store(r, in) || restoring_store(r, in))
    need_place(r, into, in->place);
  if (!inst_active(r, in) || in->nograd)
    return;
  switch (in->op) {
  case OP_LOAD:
  case OP_STORE:
    need_place(r, into, in->place);
    return;
  case OP_CALL:
    for (int i = 0; i < in->ncall_args; i++)
      need(into, in->call_args[i]);
    return;
  default:
    break;
  }
  if (!ad_rule_exists(in->op))
    return;
  unsigned n = ad_rule_needs(in->op, want_mask(r, in));
  for (int i = 0; i < 3; i++) {
    if (!(n & (1u << i)))
      continue;
    Operand a = in->args[i];
    if (r->remat && a.kind == OPD_VAR && r->remat[a.var])
      need_place(r, into, r->remat[a.var]->inst.place); /* loaded again, see find_remat */
    else
      need(into, a);
  }
  if (n & NEED_Y)
    into_after[in->dst] = true;
}

static void needs_block(Rev *r, const Block *b, int loop_depth) {
  for (int i = 0; i < b->len; i++) {
    const Stmt *s = b->items[i];
    switch (s->kind) {
    case ST_INST:
      needs_inst(r, &s->inst, r->needed, NULL);
      if (s->inst.dst >= 0)
        r->nassign[s->inst.dst] += loop_depth ? 2 : 1;
      break;
    case ST_IF:
      needs_block(r, &s->if_.then_b, loop_depth);
      needs_block(r, &s->if_.else_b, loop_depth);
      break;
    case ST_LOOP:
      needs_block(r, &s->loop.cond_b, loop_depth + 1);
      needs_block(r, &s->loop.body, loop_depth + 1);
      needs_block(r, &s->loop.step, loop_depth + 1);
      break;
    default:
      break;
    }
  }
}

/* ---- loads the reverse sweep repeats instead of taping ------------------------------ *
 *
 * The reverse sweep leaves primal memory as the forward sweep left it. A region that
 * nothing in the function writes (no store, no +=, no non-const pointer passed to a
 * call), and that the caller does not write between g_fwd and g_rev either (its
 * "stable" flag; always so for a parameter of a gradient or VJP, whose reverse sweep
 * follows at once), holds the same values when the reverse sweep runs. A temporary
 * loaded from such memory and read only by pullbacks later in the same block, with
 * the place's pointer and indices unchanged in between, is loaded again where the
 * pullback runs: the tape keeps the (usually integer, often stepped-back) indices
 * instead of the values. */

/* Regions (nvars + 1 bytes) the function may write (w), may write other than by a
 * store or += naming the local array itself (w_other), and may read by a load or
 * through a pointer passed to a call (rd). */
typedef struct RegionUse {
  unsigned char *w, *w_other, *rd, *tmp;
  int *store_depth, *load_depth; /* deepest loop nesting of stores / of reads whose
                                    value a pullback reads (a pointer passed to a
                                    call counts one deeper) */
  int depth;
  bool *rule_reads; /* variables some derivative rule reads */
} RegionUse;

/* Variables a derivative rule could read (every operand wanted). */
static void mark_rule_reads(const Block *b, bool *reads) {
  for (int i = 0; i < b->len; i++) {
    const Stmt *s = b->items[i];
    if (s->kind == ST_IF) {
      mark_rule_reads(&s->if_.then_b, reads);
      mark_rule_reads(&s->if_.else_b, reads);
    } else if (s->kind == ST_LOOP) {
      mark_rule_reads(&s->loop.cond_b, reads);
      mark_rule_reads(&s->loop.body, reads);
      mark_rule_reads(&s->loop.step, reads);
    } else if (s->kind == ST_INST && ad_rule_exists(s->inst.op)) {
      unsigned n = ad_rule_needs(s->inst.op, 7u);
      for (int k = 0; k < 3; k++)
        if ((n & (1u << k)) && s->inst.args[k].kind == OPD_VAR)
          reads[s->inst.args[k].var] = true;
    }
  }
}

static void note_depth(int *at, const unsigned char *regions, int nr, int depth) {
  for (int q = 0; q < nr; q++)
    if (regions[q] && depth > at[q])
      at[q] = depth;
}

static void written_regions(Rev *r, const Block *b, RegionUse *u) {
  const Fn *P = r->P;
  int nr = P->nvars + 1;
  for (int i = 0; i < b->len; i++) {
    const Stmt *s = b->items[i];
    if (s->kind == ST_IF) {
      written_regions(r, &s->if_.then_b, u);
      written_regions(r, &s->if_.else_b, u);
      continue;
    }
    if (s->kind == ST_LOOP) {
      u->depth++;
      written_regions(r, &s->loop.cond_b, u);
      written_regions(r, &s->loop.body, u);
      written_regions(r, &s->loop.step, u);
      u->depth--;
      continue;
    }
    if (s->kind != ST_INST)
      continue;
    const Inst *in = &s->inst;
    if (in->dst >= 0 && P->vars[in->dst].type->kind != TY_PTR &&
        !ir_type_is_float(P->vars[in->dst].type)) {
      /* an aggregate variable assigned whole (copy, load, call result) */
      u->w[in->dst] = 1;
      u->w_other[in->dst] = 1;
    }
    if ((in->op == OP_STORE || in->op == OP_ADDTO) && in->place) {
      act_place_regions(r->act, P, in->place, u->tmp);
      note_depth(u->store_depth, u->tmp, nr, u->depth);
      bool direct = P->vars[in->place->var].type->kind == TY_ARRAY;
      for (int q = 0; q < nr; q++) {
        u->w[q] |= u->tmp[q];
        if (!direct || q != in->place->var)
          u->w_other[q] |= u->tmp[q];
      }
    }
    if (in->op == OP_LOAD && in->place) {
      act_place_regions(r->act, P, in->place, u->tmp);
      if (in->dst >= 0 && u->rule_reads[in->dst])
        note_depth(u->load_depth, u->tmp, nr, u->depth);
      for (int q = 0; q < nr; q++)
        u->rd[q] |= u->tmp[q];
    }
    if (in->op != OP_CALL)
      continue;
    for (int k = 0; k < in->ncall_args; k++) {
      Operand a = in->call_args[k];
      if (a.kind != OPD_VAR || !has_pointer(a.type))
        continue;
      if (a.type->kind != TY_PTR) { /* pointers inside an aggregate: anything */
        memset(u->w, 1, (size_t)nr);
        memset(u->w_other, 1, (size_t)nr);
        return;
      }
      const unsigned char *pts = r->act->points + (size_t)a.var * (size_t)nr;
      const Fn *c = in->callee_fn;
      const Type *pt = c && k < c->nparams ? c->vars[k].type : a.type;
      for (int q = 0; q < nr; q++)
        u->rd[q] |= pts[q];
      note_depth(u->load_depth, pts, nr, u->depth + 1);
      if (pt->kind == TY_PTR && pt->elem && pt->elem->is_const && !has_pointer(pt->elem))
        continue; /* the callee only reads through it */
      for (int q = 0; q < nr; q++) {
        u->w[q] |= pts[q];
        u->w_other[q] |= pts[q];
      }
    }
  }
}

/* A local array of a function that runs both sweeps in one frame (f_grad, f_vjp),
 * written only by stores naming it, and read by loads or callees: each store saves the
 * element it overwrites and the reverse sweep puts it back, so the array holds, at
 * every point of the reverse sweep, what it held at the same point of the forward
 * sweep. Loads from it can then be repeated like loads from unchanging memory. That
 * pays when it is read at least as deep in loops as it is written (GMM's x - mu,
 * written per point and component, read per matrix entry); an accumulator written in
 * a double loop and read once per element after it keeps taping its reads. */
static bool restorable(const Rev *r, int q, const RegionUse *u) {
  const Var *v = &r->P->vars[q];
  return r->mode != REV_SPLIT && q >= r->P->nparams && v->kind != VAR_GLOBAL &&
         v->type->kind == TY_ARRAY && !has_pointer(v->type) && u->w[q] && !u->w_other[q] &&
         u->rd[q] && u->load_depth[q] > 0 && u->load_depth[q] >= u->store_depth[q];
}

static void stable_regions(Rev *r) {
  const Fn *P = r->P;
  int nr = P->nvars + 1;
  RegionUse u = {ARENA_ARRAY(r->m->arena, unsigned char, nr),
                 ARENA_ARRAY(r->m->arena, unsigned char, nr),
                 ARENA_ARRAY(r->m->arena, unsigned char, nr),
                 ARENA_ARRAY(r->m->arena, unsigned char, nr),
                 ARENA_ARRAY(r->m->arena, int, nr),
                 ARENA_ARRAY(r->m->arena, int, nr),
                 0,
                 ARENA_ARRAY(r->m->arena, bool, nr)};
  mark_rule_reads(&P->body, u.rule_reads);
  written_regions(r, &P->body, &u);
  r->stable = ARENA_ARRAY(r->m->arena, bool, nr);
  r->restored = ARENA_ARRAY(r->m->arena, bool, nr);
  /* Arrays f_grad receives may be one array passed twice (docs/guide.md, aliasing):
   * none of them is unchanging if it writes any of them. (A split pair's "stable"
   * flags come from a caller that knows which of its arguments are distinct.) */
  bool params_written = u.w[P->nvars];
  for (int q = 0; q < P->nvars; q++)
    params_written |= u.w[q] && (q < P->nparams || P->vars[q].kind == VAR_GLOBAL);
  for (int q = 0; q < P->nvars; q++) {
    if (restorable(r, q, &u))
      r->stable[q] = r->restored[q] = true;
    if (u.w[q] || P->vars[q].kind == VAR_GLOBAL)
      continue;
    if (q < P->nparams)
      r->stable[q] = r->mode == REV_SPLIT ? r->active_params[P->nparams + q] : !params_written;
    else
      r->stable[q] = P->vars[q].type->kind == TY_ARRAY || P->vars[q].type->kind == TY_STRUCT;
  }
}

/* Is every region the place may lie in stable? */
static bool place_stable(Rev *r, const Place *p) {
  int nr = r->P->nvars + 1;
  unsigned char *tmp = malloc((size_t)nr);
  act_place_regions(r->act, r->P, p, tmp);
  bool ok = true, any = false;
  for (int q = 0; q < nr; q++)
    if (tmp[q]) {
      any = true;
      ok &= q < r->P->nvars && r->stable[q];
    }
  free(tmp);
  return ok && any;
}

typedef struct RematScan {
  int *defs;           /* static assignments per variable */
  const Stmt **def;    /* the (last) assignment */
  const Block **blk;   /* its block */
  int *idx;            /* its index there */
  bool *bad;           /* read somewhere the load cannot be repeated */
} RematScan;

static void remat_defs(const Block *b, RematScan *rs) {
  for (int i = 0; i < b->len; i++) {
    const Stmt *s = b->items[i];
    if (s->kind == ST_IF) {
      remat_defs(&s->if_.then_b, rs);
      remat_defs(&s->if_.else_b, rs);
    } else if (s->kind == ST_LOOP) {
      remat_defs(&s->loop.cond_b, rs);
      remat_defs(&s->loop.body, rs);
      remat_defs(&s->loop.step, rs);
    } else if (s->kind == ST_INST && s->inst.dst >= 0) {
      int v = s->inst.dst;
      rs->defs[v]++;
      rs->def[v] = s;
      rs->blk[v] = b;
      rs->idx[v] = i;
    }
  }
}

static void remat_mark_operand(Operand o, RematScan *rs) {
  if (o.kind == OPD_VAR)
    rs->bad[o.var] = true;
}

static void remat_mark_place(const Place *p, RematScan *rs) {
  if (!p)
    return;
  rs->bad[p->var] = true;
  for (int i = 0; i < p->nproj; i++)
    if (p->proj[i].kind == PJ_INDEX)
      remat_mark_operand(p->proj[i].index, rs);
}

/* A read of candidate t by statement j of block b is fine when t's load is earlier in
 * the same block and nothing in between reassigns the load's pointer or indices. */
static bool remat_read_ok(const RematScan *rs, int t, const Block *b, int j) {
  if (rs->blk[t] != b || rs->idx[t] >= j || rs->def[t]->inst.op != OP_LOAD)
    return false;
  const Place *p = rs->def[t]->inst.place;
  for (int k = rs->idx[t] + 1; k < j; k++) {
    const Stmt *s = b->items[k];
    if (s->kind != ST_INST)
      return false;
    if (s->inst.dst >= 0 && ir_place_names(p, s->inst.dst))
      return false;
    /* memory that only the reverse sweep restores may change in between */
    if (s->inst.op == OP_CALL || s->inst.op == OP_STORE || s->inst.op == OP_ADDTO)
      return false;
  }
  return true;
}

static void remat_uses(Rev *r, const Block *b, RematScan *rs) {
  for (int j = 0; j < b->len; j++) {
    const Stmt *s = b->items[j];
    if (s->kind == ST_IF) {
      remat_mark_operand(s->if_.cond, rs);
      remat_uses(r, &s->if_.then_b, rs);
      remat_uses(r, &s->if_.else_b, rs);
      continue;
    }
    if (s->kind == ST_LOOP) {
      remat_mark_operand(s->loop.cond, rs);
      remat_uses(r, &s->loop.cond_b, rs);
      remat_uses(r, &s->loop.body, rs);
      remat_uses(r, &s->loop.step, rs);
      continue;
    }
    if (s->kind == ST_RETURN) {
      remat_mark_operand(s->value, rs);
      continue;
    }
    if (s->kind != ST_INST)
      continue;
    const Inst *in = &s->inst;
    remat_mark_place(in->place, rs);
    for (int k = 0; k < in->ncall_args; k++)
      remat_mark_operand(in->call_args[k], rs);
    bool arith = ad_rule_exists(in->op);
    bool value_only = in->op == OP_STORE || in->op == OP_ADDTO;
    for (int k = 0; k < 3; k++) {
      Operand o = in->args[k];
      if (o.kind != OPD_VAR)
        continue;
      if (!((arith || (value_only && k == 0)) && remat_read_ok(rs, o.var, b, j)))
        rs->bad[o.var] = true;
    }
  }
}

/* r->remat: temporaries whose pullback reads load their value again (see above). */
static void find_remat(Rev *r) {
  const Fn *P = r->P;
  int nv = P->nvars + 1;
  stable_regions(r);
  RematScan rs = {ARENA_ARRAY(r->m->arena, int, nv), ARENA_ARRAY(r->m->arena, const Stmt *, nv),
                  ARENA_ARRAY(r->m->arena, const Block *, nv), ARENA_ARRAY(r->m->arena, int, nv),
                  ARENA_ARRAY(r->m->arena, bool, nv)};
  remat_defs(&P->body, &rs);
  remat_uses(r, &P->body, &rs);
  r->remat = ARENA_ARRAY(r->m->arena, const Stmt *, nv);
  for (int v = 0; v < P->nvars; v++) {
    const Stmt *d = rs.def[v];
    if (rs.defs[v] != 1 || rs.bad[v] || P->vars[v].kind != VAR_TEMP || P->vars[v].addr_taken ||
        !ir_type_is_float(P->vars[v].type) || d->inst.op != OP_LOAD || d->inst.nograd)
      continue;
    const Place *p = d->inst.place;
    bool ok = place_stable(r, p) && !P->vars[p->var].addr_taken;
    for (int i = 0; ok && i < p->nproj; i++)
      if (p->proj[i].kind == PJ_INDEX && p->proj[i].index.kind == OPD_VAR)
        ok = !P->vars[p->proj[i].index.var].addr_taken;
    if (ok)
      r->remat[v] = d;
  }
}

/* `v = v + c`, `v = c + v` or `v = v - c` on an integer variable with a constant c:
 * its reverse undoes it by arithmetic (`v = v - c`) instead of popping a saved value,
 * so loop counters and running indices cost no tape. Exact for unsigned types; for
 * signed ones the forward step did not overflow, so neither does its inverse. */
static bool invertible_step(const Rev *r, const Inst *in, Op *inv, Operand *c) {
  int v = in->dst;
  const Type *t = v >= 0 ? r->P->vars[v].type : NULL;
  if (!t || t->kind != TY_INT || !strcmp(t->name, "_Bool") || r->P->vars[v].addr_taken ||
      in->type != t || (in->op != OP_ADD && in->op != OP_SUB))
    return false;
  const Operand *a = &in->args[0], *b = &in->args[1];
  if (a->kind == OPD_VAR && a->var == v && b->kind == OPD_INT) {
    *c = *b;
    *inv = in->op == OP_ADD ? OP_SUB : OP_ADD;
    return true;
  }
  if (in->op == OP_ADD && b->kind == OPD_VAR && b->var == v && a->kind == OPD_INT) {
    *c = *a;
    *inv = OP_SUB;
    return true;
  }
  return false;
}

/* ---- which overwrites save the old value (to-be-recorded, flow-sensitive) ---------- *
 *
 * A variable's old value is saved at an assignment only if the reverse sweep of some
 * statement executed earlier reads that value: a forward dataflow of the set R of
 * "values the reverse will read", generated by each statement's needs (needs_inst),
 * killed by an assignment (whose restore then brings the old value back), joined at
 * if/else and iterated to a fixpoint around loops. An accumulator `s = s + t` read
 * only after its loop is then never saved inside the loop. Variables whose address
 * is taken (written through pointers) keep the flow-insensitive rule. */
typedef struct SaveSet {
  const Stmt **slot; /* open addressing; NULL is empty */
  int cap;           /* a power of two */
} SaveSet;

static unsigned stmt_hash(const Stmt *s) {
  uintptr_t u = (uintptr_t)s;
  return (unsigned)((u >> 4) ^ (u >> 17)) * 2654435761u;
}

static bool saveset_has(const SaveSet *ss, const Stmt *s) {
  for (unsigned i = stmt_hash(s) & (unsigned)(ss->cap - 1);; i = (i + 1) & (unsigned)(ss->cap - 1)) {
    if (ss->slot[i] == s)
      return true;
    if (!ss->slot[i])
      return false;
  }
}

static void saveset_add(Rev *r, SaveSet *ss, const Stmt *s, int *count) {
  if (saveset_has(ss, s))
    return;
  if (2 * (*count + 1) > ss->cap) {
    SaveSet bigger = {ARENA_ARRAY(r->m->arena, const Stmt *, ss->cap * 2), ss->cap * 2};
    for (int i = 0; i < ss->cap; i++)
      if (ss->slot[i]) {
        int dummy = 0;
        saveset_add(r, &bigger, ss->slot[i], &dummy);
      }
    *ss = bigger;
  }
  unsigned i = stmt_hash(s) & (unsigned)(ss->cap - 1);
  while (ss->slot[i])
    i = (i + 1) & (unsigned)(ss->cap - 1);
  ss->slot[i] = s;
  (*count)++;
}

typedef struct Tbr {
  Rev *r;
  SaveSet saves;
  int nsaves;
  int nv;
  bool *after; /* scratch for needs_inst's result marks */
} Tbr;

static void tbr_block(Tbr *t, const Block *b, bool *R);

static void tbr_inst(Tbr *t, const Stmt *s, bool *R) {
  Rev *r = t->r;
  const Inst *in = &s->inst;
  int v = in->dst;
  needs_inst(r, in, R, t->after); /* the result is handled below, after the kill */
  if (v >= 0) {
    bool saved = R[v];
    if (saved)
      saveset_add(r, &t->saves, s, &t->nsaves);
    R[v] = false;
    /* an inverted step (`i = i + 1` undone by `i = i - 1`) reads the new value */
    Op inv;
    Operand c;
    if (saved && invertible_step(r, in, &inv, &c))
      R[v] = true;
    /* the result, when the rule reads it, is read with its new value */
    if (inst_active(r, in) && !in->nograd && ad_rule_exists(in->op) &&
        (ad_rule_needs(in->op, want_mask(r, in)) & NEED_Y))
      R[v] = true;
  }
}

static bool tbr_union(bool *into, const bool *from, int n) {
  bool changed = false;
  for (int i = 0; i < n; i++)
    if (from[i] && !into[i])
      into[i] = changed = true;
  return changed;
}

static void tbr_block(Tbr *t, const Block *b, bool *R) {
  int n = t->nv;
  for (int i = 0; i < b->len; i++) {
    const Stmt *s = b->items[i];
    if (s->kind == ST_INST) {
      tbr_inst(t, s, R);
    } else if (s->kind == ST_IF) {
      bool *e = malloc(sizeof(bool) * (size_t)n);
      memcpy(e, R, sizeof(bool) * (size_t)n);
      tbr_block(t, &s->if_.then_b, R);
      tbr_block(t, &s->if_.else_b, e);
      tbr_union(R, e, n);
      free(e);
    } else if (s->kind == ST_LOOP) {
      /* head = entry ∪ back edge; the loop leaves after cond_b */
      bool *head = malloc(sizeof(bool) * (size_t)n), *x = malloc(sizeof(bool) * (size_t)n);
      memcpy(head, R, sizeof(bool) * (size_t)n);
      for (;;) {
        memcpy(x, head, sizeof(bool) * (size_t)n);
        if (!s->loop.test_after)
          tbr_block(t, &s->loop.cond_b, x);
        memcpy(R, x, sizeof(bool) * (size_t)n); /* exit state (while/for) */
        tbr_block(t, &s->loop.body, x);
        tbr_block(t, &s->loop.step, x);
        if (s->loop.test_after) {
          tbr_block(t, &s->loop.cond_b, x);
          memcpy(R, x, sizeof(bool) * (size_t)n);
        }
        if (!tbr_union(head, x, n))
          break;
      }
      free(head);
      free(x);
    }
  }
}

/* The assignments that must save the value they overwrite. */
static SaveSet tbr_saves(Rev *r) {
  Tbr t = {r, {ARENA_ARRAY(r->m->arena, const Stmt *, 64), 64}, 0, r->P->nvars + 1, NULL};
  t.after = ARENA_ARRAY(r->m->arena, bool, t.nv);
  bool *R = ARENA_ARRAY(r->m->arena, bool, t.nv);
  tbr_block(&t, &r->P->body, R);
  return t.saves;
}

/* ---- forward sweep and reverse sweep, statement by statement ----------------------- */

static void stmt(Rev *r, const Stmt *s, Block *fwd, Block *rev);

static void block(Rev *r, const Block *b, Block *fwd, Block *rev) {
  Block *revs = malloc(sizeof(Block) * (size_t)(b->len ? b->len : 1));
  for (int i = 0; i < b->len; i++) {
    revs[i] = (Block){0};
    stmt(r, b->items[i], fwd, &revs[i]);
  }
  for (int i = b->len - 1; i >= 0; i--)
    append(r, rev, &revs[i]);
  free(revs);
}

/* Does a store or call write memory a needed address-taken variable may live in? */
static bool writes_through_pointer(const Inst *in) {
  if (in->op == OP_CALL)
    return true;
  if (in->op != OP_STORE)
    return false;
  for (int i = 0; i < in->place->nproj; i++)
    if (in->place->proj[i].kind == PJ_DEREF || in->place->proj[i].kind == PJ_INDEX)
      return true;
  return false;
}

/* Forward-sweep shadow of an instruction that writes an active pointer variable:
 * the same pointer computation on shadows (d_p = d_w + k, d_p = &d_s.x). */
static void shadow_pointer(Rev *r, const Stmt *s, Block *fwd) {
  const Inst *in = &s->inst;
  Place *dst = r->shadow[in->dst];
  if (!dst)
    return;
  Type *t = r->W->vars[dst->var].type;
  Stmt *n = inst(r, fwd, in->op, t, dst->var, s);
  switch (in->op) {
  case OP_ADDR:
  case OP_LOAD: {
    Place *sp = splace(r, in->place);
    if (!sp) {
      diag_error(s->loc, "differentiate with respect to the memory it points into",
                 "pointer into memory that carries no derivative");
      return;
    }
    n->inst.place = sp;
    Type *natural = in->op == OP_LOAD ? sp->type : ir_type_ptr(r->m, sp->type);
    if (natural != t) {
      /* a shadow pointer read from (or pointing at) memory declared `const T *`:
       * adjoints are written through it, so it is converted to the shadow's type */
      int tmp = temp(r, "p", natural);
      n->inst.dst = tmp;
      n->inst.type = natural;
      Stmt *c = inst(r, fwd, OP_CAST, t, dst->var, s);
      c->inst.args[0] = wvar(r, tmp);
    }
    return;
  }
  default:
    for (int i = 0; i < ir_ops[in->op].arity; i++) {
      Operand o = in->args[i];
      if (o.kind == OPD_VAR && r->P->vars[o.var].type->kind == TY_PTR) {
        Place *sh = r->shadow[o.var];
        if (!sh || sh->nproj) {
          diag_error(s->loc, "adjc needs every pointer it differentiates through to point into "
                             "differentiated memory; list the array in the request",
                     "pointer '%s' may point into memory that carries no derivative",
                     r->P->vars[o.var].name);
          n->inst.args[i] = mo(r, o);
          continue;
        }
        n->inst.args[i] = wvar(r, sh->var);
      } else {
        n->inst.args[i] = mo(r, o);
      }
    }
    return;
  }
}

/* `place = p` with p a pointer into active memory: the shadow memory gets the shadow
 * pointer (`d_rows[r] = d_p`), so a pointer loaded back from it has a shadow. In a
 * split function the shadow of a local aggregate lives in g_fwd's frame only, so
 * there this is refused rather than lost. */
static void store_shadow_pointer(Rev *r, const Stmt *s, Block *fwd) {
  const Inst *in = &s->inst;
  int pv = in->args[0].var;
  Place *sp = splace(r, in->place);
  Place *sh = r->shadow[pv];
  int root = in->place->var;
  bool local_memory = r->P->vars[root].type->kind != TY_PTR && root >= r->P->nparams;
  if (!sp || !sh || sh->nproj || (r->mode == REV_SPLIT && local_memory)) {
    diag_error(s->loc, "index the array directly, or pass the pointer as a parameter",
               "a pointer into differentiated memory is stored into '%s'; adjc supports this "
               "only for memory of the differentiated function itself",
               r->P->vars[root].name);
    return;
  }
  Stmt *st = inst(r, fwd, OP_STORE, sp->type, -1, s);
  st->inst.place = sp;
  st->inst.args[0] = wvar(r, sh->var);
}

/* Reverse of a call to a function of the file (split pair) or a custom pullback. */
static void call_stmt(Rev *r, const Stmt *s, Block *fwd, Block *rev);

static void inst_stmt(Rev *r, const Stmt *s, Block *fwd, Block *rev) {
  const Inst *in = &s->inst;
  const Fn *P = r->P;
  int v = in->dst;
  bool save = v >= 0 && r->pushed[v] && r->first_def[v] != s &&
              (r->P->vars[v].addr_taken || saveset_has(r->saves, s));
  Op inv_op = OP_ADD;
  Operand inv_c = none;
  bool invert = save && invertible_step(r, in, &inv_op, &inv_c);
  if (invert)
    save = false;
  bool save_addr = r->has_addr_needed && writes_through_pointer(in);

  /* forward: save what is overwritten, then the primal instruction */
  if (save)
    save_var(r, fwd, v, s);
  if (save_addr)
    for (int pv = 0; pv < P->nvars; pv++)
      if (P->vars[pv].addr_taken && r->needed[pv])
        save_var(r, fwd, pv, s);
  /* a pointer stored into memory: save the memory's old value (and its shadow's) */
  Place *mem = NULL, *smem = NULL;
  int old = -1, sold = -1;
  if (restoring_store(r, in)) { /* the element it overwrites, for the reverse sweep */
    mem = mplace(r, in->place);
    old = temp(r, "saved", mem->type);
    Stmt *l = inst(r, fwd, OP_LOAD, mem->type, old, s);
    l->inst.place = mem;
    push(r, fwd, old, s);
  } else if (pointer_store(r, in)) {
    mem = mplace(r, in->place);
    smem = splace(r, in->place);
    old = temp(r, "saved", mem->type);
    Stmt *l = inst(r, fwd, OP_LOAD, mem->type, old, s);
    l->inst.place = mem;
    push(r, fwd, old, s);
    if (smem) {
      sold = temp(r, "saved", smem->type);
      Stmt *l2 = inst(r, fwd, OP_LOAD, smem->type, sold, s);
      l2->inst.place = smem;
      push(r, fwd, sold, s);
    }
  }
  Block call_rev = {0};
  if (in->op == OP_CALL) {
    call_stmt(r, s, fwd, &call_rev);
  } else {
    Stmt *c = ir_inst_new(r->m, in->op, in->type, v >= 0 ? r->vmap[v] : -1, s->loc, s->src);
    c->inst = *in;
    c->inst.dst = v >= 0 ? r->vmap[v] : -1;
    for (int i = 0; i < 3; i++)
      c->inst.args[i] = mo(r, in->args[i]);
    if (in->place)
      c->inst.place = mplace(r, in->place);
    ir_block_push(r->m, fwd, c);
    if (v >= 0 && P->vars[v].type->kind == TY_PTR && act_var_active(r->act, P, v))
      shadow_pointer(r, s, fwd);
    if (in->op == OP_STORE && in->args[0].kind == OPD_VAR &&
        P->vars[in->args[0].var].type->kind == TY_PTR && act_var_active(r->act, P, in->args[0].var))
      store_shadow_pointer(r, s, fwd);
    if (in->op == OP_STORE && in->args[0].kind == OPD_VAR && has_pointer(in->place->type) &&
        in->place->type->kind != TY_PTR && r->shadow[in->args[0].var] &&
        r->shadow[in->args[0].var]->nproj == 0 && act_place_active(r->act, P, in->place)) {
      /* an aggregate holding pointers stored into memory: its shadow goes along */
      Place *sp = splace(r, in->place);
      if (sp) {
        Stmt *st = inst(r, fwd, OP_STORE, sp->type, -1, s);
        st->inst.place = sp;
        st->inst.args[0] = wvar(r, r->shadow[in->args[0].var]->var);
      }
    }
    if (v >= 0 && in->op == OP_LOAD && has_pointer(P->vars[v].type) &&
        P->vars[v].type->kind != TY_PTR && r->shadow[v] && r->shadow[v]->nproj == 0) {
      Place *sp = splace(r, in->place);
      if (sp) {
        Stmt *ld = inst(r, fwd, OP_LOAD, sp->type, r->shadow[v]->var, s);
        ld->inst.place = sp;
      }
    }
    if (v >= 0 && in->op == OP_MOV && P->vars[v].type->kind == TY_STRUCT &&
        has_pointer(P->vars[v].type) && in->args[0].kind == OPD_VAR && r->shadow[v] &&
        r->shadow[in->args[0].var]) {
      /* a struct holding pointers is copied: its shadow (holding the shadow pointers,
       * and zero adjoints during the forward sweep) is copied too */
      Place *dst = ir_place_clone(r->m, r->shadow[v]);
      Stmt *ld = inst(r, fwd, OP_LOAD, dst->type, -1, s);
      int tmp = temp(r, "s", dst->type);
      ld->inst.dst = tmp;
      ld->inst.place = ir_place_clone(r->m, r->shadow[in->args[0].var]);
      Stmt *st = inst(r, fwd, OP_STORE, dst->type, -1, s);
      st->inst.place = dst;
      st->inst.args[0] = wvar(r, tmp);
    }
  }

  /* reverse: keep y if the rule needs it, restore, then move adjoints */
  Operand y = v >= 0 ? wvar(r, r->vmap[v]) : none;
  if (save && v >= 0 && ad_rule_exists(in->op) && (ad_rule_needs(in->op, want_mask(r, in)) & NEED_Y) &&
      inst_active(r, in)) {
    int keep = temp(r, "y", r->W->vars[r->vmap[v]].type);
    Stmt *k = inst(r, rev, OP_MOV, r->W->vars[keep].type, keep, s);
    k->inst.args[0] = y;
    y = wvar(r, keep);
  }
  /* A call's values were saved before the callee's forward sweep pushed its own, so
   * they are restored after the callee's reverse sweep popped them. (The frontend
   * gives calls a fresh result variable, never one of the arguments, so the callee's
   * reverse still sees the arguments as they were.) */
  if (in->op == OP_CALL)
    append(r, rev, &call_rev);
  if (mem) {
    if (smem) {
      int t2 = temp(r, "saved", smem->type);
      pop(r, rev, t2, s);
      Stmt *w2 = inst(r, rev, OP_STORE, smem->type, -1, s);
      w2->inst.place = ir_place_clone(r->m, smem);
      w2->inst.args[0] = wvar(r, t2);
    }
    int t1 = temp(r, "saved", mem->type);
    pop(r, rev, t1, s);
    Stmt *w1 = inst(r, rev, OP_STORE, mem->type, -1, s);
    w1->inst.place = ir_place_clone(r->m, mem);
    w1->inst.args[0] = wvar(r, t1);
    (void)old;
    (void)sold;
  }
  if (save)
    restore_var(r, rev, v, s);
  if (invert) {
    Stmt *u = inst(r, rev, inv_op, r->W->vars[r->vmap[v]].type, r->vmap[v], s);
    u->inst.args[0] = wvar(r, r->vmap[v]);
    u->inst.args[1] = inv_c;
  }
  if (save_addr)
    for (int pv = P->nvars - 1; pv >= 0; pv--)
      if (P->vars[pv].addr_taken && r->needed[pv])
        restore_var(r, rev, pv, s);
  if (in->op == OP_CALL || !inst_active(r, in))
    return;

  if (in->op == OP_ADDTO) { /* place += a: da += d_place; d_place keeps its value */
    Place *sp = splace(r, in->place);
    Operand a = in->args[0];
    if (sp && !in->nograd && opd_active(r, a) && a.kind == OPD_VAR && ir_type_is_float(sp->type))
      addto(r, rev, svar(r, a.var), load(r, rev, sp, s), s);
    return;
  }
  if (in->op == OP_STORE) {
    Place *sp = splace(r, in->place);
    if (!sp) {
      diag_error(s->loc, "list the array in the request, or wrap the value in adj_stop_gradient()",
                 "value with a derivative is stored into '%s', which carries none",
                 P->vars[in->place->var].name);
      return;
    }
    Operand a = in->args[0];
    Place *src = NULL;
    if (!in->nograd && opd_active(r, a) && a.kind == OPD_VAR)
      src = svar(r, a.var);
    if (ir_type_is_float(sp->type)) {
      Operand d = take_adjoint(r, rev, sp, s);
      if (src)
        addto(r, rev, src, d, s);
    } else {
      move_adjoint(r, rev, sp, src, sp->type, s);
    }
    return;
  }

  Place *dp = svar(r, v);
  if (!dp) {
    if (P->vars[v].kind == VAR_GLOBAL)
      diag_error(s->loc, "keep values with derivatives in locals and parameters, or wrap the "
                         "value in adj_stop_gradient()",
                 "a value with a derivative is stored into the global '%s'", P->vars[v].name);
    return;
  }
  Type *t = r->W->vars[r->vmap[v]].type;
  if (!ir_type_is_float(t)) {
    /* aggregate copy: mov of a struct, or a load of one */
    Place *src = NULL;
    if (!in->nograd && in->op == OP_MOV && opd_active(r, in->args[0]))
      src = svar(r, in->args[0].var);
    if (!in->nograd && in->op == OP_LOAD)
      src = splace(r, in->place);
    move_adjoint(r, rev, dp, src, t, s);
    return;
  }
  Operand dy = take_adjoint(r, rev, dp, s);
  if (in->nograd || in->op == OP_STOPGRAD)
    return;
  if (in->op == OP_LOAD) {
    Place *sp = splace(r, in->place);
    if (sp)
      addto(r, rev, sp, dy, s);
    return;
  }
  if (!ad_rule_exists(in->op))
    return;
  bool want[3] = {false, false, false};
  Operand args[3];
  unsigned wm = want_mask(r, in);
  unsigned needs = ad_rule_needs(in->op, wm);
  for (int i = 0; i < 3; i++) {
    args[i] = mo(r, in->args[i]);
    want[i] = wm & (1u << i);
    const Operand a = in->args[i];
    if ((needs & (1u << i)) && a.kind == OPD_VAR && r->remat[a.var]) {
      const Inst *ld = &r->remat[a.var]->inst; /* the value, loaded again */
      args[i] = load(r, rev, mplace(r, ld->place), s);
    }
  }
  /* one operand at a time, each contribution added as soon as it is computed */
  RuleCtx rc = rctx(r, rev, s);
  for (int i = 0; i < 3; i++) {
    if (!want[i])
      continue;
    bool one[3] = {i == 0, i == 1, i == 2};
    Operand contrib[3];
    ad_pullback(&rc, in->op, t, args, y, dy, one, contrib);
    if (contrib[i].kind != OPD_NONE)
      addto(r, rev, svar(r, in->args[i].var), contrib[i], s);
  }
}

/* The address of an adjoint place, as an operand (`&d_a`, or `d_x` for `*d_x`). */
static Operand adjoint_addr(Rev *r, Block *out, Place *p, const Stmt *from) {
  if (p->nproj == 1 && p->proj[0].kind == PJ_DEREF)
    return wvar(r, p->var);
  int t = temp(r, "p", ir_type_ptr(r->m, p->type));
  Stmt *a = inst(r, out, OP_ADDR, r->W->vars[t].type, t, from);
  a->inst.place = p;
  return wvar(r, t);
}

/* Is call argument i active for the callee (an active value, or a pointer into
 * active memory)? */
static bool arg_active(Rev *r, const Inst *in, int i) {
  return opd_active(r, in->call_args[i]);
}

static Type *shadow_elem(Rev *r, Type *t) {
  return ir_type_unqual(r->m, t->kind == TY_PTR ? t->elem : t);
}

/* The adjoint argument for active call argument a: the shadow pointer of a
 * pointer, the address of a scalar's or struct's adjoint. */
static Operand call_adjoint_arg(Rev *r, Block *out, Operand a, const Stmt *s) {
  if (a.type->kind == TY_PTR)
    return wvar(r, r->shadow[a.var]->var);
  return adjoint_addr(r, out, svar(r, a.var), s);
}

/* Arguments of g_fwd / g_rev: each argument, then its adjoint when active, then the
 * tape, then (g_rev of a float function) dy. */
static Operand *split_args(Rev *r, Block *out, const Inst *in, const bool *act, const Stmt *s,
                           int *nout, bool with_dy, Operand dy) {
  Operand *args = ARENA_ARRAY(r->m->arena, Operand, 2 * in->ncall_args + 2);
  int k = 0;
  for (int i = 0; i < in->ncall_args; i++) {
    args[k++] = mo(r, in->call_args[i]);
    if (act[i])
      args[k++] = call_adjoint_arg(r, out, in->call_args[i], s);
  }
  args[k++] = wvar(r, r->tape);
  if (with_dy && dy.kind != OPD_NONE)
    args[k++] = dy;
  *nout = k;
  return args;
}

static void call_stmt(Rev *r, const Stmt *s, Block *fwd, Block *rev) {
  const Inst *in = &s->inst;
  const Fn *P = r->P;
  Fn *callee = in->callee_fn;
  int v = in->dst;
  for (int i = 0; i < in->ncall_args; i++)
    ensure(!(v >= 0 && in->call_args[i].kind == OPD_VAR && in->call_args[i].var == v));
  int wdst = v >= 0 ? r->vmap[v] : -1;
  bool active = inst_active(r, in) && !in->nograd && !(callee && callee->inactive);
  bool dst_active = v >= 0 && act_var_active(r->act, P, v) && !in->nograd;

  /* inactive call: the primal call in the forward sweep, nothing in reverse */
  Stmt *c = ir_inst_new(r->m, OP_CALL, in->type, wdst, s->loc, s->src);
  c->inst = *in;
  c->inst.dst = wdst;
  c->inst.call_args = ARENA_ARRAY(r->m->arena, Operand, in->ncall_args + 1);
  for (int i = 0; i < in->ncall_args; i++)
    c->inst.call_args[i] = mo(r, in->call_args[i]);
  if (!active) {
    ir_block_push(r->m, fwd, c);
    if (dst_active)
      take_adjoint(r, rev, svar(r, v), s);
    return;
  }
  if (v >= 0 && !ir_type_is_float(P->vars[v].type) && P->vars[v].type->kind != TY_VOID &&
      ir_type_has_float(P->vars[v].type)) {
    diag_error(s->loc, "return the value through a pointer parameter instead",
               "call to '%s' returns a struct or pointer that carries a derivative; not supported",
               in->callee);
    return;
  }
  int n = in->ncall_args;
  bool *act = ARENA_ARRAY(r->m->arena, bool, n + 1);
  for (int i = 0; i < n; i++)
    act[i] = arg_active(r, in, i);

  bool custom = callee && callee->custom_pullback;
  if (!callee || (!callee->has_body && !custom)) {
    diag_error(s->loc, "define it in this file, give it a derivative with ADJ_CUSTOM_GRAD(pullback), "
                       "or mark it ADJ_INACTIVE",
               "cannot differentiate the call to '%s': it has no body and no derivative rule",
               in->callee);
    return;
  }
  for (int i = 0; i < n; i++) {
    Operand a = in->call_args[i];
    if (act[i] && a.type->kind == TY_PTR && (!r->shadow[a.var] || r->shadow[a.var]->nproj)) {
      diag_error(s->loc, "list the array in the request",
                 "pointer '%s' passed to '%s' points into memory that carries no derivative",
                 P->vars[a.var].name, in->callee);
      return;
    }
  }

  if (custom) {
    /* forward: the primal call; reverse: pullback(args, adjoints, d_ret) */
    ir_block_push(r->m, fwd, c);
    int k = 0;
    Operand *rargs = ARENA_ARRAY(r->m->arena, Operand, 2 * n + 2);
    for (int i = 0; i < n; i++) {
      Operand a = in->call_args[i];
      rargs[k++] = mo(r, a);
      if (!ir_type_has_float(a.type))
        continue;
      if (act[i])
        rargs[k++] = call_adjoint_arg(r, rev, a, s);
      else /* no derivative wanted for it: a null adjoint pointer */
        rargs[k++] = ir_opd_int_typed(ir_type_ptr(r->m, shadow_elem(r, a.type)), 0);
    }
    if (ir_type_is_float(callee->ret))
      rargs[k++] = dst_active ? take_adjoint(r, rev, svar(r, v), s) : ad_const(callee->ret, 0);
    Stmt *b = inst(r, rev, OP_CALL, ir_type_void(r->m), -1, s);
    b->inst.callee = callee->custom_pullback;
    b->inst.call_args = rargs;
    b->inst.ncall_args = k;
    return;
  }

  bool *pact = ARENA_ARRAY(r->m->arena, bool, callee->nparams + 1);
  bool *pstable = ARENA_ARRAY(r->m->arena, bool, callee->nparams + 1);
  for (int i = 0; i < callee->nparams && i < n; i++) {
    pact[i] = act[i];
    /* memory behind a pointer argument that stays as it is until the reverse sweep */
    Operand a = in->call_args[i];
    if (a.kind == OPD_VAR && a.type->kind == TY_PTR) {
      Place *whole = ir_place_new(r->m, a.var, a.type);
      pstable[i] = place_stable(r, whole);
    }
  }
  RevFns pair = ad_split_for(r->ad, callee, pact, pstable);

  /* forward: y = g_fwd(args with adjoints, tape) */
  Stmt *f = ir_inst_new(r->m, OP_CALL, in->type, wdst, s->loc, s->src);
  f->inst.callee = pair.fwd->name;
  f->inst.callee_fn = pair.fwd;
  f->inst.call_args = split_args(r, fwd, in, act, s, &f->inst.ncall_args, false, none);
  ir_block_push(r->m, fwd, f);

  /* reverse: g_rev(args with adjoints, tape, dy) */
  Operand dy = none;
  if (ir_type_is_float(callee->ret))
    dy = dst_active ? take_adjoint(r, rev, svar(r, v), s) : ad_const(callee->ret, 0);
  int nargs = 0;
  Operand *args = split_args(r, rev, in, act, s, &nargs, true, dy); /* before the call */
  Stmt *b = inst(r, rev, OP_CALL, ir_type_void(r->m), -1, s);
  b->inst.callee = pair.rev->name;
  b->inst.callee_fn = pair.rev;
  b->inst.call_args = args;
  b->inst.ncall_args = nargs;
}

/* The decision of an `if` as a 0/1 variable of W: the condition itself when it is a
 * temporary integer (assigned once, before the `if`), else a copy `cond != 0`. It is
 * pushed after the `if` has run, above whatever the branch pushed, so the reverse
 * sweep pops it first and knows which branch to replay. */
static int decision(Rev *r, Block *fwd, Operand cond, const Stmt *s) {
  if (cond.kind == OPD_VAR && cond.type->kind == TY_INT && r->P->vars[cond.var].kind == VAR_TEMP)
    return r->vmap[cond.var];
  int b = temp(r, "branch", r->int_t);
  Stmt *c = inst(r, fwd, OP_NE, r->int_t, b, s);
  c->inst.args[0] = mo(r, cond);
  if (cond.type && ir_type_is_float(cond.type))
    c->inst.args[1] = ad_const(cond.type, 0);
  else if (cond.type && cond.type->kind == TY_PTR)
    c->inst.args[1] = ir_opd_int_typed(cond.type, 0);
  else
    c->inst.args[1] = ir_opd_int(r->m, 0);
  return b;
}

static void if_stmt(Rev *r, const Stmt *s, Block *fwd, Block *rev) {
  Stmt *f = ir_stmt_new(r->m, ST_IF, s->loc, s->src);
  Block rt = {0}, re = {0};
  block(r, &s->if_.then_b, &f->if_.then_b, &rt);
  block(r, &s->if_.else_b, &f->if_.else_b, &re);
  if (!rt.len && !re.len) {
    f->if_.cond = mo(r, s->if_.cond);
    ir_block_push(r->m, fwd, f);
    return;
  }
  int b = decision(r, fwd, s->if_.cond, s);
  f->if_.cond = wvar(r, b);
  ir_block_push(r->m, fwd, f);
  push(r, fwd, b, s);
  int rb = temp(r, "branch", r->int_t);
  pop(r, rev, rb, s);
  Stmt *g = ir_stmt_new(r->m, ST_IF, s->loc, s->src);
  g->if_.cond = wvar(r, rb);
  g->if_.then_b = rt;
  g->if_.else_b = re;
  ir_block_push(r->m, rev, g);
}

static void count_up(Rev *r, Block *b, int n, const Stmt *s) {
  Stmt *inc = inst(r, b, OP_ADD, r->long_t, n, s);
  inc->inst.args[0] = wvar(r, n);
  inc->inst.args[1] = ir_opd_int_typed(r->long_t, 1);
}

/* Forward: the loop as it was, counting iterations, then push the count.
 * Reverse: pop the count and replay the parts backwards that many times:
 *   test-first: rev(cond); n × { rev(step); rev(body); rev(cond) }
 *   test-after: n × { rev(cond); rev(step); rev(body) } */
static void loop_stmt(Rev *r, const Stmt *s, Block *fwd, Block *rev) {
  const Loop *l = &s->loop;
  Stmt *f = ir_stmt_new(r->m, ST_LOOP, s->loc, s->src);
  f->loop.id = r->W->nloops++;
  f->loop.test_after = l->test_after;
  Block rc = {0}, rb = {0}, rs = {0}, body = {0};
  block(r, &l->cond_b, &f->loop.cond_b, &rc);
  f->loop.cond = mo(r, l->cond);
  block(r, &l->body, &body, &rb);
  block(r, &l->step, &f->loop.step, &rs);
  bool replay = rc.len || rb.len || rs.len;
  int n = temp(r, "n", r->long_t);
  if (replay && l->test_after)
    count_up(r, &f->loop.body, n, s);
  append(r, &f->loop.body, &body);
  if (replay && !l->test_after)
    count_up(r, &f->loop.step, n, s);
  if (replay) {
    Stmt *z = inst(r, fwd, OP_MOV, r->long_t, n, s);
    z->inst.args[0] = ir_opd_int_typed(r->long_t, 0);
  }
  ir_block_push(r->m, fwd, f);
  if (!replay)
    return;
  push(r, fwd, n, s);

  int k = temp(r, "n", r->long_t);
  pop(r, rev, k, s);
  if (!l->test_after)
    append(r, rev, &rc); /* the last, failing test */
  Stmt *b = ir_stmt_new(r->m, ST_LOOP, s->loc, s->src);
  b->loop.id = r->W->nloops++;
  int c = temp(r, "t", r->int_t);
  Stmt *t = inst(r, &b->loop.cond_b, OP_GT, r->int_t, c, s);
  t->inst.args[0] = wvar(r, k);
  t->inst.args[1] = ir_opd_int_typed(r->long_t, 0);
  b->loop.cond = wvar(r, c);
  if (l->test_after)
    append(r, &b->loop.body, &rc);
  append(r, &b->loop.body, &rs);
  append(r, &b->loop.body, &rb);
  if (!l->test_after)
    append(r, &b->loop.body, &rc); /* statements may be shared between blocks */
  Stmt *dec = inst(r, &b->loop.step, OP_SUB, r->long_t, k, s);
  dec->inst.args[0] = wvar(r, k);
  dec->inst.args[1] = ir_opd_int_typed(r->long_t, 1);
  ir_block_push(r->m, rev, b);
}

static void stmt(Rev *r, const Stmt *s, Block *fwd, Block *rev) {
  switch (s->kind) {
  case ST_INST:
    inst_stmt(r, s, fwd, rev);
    return;
  case ST_IF:
    if_stmt(r, s, fwd, rev);
    return;
  case ST_LOOP:
    loop_stmt(r, s, fwd, rev);
    return;
  case ST_RETURN: /* only the final return survives structurize; handled by caller */
    return;
  case ST_BREAK:
  case ST_CONTINUE:
    unreachable(); /* structurize removed them */
  }
}

/* Label the reverse sweep's statements "adjoint of: <source>" for the emitted
 * comments (statements shared between blocks are labelled once). */
static void label_adjoint(Rev *r, Block *b) {
  for (int i = 0; i < b->len; i++) {
    Stmt *s = b->items[i];
    if (s->src && !str_starts(s->src, "adjoint of: ")) {
      const char *prev = i > 0 ? b->items[i - 1]->src : NULL;
      /* consecutive statements of one source statement share one label string */
      if (prev && str_starts(prev, "adjoint of: ") && strcmp(prev + 12, s->src) == 0)
        s->src = prev;
      else
        s->src = arena_printf(r->m->arena, "adjoint of: %s", s->src);
    }
    if (s->kind == ST_IF) {
      label_adjoint(r, &s->if_.then_b);
      label_adjoint(r, &s->if_.else_b);
    } else if (s->kind == ST_LOOP) {
      label_adjoint(r, &s->loop.cond_b);
      label_adjoint(r, &s->loop.body);
      label_adjoint(r, &s->loop.step);
    }
  }
}

/* ---- folding adjoints of temporaries ------------------------------------------------ */

/* Count the references to each variable of W (operands, place roots, indices). */
static void count_refs(const Block *b, int *refs) {
  for (int i = 0; i < b->len; i++) {
    const Stmt *s = b->items[i];
    switch (s->kind) {
    case ST_INST: {
      const Inst *in = &s->inst;
      for (int k = 0; k < ir_ops[in->op].arity && k < 3; k++)
        if (in->args[k].kind == OPD_VAR)
          refs[in->args[k].var]++;
      for (int k = 0; k < in->ncall_args; k++)
        if (in->call_args[k].kind == OPD_VAR)
          refs[in->call_args[k].var]++;
      if (in->place) {
        refs[in->place->var]++;
        for (int k = 0; k < in->place->nproj; k++)
          if (in->place->proj[k].kind == PJ_INDEX && in->place->proj[k].index.kind == OPD_VAR)
            refs[in->place->proj[k].index.var]++;
      }
      if (in->dst >= 0)
        refs[in->dst]++;
      break;
    }
    case ST_IF:
      if (s->if_.cond.kind == OPD_VAR)
        refs[s->if_.cond.var]++;
      count_refs(&s->if_.then_b, refs);
      count_refs(&s->if_.else_b, refs);
      break;
    case ST_LOOP:
      count_refs(&s->loop.cond_b, refs);
      if (s->loop.cond.kind == OPD_VAR)
        refs[s->loop.cond.var]++;
      count_refs(&s->loop.body, refs);
      count_refs(&s->loop.step, refs);
      break;
    case ST_RETURN:
      if (s->value.kind == OPD_VAR)
        refs[s->value.var]++;
      break;
    default:
      break;
    }
  }
}

static bool is_var_place(const Inst *in, Op op, int v) {
  return in->op == op && in->place && in->place->nproj == 0 && in->place->var == v;
}

/*
 * An adjoint variable referenced exactly three times, in one block, as
 *     d_t += c;  ...  x = d_t;  d_t = 0;
 * (nothing else touching it) holds c when it is read: the pattern is rewritten to
 * `x = c`. This removes the adjoint storage of expression temporaries, whose adjoint
 * has one contribution and one reader, and makes the reverse sweep read like the
 * chain rule written by hand. The variable is zero on entry to the block each time,
 * since these three references are all there are.
 */
static void fold_block(Rev *r, Block *b, const int *refs) {
  Block out = {0};
  bool *drop = ARENA_ARRAY(r->m->arena, bool, b->len + 1);
  for (int i = 0; i < b->len; i++) {
    Stmt *s = b->items[i];
    if (s->kind == ST_IF) {
      fold_block(r, &s->if_.then_b, refs);
      fold_block(r, &s->if_.else_b, refs);
    } else if (s->kind == ST_LOOP) {
      fold_block(r, &s->loop.body, refs);
      fold_block(r, &s->loop.step, refs);
    }
    if (s->kind != ST_INST || s->inst.op != OP_ADDTO || s->inst.place->nproj)
      continue;
    int v = s->inst.place->var;
    if (refs[v] != 3 || r->W->vars[v].kind == VAR_PARAM)
      continue;
    for (int j = i + 1; j + 1 < b->len; j++) {
      Stmt *l = b->items[j], *z = b->items[j + 1];
      if (l->kind == ST_INST && is_var_place(&l->inst, OP_LOAD, v) && z->kind == ST_INST &&
          is_var_place(&z->inst, OP_STORE, v)) {
        Stmt *mv = ir_inst_new(r->m, OP_MOV, l->inst.type, l->inst.dst, l->loc, l->src);
        mv->inst.args[0] = s->inst.args[0];
        b->items[j] = mv;
        drop[i] = drop[j + 1] = true;
        break;
      }
    }
  }
  /* `t = d_p; d_p = 0; [u = t;]... d_p += u` (the adjoint of `p = p + e`, p a variable
   * or an array element) leaves d_p as it was: keep only the read. In between, only
   * copies of t and instructions that touch neither d_p's root, its indices, nor
   * memory through a store or call. */
  for (int i = 0; i + 2 < b->len; i++) {
    Stmt *l = b->items[i], *z = b->items[i + 1];
    if (drop[i] || drop[i + 1] || l->kind != ST_INST || z->kind != ST_INST ||
        l->inst.op != OP_LOAD || z->inst.op != OP_STORE || !ir_place_same(l->inst.place, z->inst.place) ||
        z->inst.args[0].kind != OPD_FLOAT || z->inst.args[0].fval != 0)
      continue;
    const Place *pl = l->inst.place;
    int copies[8] = {l->inst.dst}, ncopies = 1;
    for (int j = i + 2; j < b->len; j++) {
      Stmt *a = b->items[j];
      if (drop[j]) /* folded away above */
        continue;
      if (a->kind != ST_INST)
        break;
      const Inst *in = &a->inst;
      bool of_copy = false;
      for (int k = 0; k < ncopies; k++)
        of_copy |= in->args[0].kind == OPD_VAR && in->args[0].var == copies[k];
      if (in->op == OP_ADDTO && ir_place_same(in->place, pl)) {
        if (of_copy)
          drop[i + 1] = drop[j] = true;
        break;
      }
      if (in->op == OP_MOV && of_copy && in->dst >= 0 && ncopies < 8) {
        copies[ncopies++] = in->dst;
        continue;
      }
      bool touches = in->op == OP_STORE || in->op == OP_ADDTO || in->op == OP_CALL ||
                     in->op == OP_POP || (in->dst >= 0 && ir_place_names(pl, in->dst));
      for (int k = 0; k < ncopies && in->dst >= 0; k++)
        touches |= in->dst == copies[k];
      if (touches)
        break;
    }
  }
  for (int i = 0; i < b->len; i++)
    if (!drop[i])
      ir_block_push(r->m, &out, b->items[i]);
  *b = out;
}

static void fold_adjoints(Rev *r, Block *b) {
  int *refs = ARENA_ARRAY(r->m->arena, int, r->W->nvars + 1);
  count_refs(b, refs);
  fold_block(r, b, refs);
}

/* The statement that assigns a local its first value: a top-level instruction
 * (executed once, not in a branch or loop) that no earlier statement reads or
 * writes. The value it overwrites was never set, so it need not be saved. */
static const Stmt **first_defs(Rev *r) {
  const Fn *P = r->P;
  const Stmt **first = ARENA_ARRAY(r->m->arena, const Stmt *, P->nvars + 1);
  int *refs = ARENA_ARRAY(r->m->arena, int, P->nvars + 1);
  for (int i = 0; i < P->body.len; i++) {
    const Stmt *s = P->body.items[i];
    int v = s->kind == ST_INST ? s->inst.dst : -1;
    bool fresh = v >= P->nparams && !refs[v] && P->vars[v].kind != VAR_GLOBAL && !P->vars[v].addr_taken;
    Block one = {(Stmt **)&P->body.items[i], 1, 1};
    count_refs(&one, refs); /* counts the dst too, and any read of v by s itself */
    if (fresh && refs[v] == 1)
      first[v] = s;
  }
  return first;
}

/* ---- setting up the generated function -------------------------------------------- */

/* The adjoint's name: d_x, or d2_x in a function that already has a d_x. */
static const char *dname(Rev *r, const char *name) { return ad_derived_name(r->m, r->P, "d", name); }

/* Shadow type: the same type with const dropped where adjoints are written. */
static Type *shadow_type(Rev *r, Type *t) {
  t = ir_type_unqual(r->m, t);
  if (t->kind == TY_PTR)
    return ir_type_ptr(r->m, shadow_type(r, t->elem));
  if (t->kind == TY_ARRAY)
    return ir_type_array(r->m, shadow_type(r, t->elem), t->len);
  return t;
}

/* Copy P's parameters into W, each active one followed by its adjoint parameter. */
static void make_params(Rev *r) {
  const Fn *P = r->P;
  for (int p = 0; p < P->nparams; p++) {
    const Var *pv = &P->vars[p];
    r->vmap[p] = ir_var_new(r->m, r->W, pv->name, pv->type, VAR_PARAM, pv->loc);
    if (!r->active_params[p])
      continue;
    Type *st = shadow_type(r, pv->type);
    if (pv->type->kind == TY_PTR) {
      int d = ir_var_new(r->m, r->W, dname(r, pv->name), st, VAR_PARAM, pv->loc);
      r->shadow[p] = ir_place_new(r->m, d, st);
    } else {
      int d = ir_var_new(r->m, r->W, dname(r, pv->name), ir_type_ptr(r->m, st), VAR_PARAM, pv->loc);
      Place *pl = ir_place_new(r->m, d, ir_type_ptr(r->m, st));
      ir_place_push(r->m, pl, PJ_DEREF, none, NULL, st);
      r->shadow[p] = pl;
    }
  }
}

/* Copy P's other variables into W and give active ones a zero-initialized shadow
 * variable. A scalar parameter assigned in the body gets a local shadow too, added
 * into *d_x at the end: its gradient is with respect to its value on entry. */
static void make_vars(Rev *r) {
  const Fn *P = r->P;
  for (int v = P->nparams; v < P->nvars; v++) {
    const Var *pv = &P->vars[v];
    r->vmap[v] = ir_var_new(r->m, r->W, pv->name, pv->type, pv->kind == VAR_PARAM ? VAR_LOCAL : pv->kind, pv->loc);
    r->W->vars[r->vmap[v]].addr_taken = pv->addr_taken;
  }
  for (int v = 0; v < P->nvars; v++) {
    const Var *pv = &P->vars[v];
    if (!act_var_active(r->act, P, v) || pv->kind == VAR_GLOBAL)
      continue;
    bool is_param = v < P->nparams;
    bool assigned = r->nassign[v] > (is_param ? 1 : 0);
    if (is_param && r->shadow[v] && !(assigned && pv->type->kind != TY_PTR))
      continue;
    if (is_param && !r->shadow[v] && pv->type->kind == TY_PTR)
      continue; /* pointer to memory that is not differentiated: diagnosed at use */
    int d = ir_var_new(r->m, r->W, dname(r, pv->name), shadow_type(r, pv->type),
                       pv->kind == VAR_TEMP ? VAR_TEMP : VAR_LOCAL, pv->loc);
    if (is_param && r->shadow[v])
      r->acc_param[v] = r->shadow[v]->var;
    r->shadow[v] = ir_place_new(r->m, d, r->W->vars[d].type);
  }
}

/* Does the code push or pop a tape (is it itself generated reverse-mode code)? */
static bool is_split_call(const Inst *in) {
  if (in->op != OP_CALL)
    return false;
  for (int k = 0; k < in->ncall_args; k++)
    if (in->call_args[k].kind == OPD_VAR && in->call_args[k].type->kind == TY_PTR &&
        in->call_args[k].type->elem->kind == TY_STRUCT && in->call_args[k].type->elem->name &&
        !strcmp(in->call_args[k].type->elem->name, "AdjTape"))
      return true;
  return false;
}

/* Does the block push, pop, or call a function that takes the tape? */
static bool has_tape_ops(const Block *b) {
  for (int i = 0; i < b->len; i++) {
    const Stmt *s = b->items[i];
    if (s->kind == ST_INST && (s->inst.op == OP_PUSH || s->inst.op == OP_POP || is_split_call(&s->inst)))
      return true;
    if (s->kind == ST_IF && (has_tape_ops(&s->if_.then_b) || has_tape_ops(&s->if_.else_b)))
      return true;
    if (s->kind == ST_LOOP && (has_tape_ops(&s->loop.cond_b) || has_tape_ops(&s->loop.body) ||
                               has_tape_ops(&s->loop.step)))
      return true;
  }
  return false;
}

static Fn *new_fn(Rev *r, const char *name, Type *ret) {
  Fn *fn = ARENA_NEW(r->m->arena, Fn);
  fn->name = name;
  fn->ret = ret;
  fn->loc = r->P->loc;
  fn->has_body = true;
  fn->primal = r->P;
  return fn;
}

void ad_reverse(AdCtx *ad, const Fn *P, const bool *active, RevMode mode, const char *name,
                const char *name_fwd, RevFns *out) {
  P = ad_inline(ad_module(ad), P);    /* small helpers are differentiated in place */
  P = ad_cse_loads(ad_module(ad), P); /* v[i] * v[i]: one load */
  Module *m = ad_module(ad);
  Rev rr = {0}, *r = &rr;
  r->ad = ad;
  r->m = m;
  r->P = P;
  r->mode = mode;
  r->active_params = active;
  r->int_t = ir_type_int(m, "int", 4, true);
  r->long_t = ir_type_int(m, "long", 8, true);
  r->act = act_fill(m->arena, P, active);
  if (has_tape_ops(&P->body))
    diag_error(P->loc, "differentiate it in forward mode (ADJ_JVP), which accepts generated code",
               "reverse mode of '%s', which records on a tape itself, is not supported", P->name);
  int nv = P->nvars + 1;
  r->vmap = ARENA_ARRAY(m->arena, int, nv);
  r->shadow = ARENA_ARRAY(m->arena, Place *, nv);
  r->acc_param = ARENA_ARRAY(m->arena, int, nv);
  r->nassign = ARENA_ARRAY(m->arena, int, nv);
  r->needed = ARENA_ARRAY(m->arena, bool, nv);
  r->pushed = ARENA_ARRAY(m->arena, bool, nv);
  for (int v = 0; v < nv; v++)
    r->acc_param[v] = -1;
  for (int p = 0; p < P->nparams; p++)
    r->nassign[p] = 1;
  find_remat(r);
  needs_block(r, &P->body, 0);
  r->origin = pointer_origins(r);
  r->first_def = first_defs(r);
  SaveSet *saves = ARENA_ARRAY(m->arena, SaveSet, 1);
  *saves = tbr_saves(r);
  r->saves = saves;
  for (int v = 0; v < P->nvars; v++) {
    if (P->vars[v].addr_taken)
      r->nassign[v] += 2;
    r->pushed[v] = r->needed[v] && r->nassign[v] >= 2 && P->vars[v].kind != VAR_GLOBAL;
    if (r->needed[v] && P->vars[v].addr_taken)
      r->has_addr_needed = true;
  }
  if (ad_analysis_out) {
    StrBuf sb = {0};
    act_print(&sb, r->act, P);
    sb_printf(&sb, "; to-be-recorded in %s (read by the reverse sweep; saved at each overwrite)\n", P->name);
    for (int v = 0; v < P->nvars; v++) {
      if (!r->needed[v])
        continue;
      sb_printf(&sb, ";   %s%s", P->vars[v].kind == VAR_TEMP ? "%" : "", P->vars[v].kind == VAR_TEMP ? "" : P->vars[v].name);
      if (P->vars[v].kind == VAR_TEMP)
        sb_printf(&sb, "%d", v);
      sb_printf(&sb, ": %s", r->pushed[v] ? "saved" : "assigned once, not saved");
      if (P->vars[v].type->kind == TY_PTR)
        if (r->pushed[v])
        sb_printf(&sb, ", recorded %s", r->origin[v] >= 0 ? "as an offset from its base" : "as an address");
      sb_putc(&sb, '\n');
    }
    fputs(sb.data ? sb.data : "", ad_analysis_out);
    sb_free(&sb);
  }

  /* The work function: P's signature with adjoint parameters; for split mode the
   * tape and d_ret parameters follow (g_fwd stops before d_ret). */
  r->W = new_fn(r, name, mode == REV_SPLIT ? ir_type_void(m) : P->ret);
  make_params(r);
  Type *tape_t = ir_type_ptr(m, ir_type_struct(m, "AdjTape", 32));
  bool has_ret = P->ret->kind != TY_VOID;
  int d_ret = -1;
  if (mode == REV_SPLIT)
    r->tape = ir_var_new(m, r->W, "tape", tape_t, VAR_PARAM, P->loc);
  if ((mode == REV_SPLIT || mode == REV_VJP) && has_ret && ir_type_is_float(P->ret))
    d_ret = ir_var_new(m, r->W, "d_ret", P->ret, VAR_PARAM, P->loc);
  if (mode != REV_SPLIT)
    r->tape = ir_var_new(m, r->W, "tape", tape_t, VAR_LOCAL, P->loc);
  r->W->has_tape = true;
  r->W->owns_tape = mode != REV_SPLIT;
  r->W->tape = r->tape;
  make_vars(r);
  /* pointer parameters the body reassigns: keep their entry values as offset bases */
  r->entry = ARENA_ARRAY(m->arena, int, nv);
  r->entry_shadow = ARENA_ARRAY(m->arena, int, nv);
  Block entry = {0};
  for (int v = 0; v < nv; v++)
    r->entry[v] = r->entry_shadow[v] = -1;
  for (int p = 0; p < P->nparams; p++) {
    if (P->vars[p].type->kind != TY_PTR || r->nassign[p] <= 1)
      continue;
    r->entry[p] = temp(r, arena_printf(m->arena, "%s_entry", P->vars[p].name), P->vars[p].type);
    Stmt *c = inst(r, &entry, OP_MOV, P->vars[p].type, r->entry[p], NULL);
    c->inst.args[0] = wvar(r, r->vmap[p]);
    if (r->shadow[p] && r->shadow[p]->nproj == 0) {
      int sv = r->shadow[p]->var;
      r->entry_shadow[p] = temp(r, arena_printf(m->arena, "%s_entry", r->W->vars[sv].name), r->W->vars[sv].type);
      Stmt *d = inst(r, &entry, OP_MOV, r->W->vars[sv].type, r->entry_shadow[p], NULL);
      d->inst.args[0] = wvar(r, sv);
    }
  }

  Fn *fwd_fn = NULL;
  if (mode == REV_SPLIT) {
    fwd_fn = new_fn(r, name_fwd, P->ret);
    out->fwd = fwd_fn;
  }
  out->rev = r->W;

  /* The sweeps. */
  Block fwd = {0}, rev = {0};
  block(r, &P->body, &fwd, &rev);
  label_adjoint(r, &rev);
  const Stmt *last = P->body.len ? P->body.items[P->body.len - 1] : NULL;
  Operand retop = last && last->kind == ST_RETURN ? last->value : none;

  /* Variables the reverse sweep reads that a separate g_rev must get back. */
  Block final_push = {0}, final_pop = {0};
  if (mode == REV_SPLIT) {
    for (int v = 0; v < P->nvars; v++)
      if (r->needed[v] && r->nassign[v] > (v < P->nparams ? 1 : 0) && P->vars[v].kind != VAR_GLOBAL)
        save_var(r, &final_push, v, NULL);
    for (int v = P->nvars - 1; v >= 0; v--)
      if (r->needed[v] && r->nassign[v] > (v < P->nparams ? 1 : 0) && P->vars[v].kind != VAR_GLOBAL)
        restore_var(r, &final_pop, v, NULL);
  }

  /* Seed: the adjoint of the returned value is 1 (grad) or d_ret. */
  Block seed = {0};
  if (retop.kind == OPD_VAR && act_var_active(r->act, P, retop.var) && ir_type_is_float(P->ret)) {
    Operand s = mode == REV_GRAD ? ad_const(P->ret, 1) : wvar(r, d_ret);
    addto(r, &seed, svar(r, retop.var), s, last);
    label_adjoint(r, &seed);
  }
  /* Scalar parameters with a local shadow: add it to the caller's adjoint. */
  Block finish = {0};
  for (int p = 0; p < P->nparams; p++)
    if (r->acc_param[p] >= 0) {
      Place *dst = ir_place_new(m, r->acc_param[p], r->W->vars[r->acc_param[p]].type);
      Type *t = r->W->vars[r->acc_param[p]].type->elem;
      ir_place_push(m, dst, PJ_DEREF, none, NULL, t);
      if (ir_type_is_float(t))
        addto(r, &finish, dst, wvar(r, r->shadow[p]->var), NULL);
      else
        move_adjoint(r, &finish, ir_place_clone(m, r->shadow[p]), dst, t, NULL);
    }

  if (mode == REV_SPLIT) {
    /* g_fwd: forward sweep, final values, return; shares W's variable table */
    *fwd_fn = *r->W;
    fwd_fn->name = name_fwd;
    fwd_fn->ret = P->ret;
    fwd_fn->nparams = r->tape + 1;
    fwd_fn->owns_tape = false;
    fwd_fn->body = (Block){0};
    append(r, &fwd_fn->body, &entry);
    append(r, &fwd_fn->body, &fwd);
    append(r, &fwd_fn->body, &final_push);
    Stmt *ret = ir_stmt_new(m, ST_RETURN, P->loc, NULL);
    ret->value = mo(r, retop);
    ir_block_push(m, &fwd_fn->body, ret);
    /* g_rev: final values back, seed, reverse sweep */
    append(r, &r->W->body, &entry);
    append(r, &r->W->body, &final_pop);
    append(r, &r->W->body, &seed);
    append(r, &r->W->body, &rev);
    append(r, &r->W->body, &finish);
    ir_block_push(m, &r->W->body, ir_stmt_new(m, ST_RETURN, P->loc, NULL));
    fold_adjoints(r, &r->W->body);
    fwd_fn->nvars = r->W->nvars;
    fwd_fn->vars = r->W->vars;
    fwd_fn->nloops = r->W->nloops;
    return;
  }

  /* f_grad / f_vjp: forward sweep, keep the result, seed, reverse sweep, return */
  append(r, &r->W->body, &entry);
  append(r, &r->W->body, &fwd);
  Operand result = none;
  if (has_ret) {
    int res = temp(r, "result", P->ret);
    Stmt *k = inst(r, &r->W->body, OP_MOV, P->ret, res, last);
    k->inst.args[0] = mo(r, retop);
    result = wvar(r, res);
  }
  if (has_tape_ops(&fwd)) {
    /* the tape is at its fullest where the forward sweep ends: note it for reports */
    Stmt *mark = inst(r, &r->W->body, OP_CALL, ir_type_void(m), -1, last);
    mark->inst.callee = "adj_tape_mark_peak";
    mark->inst.call_args = ARENA_ARRAY(m->arena, Operand, 1);
    mark->inst.call_args[0] = wvar(r, r->tape);
    mark->inst.ncall_args = 1;
  }
  append(r, &r->W->body, &seed);
  append(r, &r->W->body, &rev);
  append(r, &r->W->body, &finish);
  Stmt *ret = ir_stmt_new(m, ST_RETURN, P->loc, NULL);
  ret->value = result;
  ir_block_push(m, &r->W->body, ret);
  fold_adjoints(r, &r->W->body);
}
