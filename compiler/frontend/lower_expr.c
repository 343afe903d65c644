/* lower_expr.c — C expressions → three-address instructions over variables and places.
 *
 * Key idea: fe_expr lowers an expression bottom-up and returns an Operand (a
 * variable or a constant); the caller may name the variable the last instruction
 * writes (`y = a*b + c` lowers to `%t = mul a, b` then `y = add %t, c`, no copy).
 * Scalar locals, parameters and temporaries are operands; everything else in
 * memory is a Place read with LOAD and written with STORE. Literals keep their
 * spelling; integer constant expressions are folded with clang_Cursor_Evaluate.
 * Implicit conversions (libclang's UnexposedExpr) become CAST when the IR types
 * differ. Every unsupported construct is reported and replaced by a zero so
 * lowering continues and one run reports every problem. */
#include "frontend/fe.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- helpers ---- */

Inst *fe_emit(Lower *l, Op op, Type *type, int dst, Loc loc) {
  Stmt *s = ir_inst_new(l->m, op, type, dst, loc, l->src);
  s->inst.nograd = l->nograd;
  ir_block_push(l->m, l->cur, s);
  return &s->inst;
}

int fe_temp(Lower *l, Type *t) {
  return ir_var_new(l->m, l->fn, "t", ir_type_unqual(l->m, t), VAR_TEMP, l->loc);
}

/* The variable an instruction of type t writes: dst, or a new temporary. */
static int dest(Lower *l, int dst, Type *t) { return dst >= 0 ? dst : fe_temp(l, t); }

int fe_lookup(Lower *l, CXCursor decl) {
  for (int i = l->binds.len - 1; i >= 0; i--)
    if (clang_equalCursors(l->binds.data[i].decl, decl))
      return l->binds.data[i].var;
  return -1;
}

void fe_bind(Lower *l, CXCursor decl, int var) {
  Binding b = {decl, var};
  vec_push(l->m->arena, &l->binds, b);
}

CXCursor fe_strip_parens(CXCursor e) {
  while (clang_getCursorKind(e) == CXCursor_ParenExpr)
    e = fe_child(e, 0);
  return e;
}

Type *fe_expr_type(Lower *l, CXCursor e) { return fe_type(l->fe, clang_getCursorType(e), e); }

static bool is_scalar(const Type *t) {
  return t->kind == TY_INT || t->kind == TY_F32 || t->kind == TY_F64 || t->kind == TY_PTR;
}

static bool same_type(Lower *l, Type *a, Type *b) {
  return ir_type_unqual(l->m, a) == ir_type_unqual(l->m, b);
}

/* A zero of type t, standing in for an expression that could not be lowered. */
static Operand zero(Lower *l, Type *t) {
  if (ir_type_is_float(t))
    return ir_opd_float(t, 0.0, t->kind == TY_F32 ? "0.0f" : "0.0");
  if (t->kind == TY_INT || t->kind == TY_PTR)
    return ir_opd_int_typed(t, 0);
  if (t->kind == TY_VOID)
    return (Operand){.kind = OPD_NONE, .type = t};
  return ir_opd_int(l->m, 0);
}

static Operand unsupported(Lower *l, CXCursor e, const char *hint, const char *what) {
  fe_error(l->fe, fe_loc(l->fe, e), hint, "%s", what);
  return zero(l, fe_expr_type(l, e));
}

/* A C spelling of a float value that stays a floating literal ("2.0", "0.5f"). */
static const char *float_spelling(Lower *l, double v, const Type *t) {
  char buf[64];
  /* INFINITY and NAN come from <math.h>, which code using them includes */
  if (isinf(v))
    return v > 0 ? "INFINITY" : "-INFINITY";
  if (isnan(v))
    return "NAN";
  snprintf(buf, sizeof buf, t->kind == TY_F32 ? "%.9g" : "%.17g", v);
  if (!strpbrk(buf, ".eE"))
    strcat(buf, ".0");
  if (t->kind == TY_F32)
    strcat(buf, "f");
  return arena_strdup(l->m->arena, buf);
}

/* Move v into dst when one was asked for (constants, variables read as is). */
static Operand value_of(Lower *l, Operand v, int dst, Loc loc) {
  if (dst < 0 || v.kind == OPD_NONE || (v.kind == OPD_VAR && v.var == dst))
    return v;
  Inst *in = fe_emit(l, OP_MOV, l->fn->vars[dst].type, dst, loc);
  in->args[0] = v;
  return ir_opd_var(l->fn, dst);
}

/* ---- constants ---- */

/* The text of e when it is exactly one literal token outside a macro, else NULL. */
static const char *literal_spelling(Lower *l, CXCursor e) {
  if (fe_in_macro(e))
    return NULL;
  CXToken *toks = NULL;
  unsigned n = 0;
  clang_tokenize(l->fe->tu, clang_getCursorExtent(e), &toks, &n);
  const char *sp = NULL;
  if (n == 1 && clang_getTokenKind(toks[0]) == CXToken_Literal)
    sp = fe_str(l->fe, clang_getTokenSpelling(l->fe->tu, toks[0]));
  clang_disposeTokens(l->fe->tu, toks, n);
  return sp;
}

/* Fold e with libclang's evaluator into an OPD_INT/OPD_FLOAT of e's type. */
static bool evaluate(Lower *l, CXCursor e, Operand *out) {
  CXEvalResult r = clang_Cursor_Evaluate(e);
  if (!r)
    return false;
  Type *t = ir_type_unqual(l->m, fe_expr_type(l, e));
  bool ok = true;
  CXEvalResultKind k = clang_EvalResult_getKind(r);
  if (k == CXEval_Int && t->kind != TY_F32 && t->kind != TY_F64) {
    long long v = clang_EvalResult_isUnsignedInt(r)
                      ? (long long)clang_EvalResult_getAsUnsigned(r)
                      : clang_EvalResult_getAsLongLong(r);
    *out = ir_opd_int_typed(t, v);
  } else if (k == CXEval_Float && ir_type_is_float(t)) {
    double v = clang_EvalResult_getAsDouble(r);
    *out = ir_opd_float(t, v, float_spelling(l, v, t));
  } else {
    ok = false;
  }
  clang_EvalResult_dispose(r);
  return ok;
}

