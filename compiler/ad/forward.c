/* forward.c — forward (tangent) mode: each active value carries its tangent.
 *
 * Key ideas.
 *  - One sweep: every instruction is followed by its tangent, t_y = Σ ∂y/∂a_i · t_a_i.
 *    The partials come from the same rules as reverse mode: the pullback is linear
 *    in dy, so seeding it with t_a_i yields exactly t_a_i · ∂y/∂a_i.
 *  - Tangents mirror primal storage: a scalar's tangent is a variable t_x, a
 *    place's tangent is the same place rooted at the tangent root (t_w[i].x).
 *  - The transform accepts every op, including those only generated code has
 *    (PUSH/POP carry the tangent along, ADDTO accumulates tangents). So applying it
 *    to a generated gradient gives forward-over-reverse: Hessian-vector products,
 *    and any higher order by repetition.
 *  - Calls get a tangent function per (callee, activity pattern), memoised.
 */
#include "ad/ad.h"

#include <string.h>

typedef struct Fwd {
  AdCtx *ad;
  Module *m;
  const Fn *P;
  Fn *G;
  const bool *active_params;
  Activity *act;
  int *vmap;    /* P var -> G var */
  Place **tan;  /* P var -> tangent root place in G, or NULL */
  int t_ret;    /* G param: T *t_ret, or -1 */
  Type *int_t;
} Fwd;

static const Operand none = {.kind = OPD_NONE};

static Operand gvar(Fwd *f, int v) { return ir_opd_var(f->G, v); }

static Operand mo(Fwd *f, Operand o) {
  if (o.kind == OPD_VAR)
    o.var = f->vmap[o.var];
  return o;
}

static Place *mplace(Fwd *f, const Place *p) {
  Place *q = ir_place_clone(f->m, p);
  q->var = f->vmap[p->var];
  for (int i = 0; i < q->nproj; i++)
    if (q->proj[i].kind == PJ_INDEX)
      q->proj[i].index = mo(f, q->proj[i].index);
  return q;
}

/* Tangent place of a P place (root's tangent + same projections), or NULL. */
static Place *tplace(Fwd *f, const Place *p) {
  Place *root = f->tan[p->var];
  if (!root)
    return NULL;
  Place *q = ir_place_clone(f->m, root);
  for (int i = 0; i < p->nproj; i++) {
    Proj pj = p->proj[i];
    if (pj.kind == PJ_INDEX)
      pj.index = mo(f, pj.index);
    ir_place_push(f->m, q, pj.kind, pj.index, pj.field, ir_type_unqual(f->m, pj.type));
  }
  return q;
}

static bool active(Fwd *f, Operand o) {
  return o.kind == OPD_VAR && act_var_active(f->act, f->P, o.var) && f->tan[o.var];
}

/* The tangent of a P operand as a G operand: t_x, or 0 for constants and inactive
 * values (in the operand's type). */
static Operand tan_of(Fwd *f, Block *out, Operand o, const Stmt *s) {
  if (!active(f, o))
    return o.type && ir_type_is_float(o.type) ? ad_const(o.type, 0) : ir_opd_int(f->m, 0);
  Place *t = f->tan[o.var];
  if (t->nproj == 0)
    return gvar(f, t->var);
  int v = ir_var_new(f->m, f->G, "t", t->type, VAR_TEMP, s->loc);
  Stmt *l = ir_inst_new(f->m, OP_LOAD, t->type, v, s->loc, s->src);
  l->inst.place = ir_place_clone(f->m, t);
  ir_block_push(f->m, out, l);
  return gvar(f, v);
}

static Stmt *emit(Fwd *f, Block *out, Op op, Type *t, int dst, const Stmt *s) {
  Stmt *n = ir_inst_new(f->m, op, t, dst, s->loc, s->src);
  ir_block_push(f->m, out, n);
  return n;
}

/* Write tangent value tv into the tangent place tp (a variable or memory). */
static void set_tangent(Fwd *f, Block *out, Place *tp, Operand tv, const Stmt *s) {
  if (tp->nproj == 0 && tv.kind == OPD_VAR && tv.var == tp->var)
    return; /* t_x = t_x: the tangent is unchanged (x = x + 1) */
  if (tp->nproj == 0) {
    Stmt *n = emit(f, out, OP_MOV, tp->type, tp->var, s);
    n->inst.args[0] = tv;
  } else {
    Stmt *n = emit(f, out, OP_STORE, tp->type, -1, s);
    n->inst.place = tp;
    n->inst.args[0] = tv;
  }
}

