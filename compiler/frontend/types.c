/* types.c — libclang types → IR types.
 *
 * Works on canonical types (typedefs and `Elaborated` sugar resolved), so two
 * spellings of one type give one interned Type. Integers keep their canonical C
 * spelling ("unsigned long"); structs are named "struct tag", or by their typedef
 * when anonymous (the canonical spelling of an anonymous struct is unusable).
 * Unsupported types (unions, function pointers, VLAs, long double, ...) are
 * reported at the cursor that uses them and replaced by int so lowering goes on. */
#include "frontend/fe.h"

#include <string.h>

static Type *int_fallback(Fe *fe) { return ir_type_int(fe->m, "int", 4, true); }

static Type *unsupported(Fe *fe, CXCursor where, const char *hint, const char *what) {
  if (!fe->quiet_types)
    fe_error_line(fe, fe_loc(fe, where), hint, what);
  return int_fallback(fe);
}

void fe_note_typedef(Fe *fe, CXCursor td) {
  CXType under = clang_getCanonicalType(clang_getTypedefDeclUnderlyingType(td));
  if (under.kind != CXType_Record)
    return;
  CXCursor rec = clang_getTypeDeclaration(under);
  if (!clang_Cursor_isAnonymous(rec))
    return;
  for (int i = 0; i < fe->typedefs.len; i++)
    if (clang_equalCursors(fe->typedefs.data[i].record, rec))
      return;
  TypedefName tn = {rec, fe_str(fe, clang_getCursorSpelling(td))};
  vec_push(fe->arena, &fe->typedefs, tn);
}

static bool is_signed_kind(enum CXTypeKind k) {
  switch (k) {
  case CXType_Char_S:
  case CXType_SChar:
  case CXType_WChar:
  case CXType_Short:
  case CXType_Int:
  case CXType_Long:
  case CXType_LongLong:
  case CXType_Int128:
    return true;
  default:
    return false;
  }
}

static Type *int_type(Fe *fe, CXType t) {
  const char *name = fe_str(fe, clang_getTypeSpelling(clang_getUnqualifiedType(t)));
  return ir_type_int(fe->m, name, (int)clang_Type_getSizeOf(t), is_signed_kind(t.kind));
}

/* An enum is an int named "enum tag"; anonymous enums use their integer type. */
static Type *enum_type(Fe *fe, CXType t) {
  CXCursor decl = clang_getTypeDeclaration(t);
  if (clang_Cursor_isAnonymous(decl))
    return int_type(fe, clang_getCanonicalType(clang_getEnumDeclIntegerType(decl)));
  const char *name = fe_str(fe, clang_getTypeSpelling(clang_getUnqualifiedType(t)));
  if (strstr(name, "(unnamed") || strstr(name, "(anonymous"))
    return int_type(fe, clang_getCanonicalType(clang_getEnumDeclIntegerType(decl)));
  CXType it = clang_getCanonicalType(clang_getEnumDeclIntegerType(decl));
  return ir_type_int(fe->m, name, (int)clang_Type_getSizeOf(t), is_signed_kind(it.kind));
}

typedef struct FieldList {
  Fe *fe;
  Vec(Field) fields;
} FieldList;

static enum CXVisitorResult visit_field(CXCursor c, CXClientData data) {
  FieldList *fl = data;
  Fe *fe = fl->fe;
  const char *name = fe_str(fe, clang_getCursorSpelling(c));
  CXType ft = clang_getCanonicalType(clang_getCursorType(c));
  if (!name[0] && ft.kind == CXType_Record) {
    /* a C11 anonymous member: its fields are the parent's, as C lets code name them */
    clang_Type_visitFields(ft, visit_field, fl);
    return CXVisit_Continue;
  }
  Field f = {name, fe_type(fe, ft, c)};
  vec_push(fe->arena, &fl->fields, f);
  return CXVisit_Continue;
}

/* Fill the fields of struct type `st` once (recursive types see it unfilled).
 * Field types are converted quietly: a field adjc cannot represent (a function
 * pointer, a union, a bit-field) is an error only where code uses it. */
static void fill_fields(Fe *fe, Type *st, CXType t) {
  for (int i = 0; i < fe->filled.len; i++)
    if (fe->filled.data[i] == st)
      return;
  vec_push(fe->arena, &fe->filled, st);
  FieldList fl = {fe, {0}};
  bool quiet = fe->quiet_types;
  fe->quiet_types = true;
  clang_Type_visitFields(t, visit_field, &fl);
  fe->quiet_types = quiet;
  st->fields = fl.fields.data;
  st->nfields = fl.fields.len;
}

static Type *record_type(Fe *fe, CXType t, CXCursor where) {
  CXCursor decl = clang_getTypeDeclaration(t);
  if (clang_getCursorKind(decl) == CXCursor_UnionDecl)
    return unsupported(fe, where, "use a struct, or keep the union out of differentiated code",
                       "unions are not supported in differentiated code");
  const char *name = NULL;
  if (clang_Cursor_isAnonymous(decl)) {
    for (int i = 0; i < fe->typedefs.len; i++)
      if (clang_equalCursors(fe->typedefs.data[i].record, decl))
        name = fe->typedefs.data[i].name;
    if (!name)
      return unsupported(fe, where, "give the struct a tag or a typedef name",
                         "anonymous struct types are not supported");
  } else {
    name = fe_str(fe, clang_getTypeSpelling(clang_getUnqualifiedType(t)));
  }
  long long size = clang_Type_getSizeOf(t);
  Type *st = ir_type_struct(fe->m, name, size > 0 ? (int)size : 0);
  if (size > 0)
    fill_fields(fe, st, t);
  return st;
}