static Operand literal(Lower *l, CXCursor e, int dst) {
  Operand v;
  if (!evaluate(l, e, &v))
    return unsupported(l, e, NULL, "cannot evaluate this literal");
  const char *sp = literal_spelling(l, e);
  if (sp)
    v.spelling = sp;
  return value_of(l, v, dst, fe_loc(l->fe, e));
}

/* Does e contain anything but constants (variables, calls, side effects)? */
static enum CXChildVisitResult find_nonconst(CXCursor c, CXCursor parent, CXClientData data) {
  (void)parent;
  bool *found = data;
  enum CXCursorKind k = clang_getCursorKind(c);
  if (k == CXCursor_DeclRefExpr) {
    if (clang_getCursorKind(clang_getCursorReferenced(c)) != CXCursor_EnumConstantDecl) {
      *found = true;
      return CXChildVisit_Break;
    }
  } else if (k == CXCursor_CallExpr || k == CXCursor_CompoundAssignOperator ||
             k == CXCursor_StmtExpr || k == CXCursor_StringLiteral ||
             k == CXCursor_ConditionalOperator) {
    *found = true;
    return CXChildVisit_Break;
  } else if (k == CXCursor_BinaryOperator &&
             clang_getCursorBinaryOperatorKind(c) == CXBinaryOperator_Assign) {
    *found = true;
    return CXChildVisit_Break;
  } else if (k == CXCursor_UnaryOperator) {
    enum CXUnaryOperatorKind u = clang_getCursorUnaryOperatorKind(c);
    if (u == CXUnaryOperator_PostInc || u == CXUnaryOperator_PostDec ||
        u == CXUnaryOperator_PreInc || u == CXUnaryOperator_PreDec ||
        u == CXUnaryOperator_AddrOf || u == CXUnaryOperator_Deref) {
      *found = true;
      return CXChildVisit_Break;
    }
  }
  return CXChildVisit_Recurse;
}

/* Fold an integer constant expression made of literals, enum constants, sizeof
 * and operators (`N * 2 + 1`) into one OPD_INT. */
static bool int_constant(Lower *l, CXCursor e, Operand *out) {
  CXType ct = clang_getCanonicalType(clang_getCursorType(e));
  if (ct.kind == CXType_Float || ct.kind == CXType_Double || ct.kind == CXType_Pointer ||
      ct.kind == CXType_Record || ct.kind == CXType_ConstantArray)
    return false;
  bool found = false;
  clang_visitChildren(e, find_nonconst, &found);
  return !found && evaluate(l, e, out);
}

/* ---- variables ---- */

static bool is_global_decl(CXCursor d) {
  CXCursor parent = clang_getCursorSemanticParent(d);
  return clang_getCursorKind(parent) == CXCursor_TranslationUnit ||
         clang_Cursor_getStorageClass(d) == CX_SC_Extern;
}

/* Is t volatile at its top level or at the level it points to, on float data? */
static bool volatile_float(CXType t) {
  t = clang_getCanonicalType(t);
  for (int depth = 0; depth < 2; depth++) {
    CXType base = t;
    while (base.kind == CXType_ConstantArray || base.kind == CXType_IncompleteArray)
      base = clang_getCanonicalType(clang_getArrayElementType(base));
    if (clang_isVolatileQualifiedType(t) || clang_isVolatileQualifiedType(base)) {
      if (base.kind == CXType_Float || base.kind == CXType_Double)
        return true;
    }
    if (t.kind != CXType_Pointer)
      break;
    t = clang_getCanonicalType(clang_getPointeeType(t));
  }
  return false;
}

void fe_check_volatile(Lower *l, CXCursor decl) {
  if (volatile_float(clang_getCursorType(decl)))
    fe_error(l->fe, fe_loc(l->fe, decl), "drop the volatile qualifier, or keep this data out of differentiated code",
             "volatile floating-point data is not supported in differentiated code");
}

/* The variable a DeclRefExpr names; file-scope objects become VAR_GLOBALs on first
 * use in the function. */
static int var_of_ref(Lower *l, CXCursor ref) {
  CXCursor d = clang_getCursorReferenced(ref);
  int v = fe_lookup(l, d);
  if (v >= 0)
    return v;
  CXCursor canon = clang_getCanonicalCursor(d);
  v = fe_lookup(l, canon);
  if (v >= 0)
    return v;
  if (!is_global_decl(d)) {
    fe_error(l->fe, fe_loc(l->fe, ref), NULL, "use of a variable adjc cannot resolve");
    return -1;
  }
  fe_check_volatile(l, d);
  Type *t = fe_type(l->fe, clang_getCursorType(d), ref);
  const char *name = fe_str(l->fe, clang_getCursorSpelling(d));
  v = ir_var_new(l->m, l->fn, name, t, VAR_GLOBAL, fe_loc(l->fe, d));
  fe_bind(l, canon, v);
  return v;
}

/* ---- lvalues and places ---- */

static Place *as_place(Lower *l, LValue lv) {
  if (lv.place)
    return lv.place;
  return ir_place_new(l->m, lv.var, l->fn->vars[lv.var].type);
}

static LValue lv_var(Lower *l, int var) {
  Type *t = l->fn->vars[var].type;
  if (is_scalar(t))
    return (LValue){var, NULL, t};
  return (LValue){-1, ir_place_new(l->m, var, t), t};
}