/* t_y for `y = op(args)`: Σ_i pullback(op, dy = t_a_i) restricted to operand i. */
static Operand pushforward(Fwd *f, Block *out, const Stmt *s, Operand y) {
  const Inst *in = &s->inst;
  Type *t = in->type;
  RuleCtx rc = {f->m, f->G, out, s->loc, s->src};
  Operand args[3];
  for (int i = 0; i < 3; i++)
    args[i] = mo(f, in->args[i]);
  if (in->op == OP_CAST) /* t_y = (T) t_a */
    return active(f, in->args[0]) ? ad_emit_op(&rc, OP_CAST, t, tan_of(f, out, in->args[0], s), none, none)
                                  : ad_const(t, 0);
  Operand sum = none;
  int arity = ir_ops[in->op].arity;
  for (int i = 0; i < arity; i++) {
    if (!active(f, in->args[i]) || in->args[i].type->kind == TY_PTR || (in->op == OP_SELECT && i == 0))
      continue;
    bool want[3] = {false, false, false};
    want[i] = true;
    Operand contrib[3];
    ad_pullback(&rc, in->op, t, args, y, tan_of(f, out, in->args[i], s), want, contrib);
    if (contrib[i].kind == OPD_NONE)
      continue;
    sum = sum.kind == OPD_NONE ? contrib[i] : ad_emit_op(&rc, OP_ADD, t, sum, contrib[i], none);
  }
  return sum.kind == OPD_NONE ? ad_const(t, 0) : sum;
}

static void call_stmt(Fwd *f, const Stmt *s, Block *out);

/* Pointer-valued instructions: the tangent pointer follows the primal one. */
static void pointer_tangent(Fwd *f, const Stmt *s, Block *out) {
  const Inst *in = &s->inst;
  Place *dst = f->tan[in->dst];
  if (!dst || dst->nproj)
    return;
  Stmt *n = emit(f, out, in->op, f->G->vars[dst->var].type, dst->var, s);
  if (in->place) {
    Place *tp = tplace(f, in->place);
    if (!tp) {
      diag_error(s->loc, "differentiate with respect to the memory it points into",
                 "pointer into memory that carries no derivative");
      return;
    }
    n->inst.place = tp;
    return;
  }
  for (int i = 0; i < ir_ops[in->op].arity; i++) {
    Operand o = in->args[i];
    if (o.kind == OPD_VAR && f->P->vars[o.var].type->kind == TY_PTR) {
      Place *tp = f->tan[o.var];
      if (!tp || tp->nproj) {
        diag_error(s->loc, "list the array in the request",
                   "pointer '%s' may point into memory that carries no derivative",
                   f->P->vars[o.var].name);
        n->inst.args[i] = mo(f, o);
        continue;
      }
      n->inst.args[i] = gvar(f, tp->var);
    } else {
      n->inst.args[i] = mo(f, o);
    }
  }
}

