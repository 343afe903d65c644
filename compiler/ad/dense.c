/* dense.c — drivers built from the derivative functions: the Hessian-vector product
 * wrapper (scratch storage for the gradient that forward-over-reverse needs) and the
 * dense Hessian (one Hessian-vector product per row). They are ordinary IR, so the
 * emitter writes them like any other generated function. */
#include "ad/ad.h"

typedef struct B {
  Module *m;
  Fn *fn;
  Loc loc;
} B;


static Operand var(B *b, int v) { return ir_opd_var(b->fn, v); }

static Stmt *inst(B *b, Block *out, Op op, Type *t, int dst) {
  Stmt *s = ir_inst_new(b->m, op, t, dst, b->loc, NULL);
  ir_block_push(b->m, out, s);
  return s;
}

static int local(B *b, const char *name, Type *t, VarKind kind) {
  return ir_var_new(b->m, b->fn, name, t, kind, b->loc);
}

/* C text used as a value: the length written in a request, `sizeof(double)`. */
static Operand text(B *b, const char *c_text) {
  Operand o = ir_opd_int_typed(ir_type_int(b->m, "long", 8, true), 0);
  o.spelling = arena_printf(b->m->arena, "(%s)", c_text);
  return o;
}

static Stmt *call(B *b, Block *out, const char *callee, Fn *callee_fn, Type *ret, int dst,
                  Operand *args, int nargs) {
  Stmt *s = inst(b, out, OP_CALL, ret, dst);
  s->inst.callee = callee;
  s->inst.callee_fn = callee_fn;
  s->inst.call_args = args;
  s->inst.ncall_args = nargs;
  return s;
}

/* dst = (T *)calloc(size, sizeof(T)) */
static void alloc_zeros(B *b, Block *out, int dst, Type *elem, const char *size) {
  Type *vp = ir_type_ptr(b->m, ir_type_void(b->m));
  int raw = local(b, "t", vp, VAR_TEMP);
  Operand *args = ARENA_ARRAY(b->m->arena, Operand, 2);
  args[0] = text(b, size);
  args[1] = text(b, arena_printf(b->m->arena, "sizeof(%s)", elem->name));
  call(b, out, "calloc", NULL, vp, raw, args, 2);
  Stmt *c = inst(b, out, OP_CAST, b->fn->vars[dst].type, dst);
  c->inst.args[0] = var(b, raw);
}

static void release(B *b, Block *out, int v) {
  Operand *args = ARENA_ARRAY(b->m->arena, Operand, 1);
  args[0] = var(b, v);
  call(b, out, "free", NULL, ir_type_void(b->m), -1, args, 1);
}

static Fn *new_fn(B *b, const Fn *P, const char *name) {
  Fn *fn = ARENA_NEW(b->m->arena, Fn);
  fn->name = name;
  fn->ret = P->ret;
  fn->loc = P->loc;
  fn->has_body = true;
  fn->primal = P;
  b->fn = fn;
  b->loc = P->loc;
  return fn;
}