static LValue lv_place(Place *p) { return (LValue){-1, p, p->type}; }

static bool is_lvalue_kind(enum CXCursorKind k) {
  return k == CXCursor_DeclRefExpr || k == CXCursor_MemberRefExpr ||
         k == CXCursor_ArraySubscriptExpr || k == CXCursor_UnaryOperator;
}

/* Is e an implicit conversion (libclang's UnexposedExpr with one operand and the
 * operand's extent)? Other expressions libclang does not expose, like va_arg or
 * `a ?: b`, fail the test. Sets *child to the operand. */
static bool is_implicit_cast(CXCursor e, CXCursor *child) {
  if (clang_getCursorKind(e) != CXCursor_UnexposedExpr)
    return false;
  CXCursor kids[2];
  if (fe_children(e, kids, 2) != 1 || !clang_isExpression(clang_getCursorKind(kids[0])))
    return false;
  *child = kids[0];
  return clang_equalRanges(clang_getCursorExtent(e), clang_getCursorExtent(kids[0]));
}

/* A no-op implicit conversion (libclang shows lvalue-to-rvalue as UnexposedExpr). */
static bool is_noop_cast(Lower *l, CXCursor e, CXCursor *child) {
  CXCursor kids[1];
  if (!is_implicit_cast(e, &kids[0]))
    return false;
  *child = kids[0];
  CXType a = clang_getCanonicalType(clang_getCursorType(e));
  CXType b = clang_getCanonicalType(clang_getCursorType(kids[0]));
  (void)l;
  return clang_equalTypes(clang_getUnqualifiedType(a), clang_getUnqualifiedType(b));
}

/* An array-to-pointer decay: returns the array expression. */
static bool is_decay(CXCursor e, CXCursor *array) {
  CXCursor kids[1];
  if (!is_implicit_cast(e, &kids[0]))
    return false;
  CXType from = clang_getCanonicalType(clang_getCursorType(kids[0]));
  CXType to = clang_getCanonicalType(clang_getCursorType(e));
  if (to.kind != CXType_Pointer ||
      (from.kind != CXType_ConstantArray && from.kind != CXType_IncompleteArray))
    return false;
  *array = kids[0];
  return true;
}

/* A place to project from, for an expression of pointer type (or an array that
 * decays): the pointer variable, an lvalue holding the pointer, the array itself,
 * or a temporary holding a computed pointer (`(p + 1)->x`). */
static Place *pointer_place(Lower *l, CXCursor e) {
  e = fe_strip_parens(e);
  CXCursor inner;
  if (is_decay(e, &inner))
    return as_place(l, fe_lvalue(l, inner));
  if (is_noop_cast(l, e, &inner) && is_lvalue_kind(clang_getCursorKind(fe_strip_parens(inner))))
    return as_place(l, fe_lvalue(l, inner));
  Operand v = fe_expr(l, e, DST_TEMP);
  if (v.kind != OPD_VAR) {
    int t = fe_temp(l, v.type);
    v = value_of(l, v, t, fe_loc(l->fe, e));
  }
  return ir_place_new(l->m, v.var, l->fn->vars[v.var].type);
}

/* An index operand: a variable or a constant. */
static Operand index_operand(Lower *l, CXCursor e) { return fe_expr(l, e, DST_TEMP); }

static LValue subscript_lvalue(Lower *l, CXCursor e) {
  CXCursor kids[2];
  fe_children(e, kids, 2);
  CXType t0 = clang_getCanonicalType(clang_getCursorType(kids[0]));
  /* `i[a]` is legal C: the base is whichever side is the pointer */
  int base = (t0.kind == CXType_Pointer || t0.kind == CXType_ConstantArray ||
              t0.kind == CXType_IncompleteArray || t0.kind == CXType_VariableArray ||
              t0.kind == CXType_DependentSizedArray)
                 ? 0
                 : 1; /* an array parameter keeps its array type even canonically */
  Place *p = ir_place_clone(l->m, pointer_place(l, kids[base]));
  Operand idx = index_operand(l, kids[1 - base]);
  ir_place_push(l->m, p, PJ_INDEX, idx, NULL, fe_expr_type(l, e));
  return lv_place(p);
}

static LValue member_lvalue(Lower *l, CXCursor e) {
  CXCursor base = fe_child(e, 0);
  const char *field = fe_str(l->fe, clang_getCursorSpelling(e));
  CXCursor decl = clang_getCursorReferenced(e);
  if (clang_Cursor_isBitField(decl))
    fe_error(l->fe, fe_loc(l->fe, e), "use a plain integer field",
             "bit-fields are not supported in differentiated code");
  if (clang_getCursorKind(clang_getCursorSemanticParent(decl)) == CXCursor_UnionDecl)
    fe_error(l->fe, fe_loc(l->fe, e), "use a struct, or keep the union out of differentiated code",
             "unions are not supported in differentiated code");
  CXType bt = clang_getCanonicalType(clang_getCursorType(base));
  Place *p;
  if (bt.kind == CXType_Pointer) {
    p = ir_place_clone(l->m, pointer_place(l, base));
    Type *st = fe_type(l->fe, clang_getPointeeType(bt), e);
    ir_place_push(l->m, p, PJ_DEREF, (Operand){0}, NULL, st);
  } else {
    LValue b = fe_lvalue(l, base);
    p = ir_place_clone(l->m, as_place(l, b));
  }
  ir_place_push(l->m, p, PJ_FIELD, (Operand){0}, field, fe_expr_type(l, e));
  return lv_place(p);
}

static LValue deref_lvalue(Lower *l, CXCursor e) {
  Place *p = ir_place_clone(l->m, pointer_place(l, fe_child(e, 0)));
  ir_place_push(l->m, p, PJ_DEREF, (Operand){0}, NULL, fe_expr_type(l, e));
  return lv_place(p);
}