static void inst_stmt(Fwd *f, const Stmt *s, Block *out) {
  const Inst *in = &s->inst;
  const Fn *P = f->P;
  int v = in->dst;
  if (in->op == OP_CALL) {
    call_stmt(f, s, out);
    return;
  }
  /* PUSH/POP: a float's tangent travels with it (pushed after it, popped before),
   * active or not, so the tape layout does not depend on activity: a g_fwd pushes
   * what its g_rev pops, and the two are differentiated separately. */
  if (in->op == OP_PUSH) {
    Stmt *c = emit(f, out, OP_PUSH, in->type, -1, s);
    c->inst.args[0] = mo(f, in->args[0]);
    if (ir_type_is_float(in->type)) {
      Operand t;
      if (active(f, in->args[0]) && f->tan[in->args[0].var]->nproj == 0) {
        t = gvar(f, f->tan[in->args[0].var]->var);
      } else { /* an inactive value: its tangent is 0 */
        int z = ir_var_new(f->m, f->G, "t", in->type, VAR_TEMP, s->loc);
        Stmt *zs = emit(f, out, OP_MOV, in->type, z, s);
        zs->inst.args[0] = ad_const(in->type, 0);
        t = gvar(f, z);
      }
      Stmt *tp = emit(f, out, OP_PUSH, in->type, -1, s);
      tp->inst.args[0] = t;
    }
    return;
  }
  if (in->op == OP_POP) {
    if (ir_type_is_float(in->type)) {
      int dst = f->tan[v] && f->tan[v]->nproj == 0
                    ? f->tan[v]->var
                    : ir_var_new(f->m, f->G, "t", in->type, VAR_TEMP, s->loc);
      emit(f, out, OP_POP, in->type, dst, s);
    }
    emit(f, out, OP_POP, in->type, f->vmap[v], s);
    return;
  }

  bool dst_active = v >= 0 && act_var_active(f->act, P, v) && f->tan[v];
  bool float_dst = dst_active && ir_type_is_float(P->vars[v].type);
  /* When y is also an operand, compute into a temporary so the tangent still sees
   * the operands' old values. */
  bool aliased = false;
  for (int i = 0; i < ir_ops[in->op].arity; i++)
    if (in->args[i].kind == OPD_VAR && in->args[i].var == v)
      aliased = true;
  int y = v >= 0 ? f->vmap[v] : -1;
  if (aliased && float_dst)
    y = ir_var_new(f->m, f->G, "y", f->G->vars[f->vmap[v]].type, VAR_TEMP, s->loc);

  Stmt *c = ir_inst_new(f->m, in->op, in->type, y, s->loc, s->src);
  c->inst = *in;
  c->inst.dst = y;
  for (int i = 0; i < 3; i++)
    c->inst.args[i] = mo(f, in->args[i]);
  if (in->place)
    c->inst.place = mplace(f, in->place);
  ir_block_push(f->m, out, c);

  switch (in->op) {
  case OP_STORE:
  case OP_ADDTO: {
    Place *tp = tplace(f, in->place);
    if (!tp) {
      /* memory with no tangent is fine unless the value matters (is useful) there */
      if (active(f, in->args[0]) && !in->nograd && act_place_active(f->act, P, in->place))
        diag_error(s->loc, "list the array in the request, or wrap the value in adj_stop_gradient()",
                   "value with a derivative is stored into '%s', which carries none",
                   P->vars[in->place->var].name);
      return;
    }
    Operand tv = in->nograd ? ad_const(tp->type, 0) : tan_of(f, out, in->args[0], s);
    if (!ir_type_is_float(tp->type) && tv.kind != OPD_VAR) {
      /* aggregate stored from an inactive value: zero its tangent field by field is
       * not needed for a fresh aggregate; keep the primal semantics simple */
      return;
    }
    Stmt *n = emit(f, out, in->op, tp->type, -1, s);
    n->inst.place = tp;
    n->inst.args[0] = tv;
    return;
  }
  default:
    break;
  }
  if (!dst_active)
    return;
  Type *vt = P->vars[v].type;
  if (vt->kind == TY_PTR) {
    pointer_tangent(f, s, out);
    return;
  }
  Operand tv;
  if (in->nograd || in->op == OP_STOPGRAD)
    tv = ir_type_is_float(vt) ? ad_const(vt, 0) : none;
  else if (in->op == OP_LOAD) {
    Place *tp = tplace(f, in->place);
    if (!tp)
      tv = ir_type_is_float(vt) ? ad_const(vt, 0) : none;
    else {
      int t = ir_var_new(f->m, f->G, "t", tp->type, VAR_TEMP, s->loc);
      Stmt *l = emit(f, out, OP_LOAD, tp->type, t, s);
      l->inst.place = tp;
      tv = gvar(f, t);
    }
  } else if (!ir_type_is_float(vt)) {
    /* struct copy: the tangent struct is copied too */
    tv = in->op == OP_MOV && active(f, in->args[0]) ? tan_of(f, out, in->args[0], s) : none;
  } else if (ad_rule_exists(in->op)) {
    tv = pushforward(f, out, s, gvar(f, y));
  } else {
    tv = ad_const(vt, 0);
  }
  if (aliased && float_dst) {
    Stmt *mv = emit(f, out, OP_MOV, vt, f->vmap[v], s);
    mv->inst.args[0] = gvar(f, y);
  }
  if (tv.kind != OPD_NONE)
    set_tangent(f, out, ir_place_clone(f->m, f->tan[v]), tv, s);
}