Fn *ad_hvp_wrapper(AdCtx *ad, const Fn *P, const bool *active, const char **sizes, Fn *tg,
                   const char *name) {
  B bb = {ad_module(ad), NULL, P->loc}, *b = &bb;
  Module *m = b->m;
  Fn *fn = new_fn(b, P, name);
  int *param = ARENA_ARRAY(m->arena, int, P->nparams + 1);
  int *v = ARENA_ARRAY(m->arena, int, P->nparams + 1);
  int *hv = ARENA_ARRAY(m->arena, int, P->nparams + 1);
  int *scratch = ARENA_ARRAY(m->arena, int, P->nparams + 1);
  /* parameters: p, then v_p (direction) and hv_p (accumulates H v) when active */
  for (int p = 0; p < P->nparams; p++) {
    const Var *pv = &P->vars[p];
    param[p] = local(b, pv->name, pv->type, VAR_PARAM);
    if (!active[p])
      continue;
    Type *t = ir_type_unqual(m, pv->type);
    if (pv->type->kind == TY_PTR) {
      Type *e = ir_type_unqual(m, pv->type->elem);
      v[p] = local(b, arena_printf(m->arena, "v_%s", pv->name), ir_type_ptr(m, ir_type_const(m, e)), VAR_PARAM);
      hv[p] = local(b, arena_printf(m->arena, "hv_%s", pv->name), ir_type_ptr(m, e), VAR_PARAM);
    } else {
      v[p] = local(b, arena_printf(m->arena, "v_%s", pv->name), t, VAR_PARAM);
      hv[p] = local(b, arena_printf(m->arena, "hv_%s", pv->name), ir_type_ptr(m, t), VAR_PARAM);
    }
  }
  /* scratch for the gradient the tangent sweep differentiates */
  for (int p = 0; p < P->nparams; p++) {
    if (!active[p])
      continue;
    const Var *pv = &P->vars[p];
    Type *e = ir_type_unqual(m, pv->type->kind == TY_PTR ? pv->type->elem : pv->type);
    if (pv->type->kind == TY_PTR) {
      scratch[p] = local(b, arena_printf(m->arena, "d_%s", pv->name), ir_type_ptr(m, e), VAR_LOCAL);
      alloc_zeros(b, &fn->body, scratch[p], e, sizes[p]);
    } else {
      scratch[p] = local(b, arena_printf(m->arena, "d_%s", pv->name), e, VAR_LOCAL);
      fn->vars[scratch[p]].addr_taken = true;
    }
  }
  Operand *args = ARENA_ARRAY(m->arena, Operand, 4 * P->nparams + 2);
  int k = 0;
  for (int p = 0; p < P->nparams; p++) {
    args[k++] = var(b, param[p]);
    if (!active[p])
      continue;
    args[k++] = var(b, v[p]);
    if (P->vars[p].type->kind == TY_PTR) {
      args[k++] = var(b, scratch[p]);
    } else {
      int addr = local(b, "p", ir_type_ptr(m, fn->vars[scratch[p]].type), VAR_TEMP);
      Stmt *a = inst(b, &fn->body, OP_ADDR, fn->vars[addr].type, addr);
      a->inst.place = ir_place_new(m, scratch[p], fn->vars[scratch[p]].type);
      args[k++] = var(b, addr);
    }
    args[k++] = var(b, hv[p]);
  }
  int tret = local(b, "t_ret", P->ret, VAR_LOCAL);
  fn->vars[tret].addr_taken = true;
  int addr = local(b, "p", ir_type_ptr(m, P->ret), VAR_TEMP);
  Stmt *a = inst(b, &fn->body, OP_ADDR, fn->vars[addr].type, addr);
  a->inst.place = ir_place_new(m, tret, P->ret);
  args[k++] = var(b, addr);
  int r = local(b, "result", P->ret, VAR_TEMP);
  call(b, &fn->body, tg->name, tg, P->ret, r, args, k);
  for (int p = 0; p < P->nparams; p++)
    if (active[p] && P->vars[p].type->kind == TY_PTR)
      release(b, &fn->body, scratch[p]);
  Stmt *ret = ir_stmt_new(m, ST_RETURN, P->loc, NULL);
  ret->value = var(b, r);
  ir_block_push(m, &fn->body, ret);
  return fn;
}

/* for (i = 0; i < size; i++) { ... }: returns the body block to fill. */
static Block *count_loop(B *b, Block *out, int i, Operand size) {
  Type *lt = b->fn->vars[i].type;
  Stmt *z = inst(b, out, OP_MOV, lt, i);
  z->inst.args[0] = ir_opd_int_typed(lt, 0);
  Stmt *loop = ir_stmt_new(b->m, ST_LOOP, b->loc, NULL);
  loop->loop.id = b->fn->nloops++;
  int c = local(b, "t", ir_type_int(b->m, "int", 4, true), VAR_TEMP);
  Stmt *cmp = inst(b, &loop->loop.cond_b, OP_LT, b->fn->vars[c].type, c);
  cmp->inst.args[0] = var(b, i);
  cmp->inst.args[1] = size;
  loop->loop.cond = var(b, c);
  Stmt *inc = inst(b, &loop->loop.step, OP_ADD, lt, i);
  inc->inst.args[0] = var(b, i);
  inc->inst.args[1] = ir_opd_int_typed(lt, 1);
  ir_block_push(b->m, out, loop);
  return &loop->loop.body;
}