/* An rvalue that must be addressed (`f().x`): store it in a temporary. */
static LValue temp_lvalue(Lower *l, CXCursor e) {
  Type *t = fe_expr_type(l, e);
  int tmp = fe_temp(l, t);
  fe_expr(l, e, tmp);
  return lv_var(l, tmp);
}

LValue fe_lvalue(Lower *l, CXCursor e) {
  e = fe_strip_parens(e);
  CXCursor inner;
  switch (clang_getCursorKind(e)) {
  case CXCursor_DeclRefExpr: {
    CXCursor d = clang_getCursorReferenced(e);
    enum CXCursorKind dk = clang_getCursorKind(d);
    if (dk != CXCursor_VarDecl && dk != CXCursor_ParmDecl)
      break;
    int v = var_of_ref(l, e);
    if (v < 0)
      return temp_lvalue(l, e);
    return lv_var(l, v);
  }
  case CXCursor_ArraySubscriptExpr:
    return subscript_lvalue(l, e);
  case CXCursor_MemberRefExpr:
    return member_lvalue(l, e);
  case CXCursor_UnaryOperator:
    if (clang_getCursorUnaryOperatorKind(e) == CXUnaryOperator_Deref)
      return deref_lvalue(l, e);
    break;
  case CXCursor_UnexposedExpr:
    if (is_noop_cast(l, e, &inner))
      return fe_lvalue(l, inner);
    break;
  default:
    break;
  }
  return temp_lvalue(l, e);
}

/* Read an lvalue: a scalar variable is its own value; whole struct/array variables
 * are used as operands; other places are LOADed. */
static Operand read_lvalue(Lower *l, LValue lv, int dst, Loc loc) {
  if (lv.var >= 0)
    return value_of(l, ir_opd_var(l->fn, lv.var), dst, loc);
  if (lv.place->nproj == 0)
    return value_of(l, ir_opd_var(l->fn, lv.place->var), dst, loc);
  Type *t = ir_type_unqual(l->m, lv.place->type);
  int d = dest(l, dst, t);
  Inst *in = fe_emit(l, OP_LOAD, t, d, loc);
  in->place = lv.place;
  return ir_opd_var(l->fn, d);
}

void fe_assign(Lower *l, LValue lv, Operand v, Loc loc) {
  if (lv.var >= 0) {
    value_of(l, v, lv.var, loc);
  } else if (lv.place->nproj == 0) {
    value_of(l, v, lv.place->var, loc); /* whole struct: s = mov t */
  } else {
    Inst *in = fe_emit(l, OP_STORE, ir_type_unqual(l->m, lv.place->type), -1, loc);
    in->place = lv.place;
    in->args[0] = v;
  }
}

/* ---- conversions ---- */

/* Convert a constant operand to type `to` at compile time. */
static Operand convert_const(Lower *l, Operand v, Type *to) {
  if (ir_type_is_float(to)) {
    double x = v.kind == OPD_FLOAT ? v.fval : (double)v.ival;
    if (to->kind == TY_F32)
      x = (float)x;
    const char *sp = v.spelling;
    /* keep a float literal's spelling when it already is the right kind */
    bool keep = v.kind == OPD_FLOAT && sp &&
                (to->kind == TY_F64 || strpbrk(sp, "fF") != NULL);
    return ir_opd_float(to, x, keep ? sp : float_spelling(l, x, to));
  }
  long long iv = v.kind == OPD_FLOAT ? (long long)v.fval : v.ival;
  Operand r = ir_opd_int_typed(to, iv);
  if (v.kind == OPD_INT && iv == v.ival)
    r.spelling = v.spelling;
  return r;
}

static Operand convert(Lower *l, Operand v, Type *to, int dst, Loc loc) {
  to = ir_type_unqual(l->m, to);
  if (v.kind == OPD_NONE || same_type(l, v.type, to))
    return value_of(l, v, dst, loc);
  if ((v.kind == OPD_INT || v.kind == OPD_FLOAT) && is_scalar(to))
    return value_of(l, convert_const(l, v, to), dst, loc);
  int d = dest(l, dst, to);
  Inst *in = fe_emit(l, OP_CAST, to, d, loc);
  in->args[0] = v;
  return ir_opd_var(l->fn, d);
}


/* &place exposes the root variable's storage unless the place goes through the root
 * pointer first (`&p[i]`, `&p->x` take the address of what p points to, not of p). */
static void mark_addr_taken(Lower *l, const Place *p) {
  const Var *v = &l->fn->vars[p->var];
  if (v->type->kind != TY_PTR || p->nproj == 0)
    l->fn->vars[p->var].addr_taken = true;
}

static Operand implicit(Lower *l, CXCursor e, int dst) {
  CXCursor kids[1];
  Loc loc = fe_loc(l->fe, e);
  Operand c;
  if (!is_implicit_cast(e, &kids[0])) {
    if (int_constant(l, e, &c))
      return value_of(l, c, dst, loc);
    return unsupported(l, e, NULL, "this expression is not supported in differentiated code");
  }
  CXCursor array;
  if (is_decay(e, &array)) {
    Place *p = ir_place_clone(l->m, as_place(l, fe_lvalue(l, array)));
    Type *pt = ir_type_unqual(l->m, fe_expr_type(l, e));
    ir_place_push(l->m, p, PJ_INDEX, ir_opd_int(l->m, 0), NULL, pt->elem);
    int d = dest(l, dst, pt);
    Inst *in = fe_emit(l, OP_ADDR, pt, d, loc);
    in->place = p;
    mark_addr_taken(l, p);
    return ir_opd_var(l->fn, d);
  }
  CXType from = clang_getCanonicalType(clang_getCursorType(kids[0]));
  if (from.kind == CXType_FunctionProto || from.kind == CXType_FunctionNoProto)
    return unsupported(l, e, "call the function directly, or mark it with ADJ_CUSTOM_GRAD",
                       "function pointers are not supported in differentiated code");
  Type *to = fe_expr_type(l, e);
  if (to->kind == TY_VOID) {
    fe_expr(l, kids[0], DST_DISCARD);
    return (Operand){.kind = OPD_NONE, .type = to};
  }
  Operand v = fe_expr(l, kids[0], same_type(l, fe_expr_type(l, kids[0]), to) ? dst : DST_TEMP);
  return convert(l, v, to, dst, loc);
}

