/* lower_init.c — initializers of local declarations.
 *
 * A scalar initializer is an instruction writing the variable. A brace list on an
 * array or struct becomes one STORE per element written, in order, then zeroes
 * for every element not written, as C requires (`double a[100] = {1}` stores 1,
 * then a loop stores 0 into a[1..99]). Designators `.field =` and `[index] =` are
 * supported one level deep; brace elision (`double m[2][2] = {1, 2, 3, 4}`) is
 * reported, since libclang only shows the syntactic list. */
#include "frontend/fe.h"

static void init_value(Lower *l, Place *p, Type *t, CXCursor v);

static Operand zero_of(Lower *l, Type *t) {
  t = ir_type_unqual(l->m, t);
  if (ir_type_is_float(t))
    return ir_opd_float(t, 0.0, t->kind == TY_F32 ? "0.0f" : "0.0");
  return ir_opd_int_typed(t, 0);
}

static Place *project(Lower *l, const Place *base, ProjKind kind, Operand idx,
                      const char *field, Type *t) {
  Place *p = ir_place_clone(l->m, base);
  ir_place_push(l->m, p, kind, idx, field, t);
  return p;
}

static void zero_fill(Lower *l, Place *p, Type *t, Loc loc);

/* for (i = from; i < to; i++) zero_fill(p[i]) */
static void zero_loop(Lower *l, Place *p, Type *elem, long long from, long long to, Loc loc) {
  Type *it = ir_type_int(l->m, "int", 4, true);
  int i = fe_temp(l, it);
  Inst *init = fe_emit(l, OP_MOV, it, i, loc);
  init->args[0] = ir_opd_int(l->m, from);
  Stmt *st = ir_stmt_new(l->m, ST_LOOP, l->loc, l->src);
  st->loop.id = l->fn->nloops++;
  ir_block_push(l->m, l->cur, st);
  Block *saved = l->cur;
  l->cur = &st->loop.cond_b;
  int c = fe_temp(l, it);
  Inst *lt = fe_emit(l, OP_LT, it, c, loc);
  lt->args[0] = ir_opd_var(l->fn, i);
  lt->args[1] = ir_opd_int(l->m, to);
  st->loop.cond = ir_opd_var(l->fn, c);
  l->cur = &st->loop.body;
  zero_fill(l, project(l, p, PJ_INDEX, ir_opd_var(l->fn, i), NULL, elem), elem, loc);
  l->cur = &st->loop.step;
  Inst *inc = fe_emit(l, OP_ADD, it, i, loc);
  inc->args[0] = ir_opd_var(l->fn, i);
  inc->args[1] = ir_opd_int(l->m, 1);
  l->cur = saved;
}

/* Zero the elements of array place p not marked in `set`; runs longer than 4
 * become loops. */
static void zero_elements(Lower *l, Place *p, Type *t, const bool *set, Loc loc) {
  for (long long i = 0; i < t->len;) {
    if (set && set[i]) {
      i++;
      continue;
    }
    long long j = i;
    while (j < t->len && !(set && set[j]))
      j++;
    if (j - i > 4) {
      zero_loop(l, p, t->elem, i, j, loc);
    } else {
      for (long long k = i; k < j; k++)
        zero_fill(l, project(l, p, PJ_INDEX, ir_opd_int(l->m, k), NULL, t->elem), t->elem, loc);
    }
    i = j;
  }
}

static void zero_fill(Lower *l, Place *p, Type *t, Loc loc) {
  if (t->kind == TY_ARRAY) {
    zero_elements(l, p, t, NULL, loc);
  } else if (t->kind == TY_STRUCT) {
    for (int f = 0; f < t->nfields; f++)
      zero_fill(l, project(l, p, PJ_FIELD, (Operand){0}, t->fields[f].name, t->fields[f].type),
                t->fields[f].type, loc);
  } else {
    fe_assign(l, (LValue){-1, p, t}, zero_of(l, t), loc);
  }
}

/* A designated initializer `.x = v` / `[i] = v`: its designator and value. */
static bool designated(Lower *l, CXCursor c, CXCursor *desig, CXCursor *value) {
  if (clang_getCursorKind(c) != CXCursor_UnexposedExpr)
    return false;
  int n;
  CXCursor *kids = fe_kids(l->fe, c, &n);
  if (n < 2)
    return false;
  if (n > 2)
    fe_error(l->fe, fe_loc(l->fe, c), "write the nested initializer in braces",
             "nested designators are not supported");
  *desig = kids[0];
  *value = kids[n - 1];
  return true;
}

