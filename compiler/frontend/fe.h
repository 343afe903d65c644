/*
 * fe.h — the frontend's internal header, shared by its files (never included
 * outside compiler/frontend/):
 *
 *   parse.c       libclang setup, compile_commands.json, libclang diagnostics,
 *                 dependencies, annotations, which functions to lower
 *   source.c      locations, statement text, de-duplicated error reporting
 *   types.c       CXType → Type
 *   lower_expr.c  expressions → three-address instructions and places
 *   lower_stmt.c  statements → Stmt trees (if, loop, switch, return, ...)
 *   lower_init.c  initializers of local declarations (lists, designators)
 *
 * Key idea: lowering walks libclang cursors directly and appends to a current
 * Block; an expression lowers to an Operand (a variable or a constant) after
 * appending the instructions that compute it, and an lvalue lowers to either a
 * scalar variable or a Place.
 */
#ifndef ADJC_FE_H
#define ADJC_FE_H

#include "frontend/frontend.h"

#include <clang-c/Index.h>

/* An `adjoint.<kind>:<args>` annotation string and where it was written. */
typedef struct Annot {
  const char *text;
  Loc loc;
} Annot;

/* A function of the translation unit, grouped over its redeclarations. */
typedef struct FnInfo {
  const char *name;
  CXCursor decl;      /* first declaration seen */
  CXCursor def;       /* the definition, when has_def */
  bool has_def;
  bool in_system;     /* declared in a system header: never lowered */
  bool in_main;       /* declared or defined in the main file */
  Vec(Annot) annots;  /* over every declaration, duplicates removed */
  bool reached;       /* to be put into the module */
  bool lower;         /* its body is lowered (else a declaration Fn) */
  Fn *fn;
} FnInfo;

/* A libclang declaration bound to a variable of the function being lowered. */
typedef struct Binding {
  CXCursor decl;
  int var;
} Binding;

/* A byte range [begin, end) of the main file. */
typedef struct Span {
  unsigned begin, end;
} Span;

/* An anonymous struct and the typedef that names it. */
typedef struct TypedefName {
  CXCursor record;    /* an anonymous struct declaration */
  const char *name;   /* the typedef naming it */
} TypedefName;

/* The frontend's state for one fe_parse run. */
typedef struct Fe {
  Arena *arena;
  Module *m;
  CXTranslationUnit tu;
  const char *main_file;
  const char *workdir;          /* -p: the compile command's directory, else NULL */
  Vec(FnInfo *) fns;            /* arena-allocated: pointers stay valid */
  Vec(TypedefName) typedefs;
  Vec(Type *) filled;           /* struct types whose fields are set */
  Vec(unsigned long) reported;  /* hashes of errors already printed */
  int fn_serial;                /* counts lowered functions (error de-duplication) */
  bool quiet_types;             /* typing a declaration: unsupported types are not
                                   errors (they are reported where used, if ever) */
  Vec(Span) macros;             /* macro expansions in the main file */
  Vec(CXFile) cxfiles;          /* files seen in locations, and their names */
  Vec(const char *) files;
} Fe;

/* Where lowering appends and what break/continue mean there. */
typedef struct Lower {
  Fe *fe;
  Module *m;
  Fn *fn;
  FnInfo *info;
  Block *cur;          /* the block instructions go to */
  Loc loc;             /* the statement being lowered */
  const char *src;
  bool nograd;         /* inside ADJ_NO_GRAD */
  int brk, cont;       /* loop ids for break and continue, -1 outside loops */
  Vec(Binding) binds;
} Lower;

/* A lowered lvalue: a scalar variable (written with dst), or a place in memory. */
typedef struct LValue {
  int var;       /* >= 0: a scalar variable */
  Place *place;  /* else: a place */
  Type *type;
} LValue;

/* Destinations for lower_expr beyond a variable id. */
enum { DST_TEMP = -1, DST_DISCARD = -2 };