/* store place base[idx] = value */
static void store_at(B *b, Block *out, int base, Operand idx, Operand value) {
  Type *e = b->fn->vars[base].type->elem;
  Place *p = ir_place_new(b->m, base, b->fn->vars[base].type);
  ir_place_push(b->m, p, PJ_INDEX, idx, NULL, e);
  Stmt *s = inst(b, out, OP_STORE, e, -1);
  s->inst.place = p;
  s->inst.args[0] = value;
}

Fn *ad_hessian_fn(AdCtx *ad, const Fn *P, int which, const char *size, Fn *hvp, const char *name) {
  B bb = {ad_module(ad), NULL, P->loc}, *b = &bb;
  Module *m = b->m;
  Fn *fn = new_fn(b, P, name);
  Type *lt = ir_type_int(m, "long", 8, true);
  Type *e = ir_type_unqual(m, P->vars[which].type->elem);
  int *param = ARENA_ARRAY(m->arena, int, P->nparams + 1);
  int h = -1;
  for (int p = 0; p < P->nparams; p++) {
    param[p] = local(b, P->vars[p].name, P->vars[p].type, VAR_PARAM);
    if (p == which)
      h = local(b, arena_printf(m->arena, "h_%s", P->vars[p].name), ir_type_ptr(m, e), VAR_PARAM);
  }
  /* r = f(...): the value, also for an empty array */
  Operand *pargs = ARENA_ARRAY(m->arena, Operand, P->nparams + 1);
  for (int p = 0; p < P->nparams; p++)
    pargs[p] = var(b, param[p]);
  int r = local(b, "result", P->ret, VAR_TEMP);
  call(b, &fn->body, P->name, NULL, P->ret, r, pargs, P->nparams);
  /* v = e_i, row i = H v */
  int v = local(b, "v", ir_type_ptr(m, e), VAR_LOCAL);
  alloc_zeros(b, &fn->body, v, e, size);
  int i = local(b, "i", lt, VAR_LOCAL), j = local(b, "j", lt, VAR_LOCAL);
  Block *row = count_loop(b, &fn->body, i, text(b, size));
  int base = local(b, "k", lt, VAR_TEMP);
  Stmt *mul = inst(b, row, OP_MUL, lt, base);
  mul->inst.args[0] = var(b, i);
  mul->inst.args[1] = text(b, size);
  int rowp = local(b, "row", ir_type_ptr(m, e), VAR_LOCAL);
  Stmt *add = inst(b, row, OP_ADD, ir_type_ptr(m, e), rowp);
  add->inst.args[0] = var(b, h);
  add->inst.args[1] = var(b, base);
  Block *zero = count_loop(b, row, j, text(b, size));
  store_at(b, zero, rowp, var(b, j), ir_opd_float(e, 0, NULL));
  store_at(b, row, v, var(b, i), ir_opd_float(e, 1, NULL));
  Operand *args = ARENA_ARRAY(m->arena, Operand, P->nparams + 3);
  int k = 0;
  for (int p = 0; p < P->nparams; p++) {
    args[k++] = var(b, param[p]);
    if (p == which) {
      args[k++] = var(b, v);
      args[k++] = var(b, rowp);
    }
  }
  call(b, row, hvp->name, hvp, P->ret, -1, args, k);
  store_at(b, row, v, var(b, i), ir_opd_float(e, 0, NULL));
  release(b, &fn->body, v);
  Stmt *ret = ir_stmt_new(m, ST_RETURN, P->loc, NULL);
  ret->value = var(b, r);
  ir_block_push(m, &fn->body, ret);
  return fn;
}

