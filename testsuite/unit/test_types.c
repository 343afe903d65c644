/* test_types.c — unit tests of ir/type.c: interning (pointer equality is type
 * equality), C declarator spelling for the emitter, and ir_type_has_float. */
#include "check.h"
#include "ir/ir.h"

#include <stdlib.h>

static Module *m;

/* The C declaration of `name` with type t, as the emitter writes it. */
static const char *decl(const Type *t, const char *name) {
  static char buf[256];
  StrBuf sb = {0};
  ir_type_decl(&sb, t, name);
  snprintf(buf, sizeof buf, "%s", sb.data ? sb.data : "");
  sb_free(&sb);
  return buf;
}

static void test_interning(void) {
  Type *f64 = ir_type_f64(m);
  CHECK(ir_type_f64(m) == f64);
  CHECK(ir_type_f32(m) != f64);
  CHECK(ir_type_ptr(m, f64) == ir_type_ptr(m, f64));
  CHECK(ir_type_ptr(m, f64) != ir_type_ptr(m, ir_type_f32(m)));
  CHECK(ir_type_array(m, f64, 3) == ir_type_array(m, f64, 3));
  CHECK(ir_type_array(m, f64, 3) != ir_type_array(m, f64, 4));
  CHECK(ir_type_int(m, "int", 4, true) == ir_type_int(m, "int", 4, true));
  CHECK(ir_type_int(m, "int", 4, true) != ir_type_int(m, "unsigned", 4, false));
  Type *cf = ir_type_const(m, f64);
  CHECK(cf != f64 && cf->is_const);
  CHECK(ir_type_const(m, f64) == cf);
  CHECK(ir_type_const(m, cf) == cf);
  CHECK(ir_type_unqual(m, cf) == f64);
  CHECK(ir_type_ptr(m, cf) != ir_type_ptr(m, f64));
  Type *pt = ir_type_struct(m, "struct point", 16);
  CHECK(ir_type_struct(m, "struct point", 16) == pt);
  Type *cpt = ir_type_const(m, pt);
  CHECK(cpt != pt && cpt->is_const && ir_type_const(m, pt) == cpt);
  CHECK(ir_type_unqual(m, cpt) == pt);
  CHECK(ir_type_void(m) == ir_type_void(m));
}

static void test_decl_spelling(void) {
  Type *f64 = ir_type_f64(m);
  Type *pt = ir_type_struct(m, "struct point", 16);
  CHECK_STR(decl(f64, "x"), "double x");
  CHECK_STR(decl(ir_type_f32(m), "y"), "float y");
  CHECK_STR(decl(ir_type_ptr(m, ir_type_const(m, f64)), "w"), "const double *w");
  CHECK_STR(decl(ir_type_const(m, ir_type_ptr(m, f64)), "w"), "double *const w");
  CHECK_STR(decl(ir_type_array(m, f64, 3), "a"), "double a[3]");
  CHECK_STR(decl(ir_type_array(m, ir_type_array(m, f64, 3), 2), "a"), "double a[2][3]");
  CHECK_STR(decl(ir_type_ptr(m, ir_type_array(m, f64, 3)), "p"), "double (*p)[3]");
  CHECK_STR(decl(ir_type_const(m, ir_type_ptr(m, pt)), "q"), "struct point *const q");
  CHECK_STR(decl(ir_type_ptr(m, ir_type_ptr(m, f64)), "pp"), "double **pp");
  CHECK_STR(decl(ir_type_int(m, "unsigned long", 8, false), "n"), "unsigned long n");
  /* abstract declarators, for casts */
  CHECK_STR(decl(ir_type_ptr(m, f64), ""), "double *");
  CHECK_STR(decl(f64, ""), "double");
}

static void test_has_float(void) {
  Type *f64 = ir_type_f64(m);
  Type *i32 = ir_type_int(m, "int", 4, true);
  CHECK(ir_type_is_float(f64) && ir_type_is_float(ir_type_f32(m)));
  CHECK(!ir_type_is_float(i32) && !ir_type_is_float(ir_type_ptr(m, f64)));
  CHECK(ir_type_has_float(f64));
  CHECK(ir_type_has_float(ir_type_ptr(m, ir_type_const(m, f64))));
  CHECK(ir_type_has_float(ir_type_array(m, ir_type_f32(m), 4)));
  CHECK(!ir_type_has_float(i32));
  CHECK(!ir_type_has_float(ir_type_ptr(m, i32)));
  CHECK(!ir_type_has_float(ir_type_void(m)));

  Type *pt = ir_type_struct(m, "struct point", 16);
  Field *pf = ARENA_ARRAY(m->arena, Field, 2);
  pf[0] = (Field){"id", i32};
  pf[1] = (Field){"x", f64};
  pt->fields = pf;
  pt->nfields = 2;
  CHECK(ir_type_has_float(pt));
  CHECK(ir_type_has_float(ir_type_ptr(m, pt)));
  Type *tag = ir_type_struct(m, "struct tag", 8);
  Field *tf = ARENA_ARRAY(m->arena, Field, 2);
  tf[0] = (Field){"a", i32};
  tf[1] = (Field){"b", i32};
  tag->fields = tf;
  tag->nfields = 2;
  CHECK(!ir_type_has_float(tag));
}

int main(void) {
  Arena arena = {0};
  m = ir_module_new(&arena, "t.c");
  test_interning();
  test_decl_spelling();
  test_has_float();
  arena_free(&arena);
  return check_summary();
}