/* ---- parse.c ---- */
FnInfo *fe_fn_info(Fe *fe, const char *name);
/* The module's Fn for a called function (creating a declaration Fn if needed). */
Fn *fe_callee_fn(Fe *fe, CXCursor callee);
/* The K_MATH op a libm function name maps to ("sinf" → OP_SIN), or -1. */
int fe_math_op(const char *name);

/* ---- source.c ---- */
/* Location of a cursor (clang's preferred location, expansion position). */
Loc fe_loc(Fe *fe, CXCursor c);
/* Location of the start of a cursor's extent. */
Loc fe_loc_start(Fe *fe, CXCursor c);
Loc fe_loc_of(Fe *fe, CXSourceLocation sl);
/* The source text of a cursor's extent on one line, whitespace collapsed; with
 * upto_paren, only up to the parenthesis closing the first one (loop headers). */
const char *fe_text(Fe *fe, CXCursor c, bool upto_paren);
/* Does the cursor start inside a macro expansion (body or argument)? */
bool fe_in_macro(CXCursor c);
/* Byte offsets of a cursor's extent in its (expansion) file; false if unknown. */
bool fe_offsets(Fe *fe, CXCursor c, unsigned *begin, unsigned *end);
/* Report an error once per location and message. */
void fe_error(Fe *fe, Loc loc, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Report an error once per function (or line) and message: unsupported types. */
void fe_error_line(Fe *fe, Loc loc, const char *hint, const char *msg);
/* libclang's string as an arena copy. */
const char *fe_str(Fe *fe, CXString s);
/* The idx-th child of a cursor (all children when out is given). */
int fe_children(CXCursor c, CXCursor *out, int max);
CXCursor fe_child(CXCursor c, int idx);  /* idx < 8; null cursor if absent */
CXCursor *fe_kids(Fe *fe, CXCursor c, int *n); /* every child, arena array */

/* ---- types.c ---- */
/* The IR type of a libclang type; unsupported types are reported at `where` and
 * replaced by int so lowering can go on. Array parameters must be decayed by the
 * caller. */
Type *fe_type(Fe *fe, CXType t, CXCursor where);
/* The element type of an array type, with the array's const applied to it. */
Type *fe_array_elem(Fe *fe, CXType array, CXCursor where);
/* Remember anonymous structs named by a typedef (call once per top-level decl). */
void fe_note_typedef(Fe *fe, CXCursor typedef_decl);

/* ---- lower_expr.c ---- */
/* Lower e for its value; the final instruction writes `dst` when dst >= 0 (a
 * scalar variable of e's type), a new temporary for DST_TEMP; DST_DISCARD lowers
 * for side effects only. Returns the value (OPD_NONE for void). */
Operand fe_expr(Lower *l, CXCursor e, int dst);
/* Lower e as an lvalue. */
LValue fe_lvalue(Lower *l, CXCursor e);
/* e as a branch condition: an int or float operand, nonzero meaning true. */
Operand fe_cond(Lower *l, CXCursor e);
/* Append an instruction to the current block (nograd and src filled in). */
Inst *fe_emit(Lower *l, Op op, Type *type, int dst, Loc loc);
int fe_temp(Lower *l, Type *t);
/* The variable bound to a declaration, or -1. */
int fe_lookup(Lower *l, CXCursor decl);
void fe_bind(Lower *l, CXCursor decl, int var);
/* Store `v` into `lv` (a mov/instruction into a variable, or a STORE). */
void fe_assign(Lower *l, LValue lv, Operand v, Loc loc);
/* ---- lower_init.c ---- */
/* Initialize the variable `var` from a C initializer (scalar, list, designated). */
void fe_init(Lower *l, int var, CXCursor init);
/* Report volatile floating-point data in a declaration's type. */
void fe_check_volatile(Lower *l, CXCursor decl);
/* Type of a cursor's expression in IR. */
Type *fe_expr_type(Lower *l, CXCursor e);
/* Strip parentheses. */
CXCursor fe_strip_parens(CXCursor e);

/* ---- lower_stmt.c ---- */
/* Lower the body of info's definition into info->fn. */
void fe_lower_fn(Fe *fe, FnInfo *info);
void fe_stmt(Lower *l, CXCursor s);

#endif /* ADJC_FE_H */