/* base[idx] as an operand: a load into a temporary. */
static Operand load_at(B *b, Block *out, int base, Operand idx) {
  Type *e = b->fn->vars[base].type->elem;
  Place *p = ir_place_new(b->m, base, b->fn->vars[base].type);
  ir_place_push(b->m, p, PJ_INDEX, idx, NULL, e);
  int t = local(b, "t", ir_type_unqual(b->m, e), VAR_TEMP);
  Stmt *s = inst(b, out, OP_LOAD, b->fn->vars[t].type, t);
  s->inst.place = p;
  return var(b, t);
}

/* dst = a * b + c over longs (row-major index). */
static Operand index2(B *b, Block *out, Operand i, Operand n, Operand j) {
  Type *lt = ir_type_int(b->m, "long", 8, true);
  int m = local(b, "k", lt, VAR_TEMP);
  Stmt *mul = inst(b, out, OP_MUL, lt, m);
  mul->inst.args[0] = i;
  mul->inst.args[1] = n;
  int k = local(b, "k", lt, VAR_TEMP);
  Stmt *add = inst(b, out, OP_ADD, lt, k);
  add->inst.args[0] = var(b, m);
  add->inst.args[1] = j;
  return var(b, k);
}

/* Arguments for a JVP or VJP of P: each parameter, and after `in` and `outp` the
 * given derivative arrays; then the trailing result argument when P returns a
 * float (a pointer to a dummy for the JVP, the value 0 for the VJP). */
static Operand *derivative_args(B *b, const Fn *P, const int *param, int in, int outp, int din,
                                int dout, Operand trailing, int *nargs) {
  Operand *args = ARENA_ARRAY(b->m->arena, Operand, P->nparams + 4);
  int k = 0;
  for (int p = 0; p < P->nparams; p++) {
    args[k++] = var(b, param[p]);
    if (p == in)
      args[k++] = var(b, din);
    if (p == outp)
      args[k++] = var(b, dout);
  }
  if (trailing.kind != OPD_NONE)
    args[k++] = trailing;
  *nargs = k;
  return args;
}