static Operand explicit_cast(Lower *l, CXCursor e, int dst) {
  int n;
  CXCursor *kids = fe_kids(l->fe, e, &n);
  CXCursor child = kids[n - 1];
  Type *to = fe_expr_type(l, e);
  if (to->kind == TY_VOID) {
    fe_expr(l, child, DST_DISCARD);
    return (Operand){.kind = OPD_NONE, .type = to};
  }
  Operand v = fe_expr(l, child, DST_TEMP);
  return convert(l, v, to, dst, fe_loc(l->fe, e));
}

/* ---- operators ---- */

static Operand binop(Lower *l, Op op, Type *t, Operand a, Operand b, int dst, Loc loc) {
  int d = dest(l, dst, t);
  Inst *in = fe_emit(l, op, ir_type_unqual(l->m, t), d, loc);
  in->args[0] = a;
  in->args[1] = b;
  return ir_opd_var(l->fn, d);
}

static Op binary_op(enum CXBinaryOperatorKind k) {
  switch (k) {
  case CXBinaryOperator_Mul: case CXBinaryOperator_MulAssign: return OP_MUL;
  case CXBinaryOperator_Div: case CXBinaryOperator_DivAssign: return OP_DIV;
  case CXBinaryOperator_Rem: case CXBinaryOperator_RemAssign: return OP_REM;
  case CXBinaryOperator_Add: case CXBinaryOperator_AddAssign: return OP_ADD;
  case CXBinaryOperator_Sub: case CXBinaryOperator_SubAssign: return OP_SUB;
  case CXBinaryOperator_Shl: case CXBinaryOperator_ShlAssign: return OP_SHL;
  case CXBinaryOperator_Shr: case CXBinaryOperator_ShrAssign: return OP_SHR;
  case CXBinaryOperator_And: case CXBinaryOperator_AndAssign: return OP_BAND;
  case CXBinaryOperator_Or: case CXBinaryOperator_OrAssign: return OP_BOR;
  case CXBinaryOperator_Xor: case CXBinaryOperator_XorAssign: return OP_BXOR;
  case CXBinaryOperator_LT: return OP_LT;
  case CXBinaryOperator_GT: return OP_GT;
  case CXBinaryOperator_LE: return OP_LE;
  case CXBinaryOperator_GE: return OP_GE;
  case CXBinaryOperator_EQ: return OP_EQ;
  case CXBinaryOperator_NE: return OP_NE;
  default: return OP_COUNT;
  }
}

/* A nonzero test as an int: `a != 0` (for ints, floats and pointers). */
static Operand truth(Lower *l, Operand a, int dst, Loc loc) {
  Type *it = ir_type_int(l->m, "int", 4, true);
  return binop(l, OP_NE, it, a, zero(l, a.type), dst, loc);
}

Operand fe_cond(Lower *l, CXCursor e) {
  Operand v = fe_expr(l, e, DST_TEMP);
  if (v.kind == OPD_VAR && (v.type->kind == TY_PTR || ir_type_is_float(v.type)))
    return truth(l, v, DST_TEMP, fe_loc(l->fe, e));
  if (v.kind == OPD_FLOAT)
    return ir_opd_int(l->m, v.fval != 0.0);
  return v;
}

/* `a && b`, `a || b`: if (a) r = b != 0; else r = 0 (|| mirrors it). */
static Operand logical(Lower *l, CXCursor e, bool is_and, int dst) {
  CXCursor kids[2];
  fe_children(e, kids, 2);
  Loc loc = fe_loc(l->fe, e);
  Operand a = fe_cond(l, kids[0]);
  int r = fe_temp(l, ir_type_int(l->m, "int", 4, true));
  Stmt *st = ir_stmt_new(l->m, ST_IF, l->loc, l->src);
  st->if_.cond = a;
  ir_block_push(l->m, l->cur, st);
  Block *saved = l->cur;
  l->cur = is_and ? &st->if_.then_b : &st->if_.else_b;
  truth(l, fe_expr(l, kids[1], DST_TEMP), r, loc);
  l->cur = is_and ? &st->if_.else_b : &st->if_.then_b;
  value_of(l, ir_opd_int(l->m, is_and ? 0 : 1), r, loc);
  l->cur = saved;
  return value_of(l, ir_opd_var(l->fn, r), dst, loc);
}

/* `c ? a : b`: both arms lowered inside their branch, writing one temporary. */
static Operand conditional(Lower *l, CXCursor e, int dst) {
  CXCursor kids[3];
  if (fe_children(e, kids, 3) != 3)
    return unsupported(l, e, "write the condition twice: c ? c : d",
                       "the GNU '?:' operator with an omitted middle operand is not supported");
  Loc loc = fe_loc(l->fe, e);
  Type *t = fe_expr_type(l, e);
  Operand c = fe_cond(l, kids[0]);
  int r = t->kind == TY_VOID ? DST_DISCARD : fe_temp(l, t);
  Stmt *st = ir_stmt_new(l->m, ST_IF, l->loc, l->src);
  st->if_.cond = c;
  ir_block_push(l->m, l->cur, st);
  Block *saved = l->cur;
  l->cur = &st->if_.then_b;
  fe_expr(l, kids[1], r);
  l->cur = &st->if_.else_b;
  fe_expr(l, kids[2], r);
  l->cur = saved;
  if (r < 0)
    return (Operand){.kind = OPD_NONE, .type = t};
  return value_of(l, ir_opd_var(l->fn, r), dst, loc);
}