static void call_stmt(Fwd *f, const Stmt *s, Block *out) {
  const Inst *in = &s->inst;
  const Fn *P = f->P;
  Fn *callee = in->callee_fn;
  int v = in->dst;
  bool any = false;
  int n = in->ncall_args;
  bool *act = ARENA_ARRAY(f->m->arena, bool, n + 1);
  for (int i = 0; i < n; i++)
    any |= act[i] = active(f, in->call_args[i]);
  if (callee && callee->inactive)
    any = false;
  Stmt *c = ir_inst_new(f->m, OP_CALL, in->type, v >= 0 ? f->vmap[v] : -1, s->loc, s->src);
  c->inst = *in;
  c->inst.dst = v >= 0 ? f->vmap[v] : -1;
  c->inst.call_args = ARENA_ARRAY(f->m->arena, Operand, 2 * n + 2);
  for (int i = 0; i < n; i++)
    c->inst.call_args[i] = mo(f, in->call_args[i]);
  if (!any || in->nograd) {
    ir_block_push(f->m, out, c);
    if (v >= 0 && act_var_active(f->act, P, v) && f->tan[v] && ir_type_is_float(P->vars[v].type))
      set_tangent(f, out, ir_place_clone(f->m, f->tan[v]), ad_const(P->vars[v].type, 0), s);
    return;
  }
  if (!callee || !callee->has_body) {
    /* a user pullback called by a generated gradient (second order through a
     * function with ADJ_CUSTOM_GRAD): say so rather than "no body" */
    const Fn *owner = NULL;
    for (int i = 0; i < f->m->nfns && !callee; i++)
      if (str_eq(f->m->fns[i]->custom_pullback, in->callee))
        owner = f->m->fns[i];
    if (owner)
      diag_error(s->loc, "remove ADJ_CUSTOM_GRAD so adjc differentiates the body, or supply the "
                         "higher derivative yourself",
                 "second-order derivatives through '%s' need the derivative of its custom pullback "
                 "'%s', which adjc does not differentiate", owner->name, in->callee);
    else
      diag_error(s->loc, "define it in this file, or mark it ADJ_INACTIVE",
                 "cannot differentiate the call to '%s' in forward mode: it has no body%s", in->callee,
                 callee && callee->custom_pullback ? " (ADJ_CUSTOM_GRAD gives only a pullback)" : "");
    return;
  }
  bool *pact = ARENA_ARRAY(f->m->arena, bool, callee->nparams + 1);
  for (int i = 0; i < callee->nparams && i < n; i++)
    pact[i] = act[i];
  Fn *tf = ad_tangent_for(f->ad, callee, pact);
  /* y = g_jvp(args with tangents, &t_y) */
  int k = 0;
  for (int i = 0; i < n; i++) {
    c->inst.call_args[k++] = mo(f, in->call_args[i]);
    if (!act[i])
      continue;
    Operand a = in->call_args[i];
    Place *tp = f->tan[a.var];
    if (tp->nproj == 0)
      c->inst.call_args[k++] = gvar(f, tp->var);
    else
      c->inst.call_args[k++] = tan_of(f, out, a, s);
  }
  int ty = -1;
  if (ir_type_is_float(callee->ret)) {
    ty = ir_var_new(f->m, f->G, "t", callee->ret, VAR_TEMP, s->loc);
    int addr = ir_var_new(f->m, f->G, "p", ir_type_ptr(f->m, callee->ret), VAR_TEMP, s->loc);
    Stmt *a = emit(f, out, OP_ADDR, f->G->vars[addr].type, addr, s);
    a->inst.place = ir_place_new(f->m, ty, callee->ret);
    f->G->vars[ty].addr_taken = true;
    c->inst.call_args[k++] = gvar(f, addr);
  }
  c->inst.ncall_args = k;
  c->inst.callee = tf->name;
  c->inst.callee_fn = tf;
  ir_block_push(f->m, out, c);
  if (ty >= 0 && v >= 0 && act_var_active(f->act, P, v) && f->tan[v])
    set_tangent(f, out, ir_place_clone(f->m, f->tan[v]), gvar(f, ty), s);
}

static void block(Fwd *f, const Block *b, Block *out);

