/*
 * internal.h — private declarations shared by libadjoint's source files.
 *
 * Key idea: a tensor is a strided view (shape, strides, offset) of a reference-counted
 * storage, plus autograd state: a strong grad_fn pointer to the node that produced it,
 * a weak pointer to the AccumulateGrad node of a leaf, and a shared version counter.
 * Every op is "compute with the kernels (untracked), then record a node if any input
 * requires grad and grad mode is on". Backward formulas are written with the public
 * ops, so running them with grad mode on (create_graph) records a differentiable graph.
 *
 * Prototypes are grouped under banners naming the file that defines them.
 */
#ifndef ADJ_INTERNAL_H
#define ADJ_INTERNAL_H

#define ADJ_NO_LOCATION_MACROS
#include "adjoint.h"

#include <stdarg.h>
#include <stdint.h>

/* Storage: a reference-counted byte buffer shared by all views of it. */
typedef struct AdjStorage {
  long refcount;
  size_t nbytes;
  void *data;
} AdjStorage;

/* Version counter: shared by views and detach(), not by .data. */
typedef struct AdjVersion {
  long refcount;
  uint64_t value;
} AdjVersion;

/* A registered tensor hook. */
typedef struct AdjHook {
  AdjHookFn fn;
  void *ctx;
  int id;
} AdjHook;

typedef struct AdjHookList {
  AdjHook *items;
  int count, cap;
} AdjHookList;

struct AdjTensor {
  long refcount;
  AdjDType dtype;
  int ndim;
  int64_t shape[ADJ_MAX_DIMS];
  int64_t stride[ADJ_MAX_DIMS];
  int64_t offset; /* in elements */
  AdjStorage *storage;
  AdjVersion *version;
  bool requires_grad; /* leaf flag; non-leaves require grad iff grad_fn != NULL */
  bool retains_grad;
  bool is_view;      /* made by a view op: shares storage with its base */
  bool view_of_leaf; /* ... and that base is a leaf that requires grad */
  AdjNode *grad_fn;  /* strong */
  AdjNode *grad_acc; /* weak: the leaf's AccumulateGrad node, if alive */
  AdjTensor *grad;   /* strong */
  AdjTensor *base;   /* strong: the root tensor a view op's result views, or NULL */
  AdjHookList hooks; /* leaf hooks (non-leaf hooks live on grad_fn) */
};

/* A tensor saved for backward, with the version it had when saved. */
typedef struct AdjSaved {
  AdjTensor *tensor; /* strong; for outputs a detached alias (no cycle through node) */
  uint64_t version;
  bool is_output;
} AdjSaved;

struct AdjNode;
/* A backward formula: given the unpacked saved tensors and the incoming gradient,
 * store one gradient per input in grad_inputs (NULL where the input needs none, which
 * is when node->next[i] is NULL). Tensors it creates belong to the engine's scope.
 * Returns 0 or -1 with the error set. */
typedef int (*AdjBackwardFn)(struct AdjNode *node, AdjTensor *const *saved, AdjTensor *grad,
                             AdjTensor **grad_inputs);

#define ADJ_NODE_MAX_SAVED 8

/* Shape record of an input, for reducing broadcast gradients and building zeros. */
typedef struct AdjMeta {
  int ndim;
  int64_t shape[ADJ_MAX_DIMS];
  AdjDType dtype;
} AdjMeta;

struct AdjNode {
  long refcount;
  uint64_t seq;           /* creation order: the engine runs later nodes first */
  const char *name;       /* PyTorch's class name, e.g. "MulBackward0" */
  AdjBackwardFn backward; /* NULL for AccumulateGrad */
  int n_next;
  AdjNode **next;      /* strong; NULL for inputs that need no gradient */
  AdjMeta *in_meta;    /* n_next input shapes */
  AdjTensor *variable; /* AccumulateGrad: the leaf (strong) */
  AdjSaved saved[ADJ_NODE_MAX_SAVED];
  int n_saved;
  bool saved_released; /* saved tensors were freed by a backward without retain_graph */
  double scalar[4];    /* op parameters */
  int64_t ints[ADJ_MAX_DIMS + 4];
  int64_t *sizes;              /* op parameter array (cat sizes), owned */
  AdjMeta out_meta;            /* the output's shape */
  AdjHookList pre_hooks;       /* hooks of the output tensor (non-leaf) */
  AdjTensor *retain_target;    /* weak: output tensor that retains grad */
  AdjNode *inner;              /* CopySlices: the in-place op's own node, run on the view */
  const AdjFunction *function; /* adj_function_apply: the user's definition */
  void *function_ctx;
  const char *file; /* anomaly mode: where the forward op was called */
  int line;
};