static Operand assign(Lower *l, CXCursor e, int dst) {
  CXCursor kids[2];
  fe_children(e, kids, 2);
  Loc loc = fe_loc(l->fe, e);
  LValue lv = fe_lvalue(l, kids[0]);
  /* a scalar or a whole struct variable is written by the last instruction */
  int whole = lv.var >= 0 ? lv.var : lv.place->nproj == 0 ? lv.place->var : -1;
  if (whole >= 0) {
    Operand v = fe_expr(l, kids[1], whole);
    return value_of(l, v, dst, loc);
  }
  Operand v = fe_expr(l, kids[1], DST_TEMP);
  fe_assign(l, lv, v, loc);
  return value_of(l, v, dst, loc);
}

/* `x op= e`, computed in C's type (`int i; i += 0.5` adds in double). */
static Operand compound_assign(Lower *l, CXCursor e, int dst) {
  CXCursor kids[2];
  fe_children(e, kids, 2);
  Loc loc = fe_loc(l->fe, e);
  Op op = binary_op(clang_getCursorBinaryOperatorKind(e));
  LValue lv = fe_lvalue(l, kids[0]);
  Operand rhs = fe_expr(l, kids[1], DST_TEMP);
  Type *lt = ir_type_unqual(l->m, lv.type);
  Operand cur = read_lvalue(l, lv, DST_TEMP, loc);
  /* clang converts the right operand to the computation type, except for shifts */
  bool lhs_type = op == OP_SHL || op == OP_SHR || lt->kind == TY_PTR;
  Type *ct = lhs_type ? lt : ir_type_unqual(l->m, rhs.type);
  Operand r;
  if (ct == lt) {
    r = binop(l, op, lt, cur, rhs, lv.var >= 0 ? lv.var : DST_TEMP, loc);
  } else {
    Operand c = convert(l, cur, ct, DST_TEMP, loc);
    Operand t = binop(l, op, ct, c, rhs, DST_TEMP, loc);
    r = convert(l, t, lt, lv.var >= 0 ? lv.var : DST_TEMP, loc);
  }
  if (lv.var < 0)
    fe_assign(l, lv, r, loc);
  return value_of(l, r, dst, loc);
}

static Operand binary(Lower *l, CXCursor e, int dst) {
  enum CXBinaryOperatorKind k = clang_getCursorBinaryOperatorKind(e);
  CXCursor kids[2];
  fe_children(e, kids, 2);
  switch (k) {
  case CXBinaryOperator_Assign:
    return assign(l, e, dst);
  case CXBinaryOperator_Comma:
    fe_expr(l, kids[0], DST_DISCARD);
    return fe_expr(l, kids[1], dst);
  case CXBinaryOperator_LAnd:
  case CXBinaryOperator_LOr:
    return logical(l, e, k == CXBinaryOperator_LAnd, dst);
  default:
    break;
  }
  Op op = binary_op(k);
  if (op == OP_COUNT)
    return unsupported(l, e, NULL, "this operator is not supported");
  Operand c;
  if (int_constant(l, e, &c))
    return value_of(l, c, dst, fe_loc(l->fe, e));
  Operand a = fe_expr(l, kids[0], DST_TEMP);
  Operand b = fe_expr(l, kids[1], DST_TEMP);
  Type *t = fe_expr_type(l, e);
  /* pointer arithmetic keeps the pointer first: i + p → p + i */
  if (op == OP_ADD && b.type->kind == TY_PTR && a.type->kind != TY_PTR) {
    Operand x = a;
    a = b;
    b = x;
  }
  return binop(l, op, t, a, b, dst, fe_loc(l->fe, e));
}

/* ++/-- on ints, floats and pointers; the value is the new one (pre) or the old. */
static Operand incdec(Lower *l, CXCursor e, bool inc, bool post, int dst) {
  Loc loc = fe_loc(l->fe, e);
  LValue lv = fe_lvalue(l, fe_child(e, 0));
  Type *t = ir_type_unqual(l->m, lv.type);
  Operand one = ir_type_is_float(t) ? ir_opd_float(t, 1.0, t->kind == TY_F32 ? "1.0f" : "1.0")
                : t->kind == TY_PTR  ? ir_opd_int(l->m, 1)
                                     : ir_opd_int_typed(t, 1);
  Op op = inc ? OP_ADD : OP_SUB;
  if (lv.var >= 0) {
    Operand old = ir_opd_var(l->fn, lv.var);
    if (post && dst != DST_DISCARD)
      old = value_of(l, old, fe_temp(l, t), loc);
    Operand nv = binop(l, op, t, ir_opd_var(l->fn, lv.var), one, lv.var, loc);
    return value_of(l, post ? old : nv, dst, loc);
  }
  Operand old = read_lvalue(l, lv, DST_TEMP, loc);
  Operand nv = binop(l, op, t, old, one, DST_TEMP, loc);
  fe_assign(l, lv, nv, loc);
  return value_of(l, post ? old : nv, dst, loc);
}