static Type *array_type(Fe *fe, CXType t, CXCursor where) {
  Type *elem = fe_array_elem(fe, t, where);
  if (t.kind == CXType_ConstantArray)
    return ir_type_array(fe->m, elem, clang_getArraySize(t));
  if (t.kind == CXType_IncompleteArray)
    return ir_type_ptr(fe->m, elem);
  return unsupported(fe, where, "use a fixed size, or a pointer to memory you allocate",
                     "variable-length arrays are not supported in differentiated code");
}

static Type *pointer_type(Fe *fe, CXType t, CXCursor where) {
  CXType pointee = clang_getCanonicalType(clang_getPointeeType(t));
  if ((pointee.kind == CXType_FunctionProto || pointee.kind == CXType_FunctionNoProto) &&
      fe->quiet_types)
    return ir_type_ptr(fe->m, ir_type_void(fe->m));
  if (pointee.kind == CXType_FunctionProto || pointee.kind == CXType_FunctionNoProto)
    return unsupported(fe, where, "call the function directly, or mark it with ADJ_CUSTOM_GRAD",
                       "function pointers are not supported in differentiated code");
  return ir_type_ptr(fe->m, fe_type(fe, pointee, where));
}

static Type *unqualified_type(Fe *fe, CXType t, CXCursor where) {
  switch (t.kind) {
  case CXType_Void:
    return ir_type_void(fe->m);
  case CXType_Float:
    return ir_type_f32(fe->m);
  case CXType_Double:
    return ir_type_f64(fe->m);
  case CXType_LongDouble:
  case CXType_Float128:
  case CXType_Ibm128:
    return unsupported(fe, where, "use double", "long double is not supported");
  case CXType_Half:
  case CXType_Float16:
  case CXType_BFloat16:
    return unsupported(fe, where, "use float or double", "half-precision types are not supported");
  case CXType_Complex:
    return unsupported(fe, where, "use a struct of two doubles",
                       "_Complex types are not supported");
  case CXType_Bool:
  case CXType_Char_U:
  case CXType_UChar:
  case CXType_Char16:
  case CXType_Char32:
  case CXType_UShort:
  case CXType_UInt:
  case CXType_ULong:
  case CXType_ULongLong:
  case CXType_UInt128:
  case CXType_Char_S:
  case CXType_SChar:
  case CXType_WChar:
  case CXType_Short:
  case CXType_Int:
  case CXType_Long:
  case CXType_LongLong:
  case CXType_Int128:
    return int_type(fe, t);
  case CXType_Enum:
    return enum_type(fe, t);
  case CXType_Pointer:
    return pointer_type(fe, t, where);
  case CXType_ConstantArray:
  case CXType_IncompleteArray:
  case CXType_VariableArray:
  case CXType_DependentSizedArray:
    return array_type(fe, t, where);
  case CXType_Record:
    return record_type(fe, t, where);
  case CXType_FunctionProto:
  case CXType_FunctionNoProto:
    return unsupported(fe, where, "call the function directly, or mark it with ADJ_CUSTOM_GRAD",
                       "function pointers are not supported in differentiated code");
  case CXType_Vector:
  case CXType_ExtVector:
    return unsupported(fe, where, "use arrays of float or double",
                       "vector types are not supported");
  case CXType_Atomic:
    return unsupported(fe, where, NULL, "_Atomic types are not supported");
  default: {
    const char *sp = fe_str(fe, clang_getTypeSpelling(t));
    if (!fe->quiet_types)
      fe_error(fe, fe_loc(fe, where), NULL, "type '%s' is not supported", sp);
    return int_fallback(fe);
  }
  }
}

/* t with const on its innermost element (`double[3]` -> `const double[3]`). */
static Type *const_innermost(Fe *fe, Type *t) {
  if (t->kind == TY_ARRAY)
    return ir_type_array(fe->m, const_innermost(fe, t->elem), t->len);
  return t->kind == TY_VOID ? t : ir_type_const(fe->m, t);
}

Type *fe_array_elem(Fe *fe, CXType t, CXCursor where) {
  Type *elem = fe_type(fe, clang_getArrayElementType(t), where);
  /* `const double a[][3]`: libclang keeps the const on the outer array type and
   * reports the element as plain `double[3]`: put it back on the innermost one */
  if (clang_isConstQualifiedType(t))
    elem = const_innermost(fe, elem);
  return elem;
}

Type *fe_type(Fe *fe, CXType t, CXCursor where) {
  CXType c = clang_getCanonicalType(t);
  Type *ty = unqualified_type(fe, c, where);
  if (clang_isConstQualifiedType(c) && ty->kind != TY_VOID && ty->kind != TY_ARRAY)
    ty = ir_type_const(fe->m, ty);
  return ty;
}