/* Tensors passed as const are logically immutable, but their reference counts and
 * autograd bookkeeping are mutable metadata (like C++'s `mutable`). */
static inline AdjTensor *adj_unconst(const AdjTensor *t) { return (AdjTensor *)(uintptr_t)t; }

/* ---- error.c ---- */
/* Record an error (printf-style message) and call the handler. */
void adj_error(AdjErrorKind kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Report a NULL tensor argument unless an error is already pending. */
void adj_error_null(const char *fn);
/* True when an error has been set and not cleared. */
bool adj_error_pending(void);

/* ---- tensor.c ---- */
size_t adj_dtype_size(AdjDType dtype);
bool adj_dtype_is_float(AdjDType dtype);
/* A new contiguous tensor (uninitialised data), one reference owned by the caller. */
AdjTensor *adj_new_raw(AdjDType dtype, int ndim, const int64_t *shape);
/* A new view of t's storage with the given geometry; shares the version counter. */
AdjTensor *adj_new_view(const AdjTensor *t, int ndim, const int64_t *shape, const int64_t *stride,
                        int64_t offset);
/* Register a caller-owned reference with the innermost scope (rule R1); returns t. */
AdjTensor *adj_ret(AdjTensor *t);
int64_t adj_shape_numel(int ndim, const int64_t *shape);
/* Normalise a possibly negative dim against ndim; -1 and an IndexError if invalid. */
int adj_wrap_dim(int dim, int ndim);
/* Element i (in row-major order over t's shape) as double / stored from double. */
double adj_load(const AdjTensor *t, int64_t i);
/* Strided offset (in elements, from storage start) of row-major element i of t. */
int64_t adj_elem_offset(const AdjTensor *t, int64_t i);
double adj_read(const void *base, AdjDType dtype, int64_t off);
void adj_write(void *base, AdjDType dtype, int64_t off, double v);
/* "[2, 3]" for messages. */
void adj_format_shape(char *buf, size_t n, int ndim, const int64_t *shape);
void adj_bump_version(AdjTensor *t);
/* ---- scope.c ---- */
void adj_scope_add(AdjTensor *t);

/* ---- graph.c ---- */
extern _Thread_local bool adj_grad_enabled_;
extern _Thread_local bool adj_anomaly_enabled_;
/* True when grad mode is on and any of the n inputs requires grad. */
bool adj_any_requires_grad(int n, const AdjTensor *const *inputs);
/* A node for an op over n inputs if it must be recorded, else NULL. The node takes
 * the gradient edges of the inputs and their shapes. */
AdjNode *adj_node_new(const char *name, AdjBackwardFn backward, int n,
                      const AdjTensor *const *inputs);
/* Save a tensor (input or output) in a slot for backward; is_output stores a detached
 * alias so the node does not own its own output (no reference cycle). */
void adj_node_save(AdjNode *node, int slot, const AdjTensor *t, bool is_output);
/* Make out the node's output: out->grad_fn = node (consumes the caller's node ref). */
void adj_set_history(AdjTensor *out, AdjNode *node);
/* In-place op history: t is rebased onto node (whose next[0] was t's old edge). */
void adj_rebase_history(AdjTensor *t, AdjNode *node);
void adj_node_release(AdjNode *node);
/* Can an in-place op on view t be recorded (as CopySlices on its contiguous base)? */
bool adj_view_can_rebase(const AdjTensor *t);
/* Check the in-place rules for modifying t (leaf rule, views); 0 or -1. */
int adj_check_inplace(const AdjTensor *t);
/* The node for gradient flow into t: grad_fn, or the (created) AccumulateGrad. */
AdjNode *adj_gradient_edge(AdjTensor *t);
/* Does input i of node need a gradient? */
static inline bool adj_needs_grad(const AdjNode *node, int i) { return node->next[i] != NULL; }
void adj_tensor_autograd_free(AdjTensor *t);

/* ---- engine.c ---- */
/* Unpack node's saved tensors into out[] (NULL for empty slots), checking each one's
 * version like PyTorch's SavedVariable; a saved output comes back with the node as
 * grad_fn when grad mode is on (create_graph). 0, or -1 with PyTorch's message. */
int adj_unpack_saved(AdjNode *node, AdjTensor **out);

/* ---- random.c ---- */
/* tensor.uniform_(from, to) values, drawn like PyTorch (no history, no version bump). */
void adj_uniform_fill(AdjTensor *t, double from, double to);

/* ---- kernels.c ---- */
typedef enum AdjUnaryOp {
  U_NEG,
  U_EXP,
  U_LOG,
  U_SQRT,
  U_ABS,
  U_SIGN,
  U_SIN,
  U_COS,
  U_TANH,
  U_SIGMOID,
  U_RELU
} AdjUnaryOp;
typedef enum AdjBinaryOp {
  B_ADD,
  B_SUB,
  B_MUL,
  B_DIV,
  B_POW,
  B_MIN,
  B_MAX,
  B_EQ,
  B_NE,
  B_LT,
  B_LE,
  B_GT,
  B_GE
} AdjBinaryOp;
double adj_unary_ref(AdjUnaryOp op, double x);
double adj_binary_ref(AdjBinaryOp op, double a, double b);
/* out = op(a) elementwise; out and a have the same shape; out is contiguous. */
void adj_kernel_unary(AdjUnaryOp op, AdjTensor *out, const AdjTensor *a);
/* out = op(a, b) with a and b broadcast to out's shape; out contiguous or strided. */
void adj_kernel_binary(AdjBinaryOp op, AdjTensor *out, const AdjTensor *a, const AdjTensor *b);
/* out = a clamped to [lo, hi]. */
void adj_kernel_clamp(AdjTensor *out, const AdjTensor *a, double lo, double hi);
/* Copy src (broadcast to dst's shape) into dst, converting dtype. */
void adj_kernel_copy(AdjTensor *dst, const AdjTensor *src);
void adj_kernel_fill(AdjTensor *dst, double value);
/* out = cond ? a : b with broadcasting. */
void adj_kernel_where(AdjTensor *out, const AdjTensor *cond, const AdjTensor *a,
                      const AdjTensor *b);
typedef enum AdjReduceOp { R_SUM, R_MAX, R_MIN, R_ARGMAX, R_ARGMIN } AdjReduceOp;
/* Reduce `in` over the dims flagged in mask into contiguous `out`, whose elements are
 * the kept dims in order; arg reductions store the position within the reduced block. */
void adj_kernel_reduce(AdjReduceOp op, AdjTensor *out, const AdjTensor *in, const bool *mask);
/* ---- kernels_avx2.c ---- */
/* AVX2 transcendental loops over contiguous buffers; false if op is not covered. */
bool adj_avx2_unary_f32(AdjUnaryOp op, float *o, const float *x, int64_t n);
bool adj_avx2_unary_f64(AdjUnaryOp op, double *o, const double *x, int64_t n);
/* Does this CPU run the AVX2 paths (AVX2 and FMA)? */
bool adj_cpu_has_avx2(void);

/* Is the scalar reference path forced? */
bool adj_reference_kernels(void);
/* Run fn(ctx, begin, end) over [0, n) split across threads when n >= grain. */
void adj_parallel_for(int64_t n, int64_t grain, void (*fn)(void *ctx, int64_t b, int64_t e),
                      void *ctx);

/* ---- ops_pointwise.c ---- */
AdjDType adj_result_type(const AdjTensor *a, const AdjTensor *b);
int adj_broadcast_shape(int na, const int64_t *sa, int nb, const int64_t *sb, int *nout,
                        int64_t *out);

/* ---- ops_shape.c ---- */
/* Sum grad down to the given shape (undo broadcasting); returns a new scope tensor. */
AdjTensor *adj_sum_to(AdjTensor *grad, const AdjMeta *meta);
/* A contiguous copy of t (untracked), caller-owned. */
AdjTensor *adj_contiguous_raw(const AdjTensor *t);
AdjTensor *adj_zeros_meta(const AdjMeta *meta);
void adj_meta_of(AdjMeta *meta, const AdjTensor *t);
/* zeros(meta) with src added at index along dim (scatter_add); differentiable in src. */
AdjTensor *adj_scatter_add_op(const AdjMeta *meta, int dim, AdjTensor *index, AdjTensor *src);
/* Geometry of a view relative to a contiguous base, as [ndim, shape, stride, offset]
 * (malloc'ed, NULL when out of memory). */
int64_t *adj_geom_new(int ndim, const int64_t *shape, const int64_t *stride, int64_t offset);
/* zeros(meta) with g copied into the geom view, and its inverse (a contiguous copy of
 * the geom view of g); both differentiable, scope-owned results. */
AdjTensor *adj_embed(AdjTensor *g, const AdjMeta *meta, const int64_t *geom);
AdjTensor *adj_restrict(AdjTensor *g, const int64_t *geom);
/* Backward of a view given by node->sizes (a geom): embed the gradient. */
int adj_view_embed_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi);

#endif /* ADJ_INTERNAL_H */