static Operand negate(Lower *l, CXCursor e, int dst) {
  Loc loc = fe_loc(l->fe, e);
  Operand a = fe_expr(l, fe_child(e, 0), DST_TEMP);
  if (a.kind == OPD_INT || a.kind == OPD_FLOAT) {
    /* fold -literal, keeping its spelling: "-0.5" */
    const char *sp = a.spelling;
    if (sp)
      a.spelling = sp[0] == '-' ? sp + 1 : arena_printf(l->m->arena, "-%s", sp);
    if (a.kind == OPD_INT)
      a.ival = -a.ival;
    else
      a.fval = -a.fval;
    return value_of(l, a, dst, loc);
  }
  int d = dest(l, dst, a.type);
  Inst *in = fe_emit(l, OP_NEG, ir_type_unqual(l->m, fe_expr_type(l, e)), d, loc);
  in->args[0] = a;
  return ir_opd_var(l->fn, d);
}

static Operand unop(Lower *l, CXCursor e, Op op, int dst) {
  Operand a = fe_expr(l, fe_child(e, 0), DST_TEMP);
  Type *t = ir_type_unqual(l->m, fe_expr_type(l, e));
  int d = dest(l, dst, t);
  Inst *in = fe_emit(l, op, t, d, fe_loc(l->fe, e));
  in->args[0] = a;
  return ir_opd_var(l->fn, d);
}

static Operand address_of(Lower *l, CXCursor e, int dst) {
  CXCursor child = fe_strip_parens(fe_child(e, 0));
  CXType ct = clang_getCanonicalType(clang_getCursorType(child));
  if (ct.kind == CXType_FunctionProto || ct.kind == CXType_FunctionNoProto)
    return unsupported(l, e, "call the function directly, or mark it with ADJ_CUSTOM_GRAD",
                       "function pointers are not supported in differentiated code");
  Place *p = as_place(l, fe_lvalue(l, child));
  mark_addr_taken(l, p);
  Type *t = ir_type_unqual(l->m, fe_expr_type(l, e));
  int d = dest(l, dst, t);
  Inst *in = fe_emit(l, OP_ADDR, t, d, fe_loc(l->fe, e));
  in->place = p;
  return ir_opd_var(l->fn, d);
}

static Operand unary(Lower *l, CXCursor e, int dst) {
  Operand c;
  switch (clang_getCursorUnaryOperatorKind(e)) {
  case CXUnaryOperator_PostInc: return incdec(l, e, true, true, dst);
  case CXUnaryOperator_PostDec: return incdec(l, e, false, true, dst);
  case CXUnaryOperator_PreInc: return incdec(l, e, true, false, dst);
  case CXUnaryOperator_PreDec: return incdec(l, e, false, false, dst);
  case CXUnaryOperator_AddrOf: return address_of(l, e, dst);
  case CXUnaryOperator_Deref:
    return read_lvalue(l, fe_lvalue(l, e), dst, fe_loc(l->fe, e));
  case CXUnaryOperator_Plus:
  case CXUnaryOperator_Extension:
    return fe_expr(l, fe_child(e, 0), dst);
  case CXUnaryOperator_Minus:
    return negate(l, e, dst);
  case CXUnaryOperator_Not:
    if (int_constant(l, e, &c))
      return value_of(l, c, dst, fe_loc(l->fe, e));
    return unop(l, e, OP_BNOT, dst);
  case CXUnaryOperator_LNot:
    return unop(l, e, OP_LNOT, dst);
  case CXUnaryOperator_Real:
  case CXUnaryOperator_Imag:
    return unsupported(l, e, "use a struct of two doubles", "_Complex types are not supported");
  default:
    return unsupported(l, e, NULL, "this operator is not supported");
  }
}

/* ---- calls ---- */

static bool is_setjmp(const char *name) {
  return str_eq(name, "setjmp") || str_eq(name, "longjmp") || str_eq(name, "_setjmp") ||
         str_eq(name, "sigsetjmp") || str_eq(name, "siglongjmp") || str_eq(name, "_longjmp") ||
         str_eq(name, "__sigsetjmp");
}

static Operand *call_args(Lower *l, CXCursor e, int *n) {
  *n = clang_Cursor_getNumArguments(e);
  Operand *args = ARENA_ARRAY(l->m->arena, Operand, *n ? *n : 1);
  for (int i = 0; i < *n; i++)
    args[i] = fe_expr(l, clang_Cursor_getArgument(e, (unsigned)i), DST_TEMP);
  return args;
}

/* sin(x) → `sin x`, with the type of the call (sinf → float). */
static Operand math_call(Lower *l, CXCursor e, Op op, int dst) {
  int n;
  Operand *args = call_args(l, e, &n);
  Type *t = ir_type_unqual(l->m, fe_expr_type(l, e));
  int d = dest(l, dst, t);
  Inst *in = fe_emit(l, op, t, d, fe_loc(l->fe, e));
  for (int i = 0; i < n && i < 3; i++)
    in->args[i] = args[i];
  return ir_opd_var(l->fn, d);
}

static Operand call(Lower *l, CXCursor e, int dst) {
  CXCursor callee = clang_getCursorReferenced(e);
  if (clang_getCursorKind(callee) != CXCursor_FunctionDecl)
    return unsupported(l, e, "call the function directly, or mark it with ADJ_CUSTOM_GRAD",
                       "calls through function pointers are not supported");
  const char *name = fe_str(l->fe, clang_getCursorSpelling(callee));
  Loc loc = fe_loc(l->fe, e);
  int nargs = clang_Cursor_getNumArguments(e);
  Operand c;
  /* builtins that fold: INFINITY, NAN, HUGE_VAL (__builtin_inff(), ...) */
  if (str_starts(name, "__builtin_") && evaluate(l, e, &c))
    return value_of(l, c, dst, loc);
  if (is_setjmp(name))
    return unsupported(l, e, "restructure the code with return values",
                       "setjmp and longjmp are not supported in differentiated code");
  if (str_eq(name, "adj_stop_gradient") && nargs == 1)
    return math_call(l, e, OP_STOPGRAD, dst);
  if (str_eq(name, "adj__no_grad_scope"))
    return unsupported(l, e, "write ADJ_NO_GRAD { ... } as a statement",
                       "ADJ_NO_GRAD must be used as a statement");
  int op = fe_math_op(name);
  if (op >= 0 && ir_ops[op].arity == nargs &&
      clang_Location_isInSystemHeader(clang_getCursorLocation(callee)))
    return math_call(l, e, (Op)op, dst);
  int n;
  Operand *args = call_args(l, e, &n);
  Type *t = ir_type_unqual(l->m, fe_expr_type(l, e));
  int d = (t->kind == TY_VOID || dst == DST_DISCARD) ? -1 : dest(l, dst, t);
  Inst *in = fe_emit(l, OP_CALL, t, d, loc);
  in->call_args = args;
  in->ncall_args = n;
  in->callee = name;
  if (!str_starts(name, "__builtin_"))
    in->callee_fn = fe_callee_fn(l->fe, callee);
  if (d < 0)
    return (Operand){.kind = OPD_NONE, .type = t};
  return ir_opd_var(l->fn, d);
}