static void stmt(Fwd *f, const Stmt *s, Block *out) {
  switch (s->kind) {
  case ST_INST:
    inst_stmt(f, s, out);
    return;
  case ST_IF: {
    Stmt *n = ir_stmt_new(f->m, ST_IF, s->loc, s->src);
    n->if_.cond = mo(f, s->if_.cond);
    block(f, &s->if_.then_b, &n->if_.then_b);
    block(f, &s->if_.else_b, &n->if_.else_b);
    ir_block_push(f->m, out, n);
    return;
  }
  case ST_LOOP: {
    Stmt *n = ir_stmt_new(f->m, ST_LOOP, s->loc, s->src);
    n->loop.id = f->G->nloops++;
    n->loop.test_after = s->loop.test_after;
    block(f, &s->loop.cond_b, &n->loop.cond_b);
    n->loop.cond = mo(f, s->loop.cond);
    block(f, &s->loop.body, &n->loop.body);
    block(f, &s->loop.step, &n->loop.step);
    ir_block_push(f->m, out, n);
    return;
  }
  case ST_RETURN: {
    if (f->t_ret >= 0) {
      Place *p = ir_place_new(f->m, f->t_ret, f->G->vars[f->t_ret].type);
      ir_place_push(f->m, p, PJ_DEREF, none, NULL, f->P->ret);
      Stmt *st = emit(f, out, OP_STORE, f->P->ret, -1, s);
      st->inst.place = p;
      st->inst.args[0] = tan_of(f, out, s->value, s);
    }
    Stmt *r = ir_stmt_new(f->m, ST_RETURN, s->loc, s->src);
    r->value = mo(f, s->value);
    ir_block_push(f->m, out, r);
    return;
  }
  case ST_BREAK:
  case ST_CONTINUE:
    unreachable(); /* structurized input */
  }
}

static void block(Fwd *f, const Block *b, Block *out) {
  for (int i = 0; i < b->len; i++)
    stmt(f, b->items[i], out);
}

/* The tangent's name: t_x, or t2_x in a function that already has a t_x. */
static const char *tname(Fwd *f, const char *name) { return ad_derived_name(f->m, f->P, "t", name); }

static Type *tangent_type(Fwd *f, Type *t) { return ir_type_unqual(f->m, t); }

void ad_forward(AdCtx *ad, const Fn *P, const bool *active_params, const char *name, Fn **out) {
  Module *m = ad_module(ad);
  Fwd ff = {0}, *f = &ff;
  f->ad = ad;
  f->m = m;
  f->P = P;
  f->active_params = active_params;
  f->int_t = ir_type_int(m, "int", 4, true);
  f->act = act_fill(m->arena, P, active_params);
  int nv = P->nvars + 1;
  f->vmap = ARENA_ARRAY(m->arena, int, nv);
  f->tan = ARENA_ARRAY(m->arena, Place *, nv);
  f->t_ret = -1;

  Fn *G = ARENA_NEW(m->arena, Fn);
  G->name = name;
  G->ret = P->ret;
  G->loc = P->loc;
  G->has_body = true;
  G->primal = P;
  f->G = G;
  *out = G; /* visible before the body exists: recursion finds it */

  /* parameters: each active one followed by its tangent (a value for scalars and
   * structs, a pointer for arrays, const when the primal pointee is const) */
  for (int p = 0; p < P->nparams; p++) {
    const Var *pv = &P->vars[p];
    f->vmap[p] = ir_var_new(m, G, pv->name, pv->type, VAR_PARAM, pv->loc);
    if (!active_params[p])
      continue;
    Type *tt = tangent_type(f, pv->type);
    int t = ir_var_new(m, G, tname(f, pv->name), tt, VAR_PARAM, pv->loc);
    f->tan[p] = ir_place_new(m, t, tt);
  }
  if (ir_type_is_float(P->ret))
    f->t_ret = ir_var_new(m, G, tname(f, "ret"), ir_type_ptr(m, P->ret), VAR_PARAM, P->loc);
  for (int v = P->nparams; v < P->nvars; v++) {
    const Var *pv = &P->vars[v];
    f->vmap[v] = ir_var_new(m, G, pv->name, pv->type, pv->kind == VAR_PARAM ? VAR_LOCAL : pv->kind, pv->loc);
    G->vars[f->vmap[v]].addr_taken = pv->addr_taken;
  }
  if (P->has_tape) {
    G->has_tape = true;
    G->owns_tape = P->owns_tape;
    G->tape = f->vmap[P->tape];
  }
  /* tangents of active locals (and of active parameters not listed, e.g. a
   * parameter reassigned from an active value) */
  for (int v = 0; v < P->nvars; v++) {
    const Var *pv = &P->vars[v];
    if (f->tan[v] || pv->kind == VAR_GLOBAL || !act_var_active(f->act, P, v))
      continue;
    if (v < P->nparams && pv->type->kind == TY_PTR)
      continue; /* memory without tangent: diagnosed where it is used */
    Type *tt = tangent_type(f, pv->type);
    int t = ir_var_new(m, G, tname(f, pv->name), tt, pv->kind == VAR_TEMP ? VAR_TEMP : VAR_LOCAL, pv->loc);
    f->tan[v] = ir_place_new(m, t, tt);
  }
  block(f, &P->body, &G->body);
}
