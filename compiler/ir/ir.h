/*
 * ir.h — adjc's intermediate representation.
 *
 * Key idea: structured, typed three-address code over named variables (not SSA).
 * A function is a tree of statements (instructions, if, loop, break, continue,
 * return); every instruction writes at most one variable and reads operands that
 * are variables or constants. Memory is reached only through LOAD/STORE/ADDR of a
 * *place*: a base variable followed by projections (deref, index, field), e.g.
 * `w[i]`, `p->x`, `s.a[j].y`. Because a place names its root variable, the adjoint
 * of a place is the same place rooted at the shadow variable (`d_w[i]`, `d_p->x`).
 *
 * Values are small integer handles: a variable is its index in fn->vars, and
 * analyses keep side arrays indexed by that id (see analysis/). Statements keep the
 * source location and text of the C statement they come from, so the emitter can
 * write `#line` directives and comments. All IR memory lives in the Module's arena.
 *
 * See docs/ir.md for the printed form and the invariants the verifier checks.
 */
#ifndef ADJC_IR_H
#define ADJC_IR_H

#include "support/support.h"

typedef enum Op {
#define OP(name, arity, kind, cname, doc) OP_##name,
#include "ir/ops.def"
#undef OP
  OP_COUNT
} Op;

typedef enum OpKind { K_ARITH, K_INT, K_CMP, K_MATH, K_MEM, K_MISC } OpKind;

typedef struct OpInfo {
  const char *name;  /* lower-case mnemonic: "mul", "sin" */
  int arity;         /* scalar operands; -1 for CALL */
  OpKind kind;
  const char *cname; /* C operator or math.h function (double variant) */
  const char *doc;   /* primal and pullback, for humans */
} OpInfo;

extern const OpInfo ir_ops[OP_COUNT];

/* ---- types --------------------------------------------------------------------- */
typedef enum TypeKind {
  TY_VOID,
  TY_INT,    /* every integer, enum and _Bool type; see Type.name, size, is_signed */
  TY_F32,
  TY_F64,
  TY_PTR,
  TY_ARRAY,
  TY_STRUCT,
} TypeKind;

typedef struct Type Type;
typedef struct Field {
  const char *name;
  Type *type;
} Field;

struct Type {
  TypeKind kind;
  const char *name; /* C spelling of this type without qualifiers when it has one
                       ("double", "unsigned long", "struct point", "vec2"); NULL for
                       PTR and ARRAY, which the emitter spells from elem */
  bool is_const;    /* const-qualified at this level */
  int size;         /* bytes (sizeof) */
  bool is_signed;   /* TY_INT */
  Type *elem;       /* TY_PTR: pointee; TY_ARRAY: element */
  long long len;    /* TY_ARRAY: element count */
  Field *fields;    /* TY_STRUCT */
  int nfields;
};

/* ---- variables and operands ---------------------------------------------------- */
typedef enum VarKind {
  VAR_PARAM,  /* a function parameter, in declaration order */
  VAR_LOCAL,  /* a named local of the source */
  VAR_TEMP,   /* a temporary made by lowering or a transform */
  VAR_GLOBAL, /* a file-scope object, referenced by name, never declared by us */
} VarKind;

typedef struct Var {
  const char *name; /* source name; temporaries get a short stem ("t") */
  Type *type;
  VarKind kind;
  Loc loc;
  bool addr_taken;  /* &v appears (ADDR of a place rooted at v) */
} Var;

typedef enum OperandKind { OPD_NONE, OPD_VAR, OPD_INT, OPD_FLOAT } OperandKind;

typedef struct Operand {
  OperandKind kind;
  Type *type;
  int var;               /* OPD_VAR: index in fn->vars */
  long long ival;        /* OPD_INT */
  double fval;           /* OPD_FLOAT */
  const char *spelling;  /* OPD_INT/OPD_FLOAT: literal text to emit ("0.5", "1e-3f",
                            "N" for an enum constant); NULL: print the value */
} Operand;

