/* type.c — interned IR types and their C spelling.
 *
 * Types are interned in the module so pointer equality is type equality; structs
 * are interned by name. ir_type_decl writes C declarator syntax, which is what lets
 * the emitter declare shadows and temporaries of any type ("double (*p)[3]"). */
#include "ir/ir.h"

#include <string.h>

static Type *intern(Module *m, Type key) {
  for (int i = 0; i < m->ntypes; i++) {
    Type *t = m->types[i];
    if (t->kind == key.kind && t->is_const == key.is_const && t->elem == key.elem &&
        t->len == key.len && t->size == key.size && t->is_signed == key.is_signed &&
        (t->name == key.name || (t->name && key.name && strcmp(t->name, key.name) == 0)) &&
        key.kind != TY_STRUCT)
      return t;
  }
  Type *t = ARENA_NEW(m->arena, Type);
  *t = key;
  if (key.name)
    t->name = arena_strdup(m->arena, key.name);
  if (m->ntypes == m->captypes) {
    int cap = m->captypes ? m->captypes * 2 : 32;
    m->types = arena_realloc(m->arena, m->types, sizeof(Type *) * (size_t)m->captypes,
                             sizeof(Type *) * (size_t)cap);
    m->captypes = cap;
  }
  m->types[m->ntypes++] = t;
  return t;
}

Type *ir_type_void(Module *m) { return intern(m, (Type){.kind = TY_VOID, .name = "void"}); }
Type *ir_type_f32(Module *m) {
  return intern(m, (Type){.kind = TY_F32, .name = "float", .size = 4, .is_signed = true});
}
Type *ir_type_f64(Module *m) {
  return intern(m, (Type){.kind = TY_F64, .name = "double", .size = 8, .is_signed = true});
}
Type *ir_type_int(Module *m, const char *name, int size, bool is_signed) {
  return intern(m, (Type){.kind = TY_INT, .name = name, .size = size, .is_signed = is_signed});
}
Type *ir_type_ptr(Module *m, Type *elem) {
  return intern(m, (Type){.kind = TY_PTR, .size = 8, .elem = elem});
}
Type *ir_type_array(Module *m, Type *elem, long long len) {
  return intern(m, (Type){.kind = TY_ARRAY, .size = (int)(elem->size * len), .elem = elem,
                          .len = len});
}

Type *ir_type_struct(Module *m, const char *name, int size) {
  for (int i = 0; i < m->ntypes; i++) {
    Type *t = m->types[i];
    if (t->kind == TY_STRUCT && !t->is_const && strcmp(t->name, name) == 0)
      return t;
  }
  Type key = {.kind = TY_STRUCT, .name = name, .size = size};
  return intern(m, key);
}

Type *ir_type_const(Module *m, Type *t) {
  if (t->is_const)
    return t;
  Type key = *t;
  key.is_const = true;
  if (t->kind != TY_STRUCT)
    return intern(m, key);
  for (int i = 0; i < m->ntypes; i++) {
    Type *u = m->types[i];
    if (u->kind == TY_STRUCT && u->is_const && strcmp(u->name, t->name) == 0)
      return u;
  }
  Type *u = ARENA_NEW(m->arena, Type);
  *u = key;
  /* const structs are appended so later lookups find them */
  if (m->ntypes == m->captypes) {
    int cap = m->captypes * 2;
    m->types = arena_realloc(m->arena, m->types, sizeof(Type *) * (size_t)m->captypes,
                             sizeof(Type *) * (size_t)cap);
    m->captypes = cap;
  }
  m->types[m->ntypes++] = u;
  return u;
}

Type *ir_type_unqual(Module *m, Type *t) {
  if (!t->is_const)
    return t;
  if (t->kind == TY_STRUCT)
    return ir_type_struct(m, t->name, t->size);
  Type key = *t;
  key.is_const = false;
  return intern(m, key);
}

bool ir_type_is_float(const Type *t) { return t->kind == TY_F32 || t->kind == TY_F64; }

bool ir_type_has_float(const Type *t) {
  switch (t->kind) {
  case TY_F32:
  case TY_F64:
    return true;
  case TY_PTR:
  case TY_ARRAY:
    return ir_type_has_float(t->elem);
  case TY_STRUCT:
    for (int i = 0; i < t->nfields; i++)
      if (ir_type_has_float(t->fields[i].type))
        return true;
    return false;
  default:
    return false;
  }
}

/* C declarators read inside-out: build the part around the name first, then wrap.
 * `inner` is what stands where the name would ("*p", "a[3]", "(*p)[3]"). */
static void decl_rec(StrBuf *sb, const Type *t, StrBuf *inner) {
  switch (t->kind) {
  case TY_PTR: {
    StrBuf s = {0};
    sb_puts(&s, "*");
    if (t->is_const)
      sb_puts(&s, "const ");
    sb_puts(&s, inner->data ? inner->data : "");
    /* a pointer to an array needs parentheses: (*p)[3] */
    if (t->elem->kind == TY_ARRAY) {
      StrBuf p = {0};
      sb_printf(&p, "(%s)", s.data);
      sb_free(&s);
      s = p;
    }
    decl_rec(sb, t->elem, &s);
    sb_free(&s);
    return;
  }
  case TY_ARRAY: {
    StrBuf s = {0};
    sb_printf(&s, "%s[%lld]", inner->data ? inner->data : "", t->len);
    decl_rec(sb, t->elem, &s);
    sb_free(&s);
    return;
  }
  default:
    if (t->is_const)
      sb_puts(sb, "const ");
    sb_puts(sb, t->name);
    if (inner->data && inner->data[0]) {
      sb_putc(sb, ' ');
      sb_puts(sb, inner->data);
    }
    return;
  }
}

void ir_type_decl(StrBuf *sb, const Type *t, const char *name) {
  StrBuf inner = {0};
  sb_puts(&inner, name);
  decl_rec(sb, t, &inner);
  sb_free(&inner);
}