/* ---- dispatch ---- */

static Operand decl_ref(Lower *l, CXCursor e, int dst) {
  CXCursor d = clang_getCursorReferenced(e);
  Loc loc = fe_loc(l->fe, e);
  switch (clang_getCursorKind(d)) {
  case CXCursor_EnumConstantDecl: {
    Operand v = ir_opd_int_typed(ir_type_unqual(l->m, fe_expr_type(l, e)),
                                 clang_getEnumConstantDeclValue(d));
    v.spelling = fe_str(l->fe, clang_getCursorSpelling(d));
    return value_of(l, v, dst, loc);
  }
  case CXCursor_VarDecl:
  case CXCursor_ParmDecl:
    return read_lvalue(l, fe_lvalue(l, e), dst, loc);
  case CXCursor_FunctionDecl:
    return unsupported(l, e, "call the function directly, or mark it with ADJ_CUSTOM_GRAD",
                       "function pointers are not supported in differentiated code");
  default:
    return unsupported(l, e, NULL, "this name is not supported in differentiated code");
  }
}

/* `(struct vec){a, b}`: a temporary (or dst) initialized like a declaration. */
static Operand compound_literal(Lower *l, CXCursor e, int dst) {
  int n;
  CXCursor *kids = fe_kids(l->fe, e, &n);
  CXCursor init = clang_getNullCursor();
  for (int i = 0; i < n; i++)
    if (clang_getCursorKind(kids[i]) == CXCursor_InitListExpr)
      init = kids[i];
  if (clang_Cursor_isNull(init))
    return unsupported(l, e, NULL, "this compound literal is not supported");
  Type *t = ir_type_unqual(l->m, fe_expr_type(l, e));
  int v = dst >= 0 ? dst : fe_temp(l, t);
  fe_init(l, v, init);
  return ir_opd_var(l->fn, v);
}

static Operand sizeof_expr(Lower *l, CXCursor e, int dst) {
  Operand c;
  if (evaluate(l, e, &c))
    return value_of(l, c, dst, fe_loc(l->fe, e));
  return unsupported(l, e, "use a fixed-size type",
                     "sizeof of a variable-length array is not supported");
}

Operand fe_expr(Lower *l, CXCursor e, int dst) {
  Loc loc = fe_loc(l->fe, e);
  switch (clang_getCursorKind(e)) {
  case CXCursor_IntegerLiteral:
  case CXCursor_FloatingLiteral:
  case CXCursor_CharacterLiteral:
    return literal(l, e, dst);
  case CXCursor_ParenExpr:
    return fe_expr(l, fe_child(e, 0), dst);
  case CXCursor_DeclRefExpr:
    return decl_ref(l, e, dst);
  case CXCursor_MemberRefExpr:
  case CXCursor_ArraySubscriptExpr:
    return read_lvalue(l, fe_lvalue(l, e), dst, loc);
  case CXCursor_UnaryOperator:
    return unary(l, e, dst);
  case CXCursor_BinaryOperator:
    return binary(l, e, dst);
  case CXCursor_CompoundAssignOperator:
    return compound_assign(l, e, dst);
  case CXCursor_ConditionalOperator:
    return conditional(l, e, dst);
  case CXCursor_CStyleCastExpr:
    return explicit_cast(l, e, dst);
  case CXCursor_UnexposedExpr:
    return implicit(l, e, dst);
  case CXCursor_CallExpr:
    return call(l, e, dst);
  case CXCursor_UnaryExpr:
    return sizeof_expr(l, e, dst);
  case CXCursor_StringLiteral:
    return unsupported(l, e, "move printing out of the differentiated function",
                       "string literals are not supported in differentiated code");
  case CXCursor_StmtExpr:
    return unsupported(l, e, "use a helper function or plain statements",
                       "GNU statement expressions are not supported by adjc");
  case CXCursor_CompoundLiteralExpr:
    return compound_literal(l, e, dst);
  case CXCursor_InitListExpr:
    return unsupported(l, e, "declare a variable with an initializer instead",
                       "initializer lists are only supported in declarations");
  case CXCursor_AddrLabelExpr:
    return unsupported(l, e, "restructure the loop with break, continue or a flag variable",
                       "label addresses (computed goto) are not supported by adjc");
  case CXCursor_GenericSelectionExpr:
    return unsupported(l, e, "call the type-specific function directly",
                       "_Generic is not supported in differentiated code");
  default: {
    Operand c;
    if (int_constant(l, e, &c))
      return value_of(l, c, dst, loc);
    const char *kind = fe_str(l->fe, clang_getCursorKindSpelling(clang_getCursorKind(e)));
    fe_error(l->fe, loc, NULL, "this expression (%s) is not supported in differentiated code",
             kind);
    return zero(l, fe_expr_type(l, e));
  }
  }
}