/* ---- places --------------------------------------------------------------------- */
typedef enum ProjKind {
  PJ_DEREF, /* *p        (the place so far must be a pointer) */
  PJ_INDEX, /* [i]       (array or pointer; i is an integer operand) */
  PJ_FIELD, /* .name     (struct) */
} ProjKind;

typedef struct Proj {
  ProjKind kind;
  Operand index;     /* PJ_INDEX */
  const char *field; /* PJ_FIELD */
  Type *type;        /* type of the place after this projection */
} Proj;

typedef struct Place {
  int var;  /* root variable */
  Proj *proj;
  int nproj;
  Type *type; /* type of the whole place */
} Place;

/* ---- instructions and statements ------------------------------------------------ */
typedef struct Fn Fn;

typedef struct Inst {
  Op op;
  Type *type;       /* type of the result (dst's type); STORE: type of the place */
  int dst;          /* variable written, or -1 */
  Operand args[3];  /* scalar operands, ir_ops[op].arity of them */
  Place *place;     /* LOAD, STORE, ADDR */
  Operand *call_args; /* CALL */
  int ncall_args;
  const char *callee; /* CALL: function name */
  Fn *callee_fn;      /* CALL: the callee's IR when it is in this module, else NULL */
  bool nograd;        /* inside ADJ_NO_GRAD: no derivative flows through it */
} Inst;

typedef enum StmtKind {
  ST_INST,
  ST_IF,       /* if (cond) then else */
  ST_LOOP,     /* see below */
  ST_BREAK,    /* leaves loop `target` */
  ST_CONTINUE, /* goes to loop `target`'s step */
  ST_RETURN,   /* return value (OPD_NONE for void) */
} StmtKind;

typedef struct Stmt Stmt;
typedef struct Block {
  Stmt **items;
  int len, cap;
} Block;

/*
 * A loop, in C terms (test_after == false covers while and for):
 *
 *   for (;;) { cond_b; if (!cond) break; body; step; }   test_after == false
 *   for (;;) { body; step; cond_b; if (!cond) break; }   test_after == true (do-while)
 *
 * `continue` goes to `step` (for do-while, step is empty and cond_b follows). A
 * cond of OPD_NONE means "always true" (`for (;;)`). Loops are numbered per
 * function (`id`) so break/continue can name their target.
 */
typedef struct Loop {
  int id;
  Block cond_b;
  Operand cond;
  Block body;
  Block step;
  bool test_after;
} Loop;

struct Stmt {
  StmtKind kind;
  Loc loc;          /* where the originating C statement starts */
  const char *src;  /* its source text, one line ("y = x * x;"); may be NULL */
  union {
    Inst inst;                                       /* ST_INST */
    struct { Operand cond; Block then_b, else_b; } if_; /* ST_IF */
    Loop loop;                                       /* ST_LOOP */
    int target;                                      /* ST_BREAK, ST_CONTINUE */
    Operand value;                                   /* ST_RETURN */
  };
};

/* ---- requests, functions, module -------------------------------------------------- */
typedef enum ReqKind { REQ_GRAD, REQ_VJP, REQ_JVP, REQ_HVP, REQ_HESSIAN, REQ_JACOBIAN } ReqKind;

typedef struct Request {
  ReqKind kind;
  Loc loc;
  const char **params;    /* names as written: "w", "x"; HESSIAN/JACOBIAN: "w[n]" */
  int nparams;
} Request;

struct Fn {
  const char *name;
  Type *ret;
  Loc loc;
  Var *vars;          /* params first (nparams of them), then locals and temps */
  int nvars, capvars;
  int nparams;
  int nloops;         /* loop ids in use */
  Block body;
  bool is_static;
  bool is_variadic;
  bool has_body;      /* false: a prototype only (extern or library function) */
  bool inactive;      /* ADJ_INACTIVE */
  bool broken;        /* lowering reported errors: the IR is incomplete, not differentiated */
  const char *custom_pullback; /* ADJ_CUSTOM_GRAD(name), or NULL */
  Request *reqs;
  int nreqs;
  /* Generated functions only: the AdjTape pointer variable (has_tape), and whether
   * the function owns its tape (declares, and frees it before returning). */
  bool has_tape;
  bool owns_tape;
  int tape;
  const Fn *primal;   /* generated functions: the function they differentiate */
};