static long long const_index(Lower *l, CXCursor e) {
  CXEvalResult r = clang_Cursor_Evaluate(e);
  long long v = 0;
  if (r && clang_EvalResult_getKind(r) == CXEval_Int)
    v = clang_EvalResult_getAsLongLong(r);
  else
    fe_error(l->fe, fe_loc(l->fe, e), NULL, "array designator is not a constant");
  if (r)
    clang_EvalResult_dispose(r);
  return v;
}

static void init_array(Lower *l, Place *p, Type *t, CXCursor list) {
  int n;
  CXCursor *kids = fe_kids(l->fe, list, &n);
  bool *set = ARENA_ARRAY(l->m->arena, bool, t->len ? t->len : 1);
  long long idx = 0;
  for (int k = 0; k < n; k++) {
    CXCursor v = kids[k], d;
    if (designated(l, kids[k], &d, &v))
      idx = const_index(l, d);
    if (idx < 0 || idx >= t->len) {
      fe_error(l->fe, fe_loc(l->fe, kids[k]), NULL, "excess elements in array initializer");
      return;
    }
    init_value(l, project(l, p, PJ_INDEX, ir_opd_int(l->m, idx), NULL, t->elem), t->elem, v);
    set[idx++] = true;
  }
  zero_elements(l, p, t, set, fe_loc(l->fe, list));
}

static int field_index(const Type *t, const char *name) {
  for (int f = 0; f < t->nfields; f++)
    if (str_eq(t->fields[f].name, name))
      return f;
  return -1;
}

static void init_struct(Lower *l, Place *p, Type *t, CXCursor list) {
  int n;
  CXCursor *kids = fe_kids(l->fe, list, &n);
  bool *set = ARENA_ARRAY(l->m->arena, bool, t->nfields ? t->nfields : 1);
  int f = 0;
  for (int k = 0; k < n; k++) {
    CXCursor v = kids[k], d;
    if (designated(l, kids[k], &d, &v)) {
      const char *name = fe_str(l->fe, clang_getCursorSpelling(d));
      f = field_index(t, name);
    }
    if (f < 0 || f >= t->nfields) {
      fe_error(l->fe, fe_loc(l->fe, kids[k]), NULL, "cannot match this initializer to a field");
      return;
    }
    Field *fd = &t->fields[f];
    init_value(l, project(l, p, PJ_FIELD, (Operand){0}, fd->name, fd->type), fd->type, v);
    set[f++] = true;
  }
  for (int i = 0; i < t->nfields; i++)
    if (!set[i])
      zero_fill(l, project(l, p, PJ_FIELD, (Operand){0}, t->fields[i].name, t->fields[i].type),
                t->fields[i].type, fe_loc(l->fe, list));
}

/* Initialize place p of type t from v (a brace list or an expression). */
static void init_value(Lower *l, Place *p, Type *t, CXCursor v) {
  Loc loc = fe_loc(l->fe, v);
  bool list = clang_getCursorKind(v) == CXCursor_InitListExpr;
  if (list && t->kind == TY_ARRAY) {
    init_array(l, p, t, v);
  } else if (list && t->kind == TY_STRUCT) {
    init_struct(l, p, t, v);
  } else if (list) {
    /* braces around a scalar: int x = {3}; */
    CXCursor inner = fe_child(v, 0);
    if (clang_Cursor_isNull(inner))
      fe_assign(l, (LValue){-1, p, t}, zero_of(l, t), loc);
    else
      init_value(l, p, t, inner);
  } else if (t->kind == TY_ARRAY ||
             (t->kind == TY_STRUCT && ir_type_unqual(l->m, fe_expr_type(l, v)) !=
                                          ir_type_unqual(l->m, t))) {
    if (clang_getCursorKind(v) == CXCursor_StringLiteral)
      fe_error(l->fe, loc, "move printing out of the differentiated function",
               "string literals are not supported in differentiated code");
    else
      fe_error(l->fe, loc, "add the inner braces",
               "initializers without inner braces are not supported");
  } else {
    fe_assign(l, (LValue){-1, p, t}, fe_expr(l, v, DST_TEMP), loc);
  }
}

void fe_init(Lower *l, int var, CXCursor init) {
  Type *t = l->fn->vars[var].type;
  bool list = clang_getCursorKind(init) == CXCursor_InitListExpr;
  if (!list && (t->kind == TY_STRUCT || t->kind != TY_ARRAY)) {
    fe_expr(l, init, var); /* scalars, and struct copies: s = mov t */
    return;
  }
  if (list && t->kind != TY_ARRAY && t->kind != TY_STRUCT) {
    CXCursor inner = fe_child(init, 0);
    if (clang_Cursor_isNull(inner))
      fe_assign(l, (LValue){var, NULL, t}, zero_of(l, t), fe_loc(l->fe, init));
    else
      fe_expr(l, inner, var);
    return;
  }
  init_value(l, ir_place_new(l->m, var, t), t, init);
}