Fn *ad_jacobian_fn(AdCtx *ad, const Fn *P, int in, const char *n_text, int outp, const char *m_text,
                   Fn *jvp, Fn *vjp, const char *name) {
  B bb = {ad_module(ad), NULL, P->loc}, *b = &bb;
  Module *m = b->m;
  Fn *fn = new_fn(b, P, name);
  Type *lt = ir_type_int(m, "long", 8, true);
  Type *ei = ir_type_unqual(m, P->vars[in].type->elem);
  Type *eo = ir_type_unqual(m, P->vars[outp].type->elem);
  int *param = ARENA_ARRAY(m->arena, int, P->nparams + 1);
  int jac = -1;
  for (int p = 0; p < P->nparams; p++) {
    param[p] = local(b, P->vars[p].name, P->vars[p].type, VAR_PARAM);
    if (p == outp)
      jac = local(b, arena_printf(m->arena, "j_%s", P->vars[p].name), ir_type_ptr(m, eo), VAR_PARAM);
  }
  Operand n = text(b, n_text), mm = text(b, m_text);
  bool float_ret = ir_type_is_float(P->ret);
  int result = P->ret->kind == TY_VOID ? -1 : local(b, "result", P->ret, VAR_TEMP);
  /* the value (and f's outputs), once */
  Operand *pargs = ARENA_ARRAY(m->arena, Operand, P->nparams + 1);
  for (int p = 0; p < P->nparams; p++)
    pargs[p] = var(b, param[p]);
  call(b, &fn->body, P->name, NULL, P->ret, result, pargs, P->nparams);

  /* n <= m: one JVP per input (a column), else one VJP per output (a row) */
  Stmt *choose = ir_stmt_new(m, ST_IF, P->loc, NULL);
  int c = local(b, "forward", ir_type_int(m, "int", 4, true), VAR_TEMP);
  Stmt *le = inst(b, &fn->body, OP_LE, fn->vars[c].type, c);
  le->inst.args[0] = n;
  le->inst.args[1] = mm;
  choose->if_.cond = var(b, c);
  ir_block_push(m, &fn->body, choose);
  int i = local(b, "i", lt, VAR_LOCAL), j = local(b, "j", lt, VAR_LOCAL);

  /* forward: t_x = e_j, column j of J = t_y */
  {
    Block *fb = &choose->if_.then_b;
    int tx = local(b, arena_printf(m->arena, "t_%s", P->vars[in].name), ir_type_ptr(m, ei), VAR_LOCAL);
    int ty = local(b, arena_printf(m->arena, "t_%s", P->vars[outp].name), ir_type_ptr(m, eo), VAR_LOCAL);
    alloc_zeros(b, fb, tx, ei, n_text);
    alloc_zeros(b, fb, ty, eo, m_text);
    Operand trailing = {.kind = OPD_NONE};
    if (float_ret) {
      int dummy = local(b, "t_ret", P->ret, VAR_LOCAL);
      fn->vars[dummy].addr_taken = true;
      int pd = local(b, "p", ir_type_ptr(m, P->ret), VAR_TEMP);
      Stmt *a = inst(b, fb, OP_ADDR, fn->vars[pd].type, pd);
      a->inst.place = ir_place_new(m, dummy, P->ret);
      trailing = var(b, pd);
    }
    Block *col = count_loop(b, fb, j, n);
    store_at(b, col, tx, var(b, j), ir_opd_float(ei, 1, NULL));
    int nargs;
    Operand *args = derivative_args(b, P, param, in, outp, tx, ty, trailing, &nargs);
    call(b, col, jvp->name, jvp, P->ret, -1, args, nargs);
    store_at(b, col, tx, var(b, j), ir_opd_float(ei, 0, NULL));
    Block *rows = count_loop(b, col, i, mm);
    Operand v = load_at(b, rows, ty, var(b, i));
    store_at(b, rows, jac, index2(b, rows, var(b, i), n, var(b, j)), v);
    release(b, fb, tx);
    release(b, fb, ty);
  }
  /* reverse: d_y = e_i, row i of J = d_x */
  {
    Block *rb = &choose->if_.else_b;
    int dx = local(b, arena_printf(m->arena, "d_%s", P->vars[in].name), ir_type_ptr(m, ei), VAR_LOCAL);
    int dy = local(b, arena_printf(m->arena, "d_%s", P->vars[outp].name), ir_type_ptr(m, eo), VAR_LOCAL);
    alloc_zeros(b, rb, dx, ei, n_text);
    alloc_zeros(b, rb, dy, eo, m_text);
    Operand trailing = float_ret ? ir_opd_float(P->ret, 0, NULL) : (Operand){.kind = OPD_NONE};
    Block *row = count_loop(b, rb, i, mm);
    Block *z = count_loop(b, row, j, n);
    store_at(b, z, dx, var(b, j), ir_opd_float(ei, 0, NULL));
    int k2 = local(b, "k", lt, VAR_LOCAL);
    Block *zy = count_loop(b, row, k2, mm);
    store_at(b, zy, dy, var(b, k2), ir_opd_float(eo, 0, NULL));
    store_at(b, row, dy, var(b, i), ir_opd_float(eo, 1, NULL));
    int nargs;
    Operand *args = derivative_args(b, P, param, in, outp, dx, dy, trailing, &nargs);
    call(b, row, vjp->name, vjp, P->ret, -1, args, nargs);
    Block *cols = count_loop(b, row, j, n);
    Operand v = load_at(b, cols, dx, var(b, j));
    store_at(b, cols, jac, index2(b, cols, var(b, i), n, var(b, j)), v);
    release(b, rb, dx);
    release(b, rb, dy);
  }
  Stmt *ret = ir_stmt_new(m, ST_RETURN, P->loc, NULL);
  if (result >= 0)
    ret->value = var(b, result);
  ir_block_push(m, &fn->body, ret);
  return fn;
}