typedef struct Module {
  Arena *arena;
  const char *file;    /* the main input file */
  Fn **fns;            /* every function lowered, in source order */
  int nfns, capfns;
  Type **types;        /* interned types */
  int ntypes, captypes;
} Module;

/* ---- type.c --------------------------------------------------------------------- */
/* Interned constructors: equal arguments give the same pointer. */
Type *ir_type_void(Module *m);
Type *ir_type_f32(Module *m);
Type *ir_type_f64(Module *m);
Type *ir_type_int(Module *m, const char *name, int size, bool is_signed);
Type *ir_type_ptr(Module *m, Type *elem);
Type *ir_type_array(Module *m, Type *elem, long long len);
Type *ir_type_const(Module *m, Type *t);   /* t with is_const set */
Type *ir_type_unqual(Module *m, Type *t);  /* t without top-level const */
/* A struct type: created once by name, fields filled in by the frontend. */
Type *ir_type_struct(Module *m, const char *name, int size);
bool ir_type_is_float(const Type *t);      /* TY_F32 or TY_F64 */
bool ir_type_has_float(const Type *t);     /* a float, or contains/points to one */
/* Write a C declaration of `name` with type t ("const double *w", "double a[3]");
 * name may be "" for an abstract declarator (casts). */
void ir_type_decl(StrBuf *sb, const Type *t, const char *name);

/* ---- ir.c: building ------------------------------------------------------------- */
Module *ir_module_new(Arena *arena, const char *file);
Fn *ir_fn_new(Module *m, const char *name, Type *ret, Loc loc);
Fn *ir_module_find(Module *m, const char *name);
int ir_var_new(Module *m, Fn *fn, const char *name, Type *type, VarKind kind, Loc loc);
void ir_block_push(Module *m, Block *b, Stmt *s);
Stmt *ir_stmt_new(Module *m, StmtKind kind, Loc loc, const char *src);
/* An ST_INST statement: `dst = op args...` (dst may be -1). */
Stmt *ir_inst_new(Module *m, Op op, Type *type, int dst, Loc loc, const char *src);
Place *ir_place_new(Module *m, int var, Type *type);
void ir_place_push(Module *m, Place *p, ProjKind kind, Operand index, const char *field,
                   Type *type);
Operand ir_opd_var(const Fn *fn, int var);
Operand ir_opd_int(Module *m, long long v);         /* of type int */
Operand ir_opd_int_typed(Type *t, long long v);
Operand ir_opd_float(Type *t, double v, const char *spelling);
Place *ir_place_clone(Module *m, const Place *p);
/* Same root, projections and index operands (variables or integer constants). */
bool ir_place_same(const Place *a, const Place *b);
/* A copy of p with its root and index variables renamed through map[old] = new. */
Place *ir_place_remap(Module *m, const Place *p, const int *map);
/* Does the place name variable v (as its root or as an index)? */
bool ir_place_names(const Place *p, int v);

/* ---- print.c -------------------------------------------------------------------- */
/* Stable text form, used by --emit=ir and the lit tests (see docs/ir.md). */
void ir_print_module(StrBuf *sb, const Module *m);
void ir_print_fn(StrBuf *sb, const Fn *fn);
void ir_print_operand(StrBuf *sb, const Fn *fn, Operand o);
void ir_print_place(StrBuf *sb, const Fn *fn, const Place *p);
/* One instruction statement on one line, without location (dot views). */
void ir_print_fn_stmt(StrBuf *sb, const Fn *fn, const Stmt *s);

/* ---- verify.c ------------------------------------------------------------------- */
/* Check the invariants of docs/ir.md; report each violation as an internal error
 * naming the function and statement. Returns the number of violations. */
int ir_verify_fn(const Fn *fn);
int ir_verify_module(const Module *m);

#endif /* ADJC_IR_H */
