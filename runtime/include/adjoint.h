/*
 * adjoint.h — the one public header of libadjoint, and the annotations read by adjc.
 *
 * Quick tour
 * ----------
 * 1. Mark what to differentiate, compile normally, and let adjc generate derivatives:
 *
 *        #include <adjoint.h>
 *
 *        ADJ_GRAD(w)
 *        double loss(const double *w, const double *x, int n) { ... }
 *
 *        $ adjc model.c -o model.adj.c --header model.adj.h
 *
 *    model.adj.c then defines
 *
 *        double loss_grad(const double *w, double *d_w, const double *x, int n);
 *
 *    which returns loss(w, x, n) and ADDS the gradient into d_w (like PyTorch's
 *    .grad, derivative outputs accumulate: zero them yourself between steps).
 *    Link it with -ladjoint (generated code uses the tape stack below).
 *
 * 2. The annotations expand to __attribute__((annotate("adjoint.<kind>:<args>")))
 *    only when adjc parses the file (it defines __ADJC__); for gcc, clang or any other
 *    compiler they expand to nothing, so annotated code builds unchanged anywhere.
 *
 * 3. The same library is also a small dynamic autograd system with PyTorch's
 *    semantics. The PyTorch program
 *
 *        w = torch.tensor([1.], requires_grad=True)
 *        x = torch.tensor([2.], requires_grad=True)
 *        y = torch.mul(torch.add(w, x), torch.add(w, 1))
 *        y.backward()
 *        print(w.grad)                     # tensor([5.])
 *
 *    reads, in C:
 *
 *        adj_scope_begin();
 *        AdjTensor *w = adj_tensor(ADJ_FLOAT32, ADJ_SHAPE(1), ADJ_VALUES(1.));
 *        AdjTensor *x = adj_tensor(ADJ_FLOAT32, ADJ_SHAPE(1), ADJ_VALUES(2.));
 *        adj_requires_grad_(w, true);
 *        adj_requires_grad_(x, true);
 *        AdjTensor *y = adj_mul(adj_add(w, x), adj_add_scalar(w, 1));
 *        if (adj_backward(y, NULL, false, false) != 0)
 *          fprintf(stderr, "%s\n", adj_last_error());
 *        adj_print(adj_grad(w));           // tensor([5.])
 *        adj_scope_end();                  // releases w, x, y and the temporaries
 *
 * Ownership rules (libadjoint's tensors are reference counted)
 * ------------------------------------------------------------
 *  R1. A function that returns a NEW tensor (every op, every constructor, adj_detach,
 *      adj_data, ...) returns one reference. If a scope is open (adj_scope_begin), the
 *      innermost scope owns that reference and drops it at adj_scope_end; otherwise
 *      the caller owns it and must adj_release it. So expression-style code such as
 *      adj_mul(adj_add(w, x), adj_add(w, one)) leaks nothing inside a scope.
 *  R2. adj_keep(t) moves the scope's reference to t out of the innermost scope, to the
 *      enclosing scope or, if there is none, to the caller. If the innermost scope
 *      holds no reference to t, adj_keep takes a new one (adj_retain) and hands that
 *      out instead. Use it for results that outlive a scope (a function's return
 *      value, parameters created inside a setup scope).
 *  R3. Getters return BORROWED pointers, valid while their owner lives and is not
 *      modified: adj_grad(t) (the .grad tensor, owned by t), hook arguments. Keep one
 *      with adj_retain (you then adj_release it) or adj_keep.
 *  R4. In-place ops (adj_add_, adj_mul_, adj_exp_, adj_zero_, ...) and
 *      adj_requires_grad_ return their first argument without a new reference (or NULL
 *      on error), so calls chain like PyTorch's.
 *  R5. Tensors keep what they need alive: views keep their storage, a result keeps its
 *      autograd graph (grad_fn), the graph keeps the tensors it saved. Releasing the
 *      last reference to a result frees the part of the graph nobody else uses.
 *      A tensor's .grad is owned by the tensor. Memory is never freed twice; a release
 *      of a tensor you do not own a reference to is a bug that ASan will find. One
 *      cycle exists, as in PyTorch: backward with create_graph gives a leaf's .grad a
 *      graph that reaches the leaf; break it with adj_zero_grad(leaf, true).
 *  R6. Scopes, the grad mode, anomaly mode, the generator (adj_manual_seed) and the
 *      last error are thread-local. A tensor may be used by several threads only if
 *      none of them modifies it (reference counts included); the library itself never
 *      shares your tensors between threads (kernels split work on raw buffers only).
 *
 * Errors
 * ------
 *  Fallible calls return NULL (tensor results) or -1 (int results) and set a
 *  thread-local message (adj_last_error) and kind (adj_last_error_kind); an optional
 *  handler (adj_set_error_handler) sees each error as it happens. Messages are the
 *  ones PyTorch prints in the same situation ("grad can be implicitly created only for
 *  scalar outputs", ...). Ops given a NULL tensor return NULL and keep the message of
 *  the error that produced the NULL, so a failing expression reports its first error.
 *  Nothing aborts the process unless the handler does (see adj_error_abort).
 *
 * Sections: annotations · tape stack · errors · tensors · scopes · creation · access ·
 * views and shapes · ops · reductions · linear algebra · nn functions · in-place ops ·
 * autograd (custom functions, grad mode, anomaly) · printing · runtime settings ·
 * location macros. The full reference is docs/runtime.md.
 */
#ifndef ADJOINT_H
#define ADJOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------
 * Annotations (read by adjc; plain C for every other compiler)
 * ------------------------------------------------------------------------------- */
#ifdef __ADJC__
#define ADJ_ANNOTATE_(kind, ...) __attribute__((annotate("adjoint." kind ":" #__VA_ARGS__)))
/* Reverse-mode gradient of a scalar function: T f_grad(.., p, d_p, ..). */
#define ADJ_GRAD(...) ADJ_ANNOTATE_("grad", __VA_ARGS__)
/* Reverse mode with an explicit output cotangent d_ret (grad_outputs). */
#define ADJ_VJP(...) ADJ_ANNOTATE_("vjp", __VA_ARGS__)
/* Forward (tangent) mode. */
#define ADJ_JVP(...) ADJ_ANNOTATE_("jvp", __VA_ARGS__)
/* Hessian-vector product (forward over reverse). */
#define ADJ_HVP(...) ADJ_ANNOTATE_("hvp", __VA_ARGS__)
/* Dense Hessian and Jacobian, sizes named by parameters: ADJ_HESSIAN(w[n]). */
#define ADJ_HESSIAN(...) ADJ_ANNOTATE_("hessian", __VA_ARGS__)
#define ADJ_JACOBIAN(...) ADJ_ANNOTATE_("jacobian", __VA_ARGS__)
/* The user supplies the pullback of this function (see docs/annotations.md). */
#define ADJ_CUSTOM_GRAD(pullback) ADJ_ANNOTATE_("custom_grad", pullback)
/* This function carries no derivative: its result is a constant for AD. */
#define ADJ_INACTIVE ADJ_ANNOTATE_("inactive", )
/* ADJ_NO_GRAD { ... }: statements whose results carry no derivative. */
int adj__no_grad_scope(void);
#define ADJ_NO_GRAD if (adj__no_grad_scope())
/* adj_stop_gradient(e): the value of e, with no derivative flowing through it. */
double adj_stop_gradient(double value);
#else
#define ADJ_GRAD(...)
#define ADJ_VJP(...)
#define ADJ_JVP(...)
#define ADJ_HVP(...)
#define ADJ_HESSIAN(...)
#define ADJ_JACOBIAN(...)
#define ADJ_CUSTOM_GRAD(pullback)
#define ADJ_INACTIVE
#define ADJ_NO_GRAD if (1)
#define adj_stop_gradient(e) (e)
#endif

/* ---------------------------------------------------------------------------------
 * Tape stack used by generated reverse-mode code
 *
 * The forward sweep pushes values the reverse sweep needs (overwritten variables,
 * branch decisions, loop trip counts); the reverse sweep pops them in reverse order.
 * A tape is a growable byte stack; push/pop are inline memcpy's of fixed size.
 * Growth failure (out of memory) reports through the error handler and aborts:
 * generated code has no way to continue without its tape.
 * ------------------------------------------------------------------------------- */
typedef struct AdjTape {
  unsigned char *base; /* storage, NULL until the first push */
  size_t top;          /* bytes in use */
  size_t cap;          /* bytes allocated */
  size_t peak;         /* largest top marked by adj_tape_mark_peak, for reports */
} AdjTape;

/* An empty tape; no allocation happens until the first push. */
#define ADJ_TAPE_INIT {NULL, 0, 0, 0}
/* Release the tape's storage; the tape is empty and reusable afterwards. The thread
 * keeps the largest block released this way and gives it to the next tape that grows
 * (no fresh pages per gradient call); adj_tape_release_cache() frees that block now,
 * thread exit frees it otherwise. */
void adj_tape_free(AdjTape *tape);
void adj_tape_release_cache(void);
/* Memory report of this thread's tapes: the largest peak, in bytes, of any tape
 * released with adj_tape_free since the last adj_tape_stats_reset, and how many were
 * released. Generated gradients free their tape before returning, so after a call
 * `adj_tape_stats().peak_bytes` is what that call's tape held at its fullest. */
typedef struct AdjTapeStats {
  size_t peak_bytes;
  size_t tapes_freed;
} AdjTapeStats;
AdjTapeStats adj_tape_stats(void);
void adj_tape_stats_reset(void);
/* Make room for at least `need` more bytes (out-of-line slow path of push). */
void adj_tape_reserve(AdjTape *tape, size_t need);

static inline void adj_tape_push(AdjTape *tape, const void *value, size_t size) {
  if (tape->cap - tape->top < size)
    adj_tape_reserve(tape, size);
  memcpy(tape->base + tape->top, value, size);
  tape->top += size;
}

/* Record the current size as the peak if it is larger. Generated code calls it once,
 * where its forward sweep ends and the tape is at its fullest (push does not, to stay
 * a bare copy). */
static inline void adj_tape_mark_peak(AdjTape *tape) {
  if (tape->top > tape->peak)
    tape->peak = tape->top;
}

static inline void adj_tape_pop(AdjTape *tape, void *value, size_t size) {
  tape->top -= size;
  memcpy(value, tape->base + tape->top, size);
}

/* ---------------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------------- */

/* The Python exception PyTorch would raise in the same situation. */
typedef enum AdjErrorKind {
  ADJ_OK = 0,
  ADJ_ERR_RUNTIME, /* RuntimeError: shapes, autograd rules, ... */
  ADJ_ERR_INDEX,   /* IndexError: dimension or index out of range */
  ADJ_ERR_VALUE,   /* ValueError: bad argument value */
  ADJ_ERR_TYPE,    /* TypeError: NULL or wrong-dtype argument */
  ADJ_ERR_MEMORY   /* out of memory */
} AdjErrorKind;

/* Called on every error, on the thread that raised it, before the call returns. */
typedef void (*AdjErrorHandler)(AdjErrorKind kind, const char *message, void *ctx);

/* Message of the last error on this thread ("" when none since adj_clear_error). */
const char *adj_last_error(void);
/* Kind of the last error on this thread (ADJ_OK when none). */
AdjErrorKind adj_last_error_kind(void);
/* Forget the last error. */
void adj_clear_error(void);
/* Install a process-wide handler (NULL: none); returns the previous one. */
AdjErrorHandler adj_set_error_handler(AdjErrorHandler handler, void *ctx);
/* A ready-made handler: prints "adjoint: error: <message>" to stderr and aborts. */
void adj_error_abort(AdjErrorKind kind, const char *message, void *ctx);

/* ---------------------------------------------------------------------------------
 * Tensors
 * ------------------------------------------------------------------------------- */

typedef enum AdjDType {
  ADJ_FLOAT32, /* torch.float32, the default dtype */
  ADJ_FLOAT64, /* torch.float64 */
  ADJ_INT64,   /* torch.int64: indices, argmax, targets; integer arithmetic, no grad */
  ADJ_BOOL     /* torch.bool: comparison results and masks; no grad */
} AdjDType;

#define ADJ_MAX_DIMS 8

/* An n-dimensional view of a storage: dtype, shape, strides (in elements), offset,
 * plus its autograd state. Opaque; use the accessors below. */
typedef struct AdjTensor AdjTensor;
/* A node of the autograd graph (PyTorch's grad_fn objects). */
typedef struct AdjNode AdjNode;

/* ADJ_SHAPE(2, 3) expands to the (ndim, shape) argument pair `2, (const int64_t[]){2, 3}`
 * and ADJ_SCALAR_SHAPE to the 0-dim pair `0, NULL`. ADJ_VALUES(1., 2.) is a
 * `const double[]` literal, ADJ_DIMS(0, 1) the (ndims, dims) pair for reductions and
 * permutations, ADJ_INDEX(1, 2) a `const int64_t[]` index for adj_get / adj_set. */
#define ADJ_SHAPE(...)                                                               \
  (int)(sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t)), (const int64_t[]){__VA_ARGS__}
#define ADJ_SCALAR_SHAPE 0, NULL
#define ADJ_DIMS(...)                                                                \
  (int)(sizeof((const int[]){__VA_ARGS__}) / sizeof(int)), (const int[]){__VA_ARGS__}
#define ADJ_VALUES(...) ((const double[]){__VA_ARGS__})
#define ADJ_INDEX(...) ((const int64_t[]){__VA_ARGS__})

/* Take one more reference to t (NULL-safe); returns t. */
AdjTensor *adj_retain(AdjTensor *t);
/* Drop one reference (NULL-safe); the last one frees the tensor. */
void adj_release(AdjTensor *t);

/* ---------------------------------------------------------------------------------
 * Scopes (ownership rule R1, R2)
 * ------------------------------------------------------------------------------- */

/* Open a scope: tensors created until the matching adj_scope_end belong to it. */
void adj_scope_begin(void);
/* Close the innermost scope, releasing every reference it owns. */
void adj_scope_end(void);
/* Move t out of the innermost scope (rule R2); returns t (NULL-safe). */
AdjTensor *adj_keep(AdjTensor *t);
/* adj_keep(t), then adj_scope_end(): the usual way to return from a scoped function. */
AdjTensor *adj_scope_return(AdjTensor *t);
/* Number of open scopes on this thread. */
int adj_scope_depth(void);
/* Number of live tensors in the process (for leak tests). */
long adj_live_tensors(void);

/* ---------------------------------------------------------------------------------
 * Creation (all return new tensors, rule R1; shapes are (ndim, shape) pairs)
 * ------------------------------------------------------------------------------- */

/* torch.tensor(values): values (row-major, numel of them) converted to dtype. */
AdjTensor *adj_tensor(AdjDType dtype, int ndim, const int64_t *shape, const double *values);
/* Like adj_tensor, from a raw buffer of dtype's C type (float, double, int64_t, bool). */
AdjTensor *adj_from_buffer(AdjDType dtype, int ndim, const int64_t *shape, const void *data);
/* torch.tensor(value): a 0-dim tensor. */
AdjTensor *adj_scalar(AdjDType dtype, double value);
AdjTensor *adj_empty(AdjDType dtype, int ndim, const int64_t *shape);
AdjTensor *adj_zeros(AdjDType dtype, int ndim, const int64_t *shape);
AdjTensor *adj_ones(AdjDType dtype, int ndim, const int64_t *shape);
AdjTensor *adj_full(AdjDType dtype, int ndim, const int64_t *shape, double value);
AdjTensor *adj_zeros_like(const AdjTensor *t);
AdjTensor *adj_ones_like(const AdjTensor *t);
AdjTensor *adj_full_like(const AdjTensor *t, double value);
/* torch.arange(start, end, step): ceil((end - start) / step) elements. */
AdjTensor *adj_arange(AdjDType dtype, double start, double end, double step);
/* torch.linspace(start, end, steps). */
AdjTensor *adj_linspace(AdjDType dtype, double start, double end, int64_t steps);
/* torch.manual_seed: seeds this thread's generator (mt19937, PyTorch's CPU one). */
void adj_manual_seed(uint64_t seed);
/* torch.rand: uniform on [0, 1); bit-identical to PyTorch's CPU torch.rand for the same
 * seed, shape and dtype. */
AdjTensor *adj_rand(AdjDType dtype, int ndim, const int64_t *shape);
/* torch.randn: standard normal, PyTorch's algorithm on the same generator: identical
 * values below 16 elements and for float64, within 1e-7 for larger float32 tensors
 * (PyTorch's AVX2 path uses its own log and sincos). */
AdjTensor *adj_randn(AdjDType dtype, int ndim, const int64_t *shape);

/* ---------------------------------------------------------------------------------
 * Properties and element access
 * ------------------------------------------------------------------------------- */

AdjDType adj_dtype(const AdjTensor *t);
/* "torch.float32", "torch.float64", "torch.int64", "torch.bool". */
const char *adj_dtype_name(AdjDType dtype);
int adj_dim(const AdjTensor *t);
/* Size of dim d (negative d counts from the end); -1 (and an error) if out of range. */
int64_t adj_size(const AdjTensor *t, int d);
/* Borrowed arrays of adj_dim(t) entries; strides are in elements. */
const int64_t *adj_shape(const AdjTensor *t);
const int64_t *adj_strides(const AdjTensor *t);
int64_t adj_offset(const AdjTensor *t);
int64_t adj_numel(const AdjTensor *t);
bool adj_is_contiguous(const AdjTensor *t);
/* Pointer to element 0 (storage + offset); writes through it bypass autograd and the
 * version counter, like writing into tensor.data_ptr(). */
void *adj_data_ptr(const AdjTensor *t);
/* True when a and b view the same storage. */
bool adj_shares_storage(const AdjTensor *a, const AdjTensor *b);
/* tensor.item(): the only element as a double; NAN and an error if numel != 1. */
double adj_item(const AdjTensor *t);
/* t[idx...] as a double (idx has adj_dim(t) entries, negative counts from the end). */
double adj_get(const AdjTensor *t, const int64_t *idx);
/* t[idx...] = value: an in-place write (version bump, leaf rule; recorded as CopySlices
 * when t requires grad); 0 or -1. */
int adj_set(AdjTensor *t, const int64_t *idx, double value);
/* Copy all elements in row-major order into out[adj_numel(t)] as doubles; 0 or -1. */
int adj_to_doubles(const AdjTensor *t, double *out);
/* The version counter (bumped by every in-place op; shared by views and detach). */
uint64_t adj_version(const AdjTensor *t);

/* ---------------------------------------------------------------------------------
 * Copies, conversions, views and shape ops. Views share storage and the version
 * counter with their base; grad_fn names are PyTorch's.
 * ------------------------------------------------------------------------------- */

AdjTensor *adj_clone(const AdjTensor *t);                       /* CloneBackward0 */
/* t itself (a new reference) when contiguous, else a contiguous copy. */
AdjTensor *adj_contiguous(const AdjTensor *t);
/* tensor.to(dtype): a copy (ToCopyBackward0), or t itself when dtype already matches. */
AdjTensor *adj_to_dtype(const AdjTensor *t, AdjDType dtype);
/* tensor.view(shape) (ViewBackward0); one entry may be -1. Needs compatible strides. */
AdjTensor *adj_view(const AdjTensor *t, int ndim, const int64_t *shape);
/* tensor.reshape(shape): a view when possible (ReshapeAliasBackward0), else a copy
 * (UnsafeViewBackward0). */
AdjTensor *adj_reshape(const AdjTensor *t, int ndim, const int64_t *shape);
AdjTensor *adj_flatten(const AdjTensor *t);                     /* reshape(-1) */
AdjTensor *adj_transpose(const AdjTensor *t, int d0, int d1);  /* TransposeBackward0 */
AdjTensor *adj_t(const AdjTensor *t);                           /* TBackward0, <= 2-D */
AdjTensor *adj_permute(const AdjTensor *t, int ndim, const int *dims); /* PermuteBackward0 */
/* t.narrow / t[..., start:end:step, ...] along dim (SliceBackward0); start and end are
 * clamped like Python slices, negative values count from the end. */
AdjTensor *adj_slice(const AdjTensor *t, int dim, int64_t start, int64_t end, int64_t step);
/* t.select(dim, index) == t[..., index, ...] (SelectBackward0). */
AdjTensor *adj_select(const AdjTensor *t, int dim, int64_t index);
/* t.expand(shape) (ExpandBackward0); -1 keeps a size, new dims go in front. */
AdjTensor *adj_expand(const AdjTensor *t, int ndim, const int64_t *shape);
/* broadcast_to: like expand, shapes must be broadcast-compatible. */
AdjTensor *adj_broadcast_to(const AdjTensor *t, int ndim, const int64_t *shape);
AdjTensor *adj_unsqueeze(const AdjTensor *t, int dim);         /* UnsqueezeBackward0 */
AdjTensor *adj_squeeze(const AdjTensor *t, int dim);           /* SqueezeBackward1 */
AdjTensor *adj_squeeze_all(const AdjTensor *t);                /* SqueezeBackward0 */
/* torch.cat(tensors, dim) (CatBackward0) and torch.stack (StackBackward0). */
AdjTensor *adj_cat(int n, AdjTensor *const *tensors, int dim);
AdjTensor *adj_stack(int n, AdjTensor *const *tensors, int dim);
/* torch.index_select(t, dim, index) with a 1-D int64 index (IndexSelectBackward0). */
AdjTensor *adj_index_select(const AdjTensor *t, int dim, const AdjTensor *index);
/* torch.gather(t, dim, index) (GatherBackward0). */
AdjTensor *adj_gather(const AdjTensor *t, int dim, const AdjTensor *index);
/* torch.where(cond, a, b) with broadcasting (WhereBackward0). */
AdjTensor *adj_where(const AdjTensor *cond, const AdjTensor *a, const AdjTensor *b);

/* ---------------------------------------------------------------------------------
 * Elementwise ops. Binary ops broadcast like NumPy/PyTorch; float32 op float64 gives
 * float64 (a 0-dim operand does not promote a dimensioned one); the gradient of a
 * broadcast operand is summed back to its shape. Scalar variants treat the scalar
 * like PyTorch's wrapped Python number.
 * ------------------------------------------------------------------------------- */

AdjTensor *adj_add(const AdjTensor *a, const AdjTensor *b);    /* AddBackward0 */
AdjTensor *adj_sub(const AdjTensor *a, const AdjTensor *b);    /* SubBackward0 */
AdjTensor *adj_mul(const AdjTensor *a, const AdjTensor *b);    /* MulBackward0 */
AdjTensor *adj_div(const AdjTensor *a, const AdjTensor *b);    /* DivBackward0 */
AdjTensor *adj_pow(const AdjTensor *a, const AdjTensor *b);    /* PowBackward1 */
AdjTensor *adj_minimum(const AdjTensor *a, const AdjTensor *b); /* MinimumBackward0 */
AdjTensor *adj_maximum(const AdjTensor *a, const AdjTensor *b); /* MaximumBackward0 */
AdjTensor *adj_add_scalar(const AdjTensor *a, double s);       /* a + s: AddBackward0 */
AdjTensor *adj_sub_scalar(const AdjTensor *a, double s);       /* a - s: SubBackward0 */
AdjTensor *adj_rsub_scalar(const AdjTensor *a, double s);      /* s - a: RsubBackward1 */
AdjTensor *adj_mul_scalar(const AdjTensor *a, double s);       /* a * s: MulBackward0 */
AdjTensor *adj_div_scalar(const AdjTensor *a, double s);       /* a / s: DivBackward0 */
AdjTensor *adj_pow_scalar(const AdjTensor *a, double s);       /* a ** s: PowBackward0 */
AdjTensor *adj_neg(const AdjTensor *a);                        /* NegBackward0 */
AdjTensor *adj_exp(const AdjTensor *a);                        /* ExpBackward0 */
AdjTensor *adj_log(const AdjTensor *a);                        /* LogBackward0 */
AdjTensor *adj_sqrt(const AdjTensor *a);                       /* SqrtBackward0 */
AdjTensor *adj_abs(const AdjTensor *a);     /* AbsBackward0; gradient 0 at 0 */
AdjTensor *adj_sign(const AdjTensor *a);    /* SignBackward0; gradient 0 */
AdjTensor *adj_sin(const AdjTensor *a);                        /* SinBackward0 */
AdjTensor *adj_cos(const AdjTensor *a);                        /* CosBackward0 */
AdjTensor *adj_tanh(const AdjTensor *a);                       /* TanhBackward0 */
AdjTensor *adj_sigmoid(const AdjTensor *a);                    /* SigmoidBackward0 */
AdjTensor *adj_relu(const AdjTensor *a);    /* ReluBackward0; gradient 0 at 0 */
/* torch.clamp(a, min, max) (ClampBackward1); pass -INFINITY / INFINITY for no bound.
 * The gradient passes where min <= a <= max. */
AdjTensor *adj_clamp(const AdjTensor *a, double min, double max);

/* Comparisons (no gradient): bool tensors, broadcasting; any dtypes. */
AdjTensor *adj_eq(const AdjTensor *a, const AdjTensor *b);
AdjTensor *adj_ne(const AdjTensor *a, const AdjTensor *b);
AdjTensor *adj_lt(const AdjTensor *a, const AdjTensor *b);
AdjTensor *adj_le(const AdjTensor *a, const AdjTensor *b);
AdjTensor *adj_gt(const AdjTensor *a, const AdjTensor *b);
AdjTensor *adj_ge(const AdjTensor *a, const AdjTensor *b);
AdjTensor *adj_gt_scalar(const AdjTensor *a, double s);
AdjTensor *adj_lt_scalar(const AdjTensor *a, double s);
AdjTensor *adj_eq_scalar(const AdjTensor *a, double s);
/* torch.equal: same shape and elements; allclose with rtol, atol. */
bool adj_equal(const AdjTensor *a, const AdjTensor *b);
bool adj_allclose(const AdjTensor *a, const AdjTensor *b, double rtol, double atol);

/* ---------------------------------------------------------------------------------
 * Reductions. dims lists may hold negative dims; keepdim keeps them with size 1.
 * ------------------------------------------------------------------------------- */

AdjTensor *adj_sum(const AdjTensor *t);                                 /* SumBackward0 */
/* SumBackward1 */
AdjTensor *adj_sum_dims(const AdjTensor *t, int ndims, const int *dims, bool keepdim);
AdjTensor *adj_mean(const AdjTensor *t);                                /* MeanBackward0 */
/* MeanBackward1 */
AdjTensor *adj_mean_dims(const AdjTensor *t, int ndims, const int *dims, bool keepdim);
/* Max / min of all elements (MaxBackward1 / MinBackward1): ties split the gradient. */
AdjTensor *adj_max(const AdjTensor *t);
AdjTensor *adj_min(const AdjTensor *t);
/* torch.max(t, dim, keepdim) (MaxBackward0): values; *indices (if not NULL) receives the
 * int64 indices (first maximum), a new tensor (rule R1). The gradient goes to that index. */
AdjTensor *adj_max_dim(const AdjTensor *t, int dim, bool keepdim, AdjTensor **indices);
AdjTensor *adj_min_dim(const AdjTensor *t, int dim, bool keepdim, AdjTensor **indices);
/* argmax / argmin over all elements (0-dim) or along dim; int64, no gradient. */
AdjTensor *adj_argmax(const AdjTensor *t);
AdjTensor *adj_argmax_dim(const AdjTensor *t, int dim, bool keepdim);
AdjTensor *adj_argmin_dim(const AdjTensor *t, int dim, bool keepdim);

/* ---------------------------------------------------------------------------------
 * Linear algebra and nn functions
 * ------------------------------------------------------------------------------- */

/* torch.matmul: dot (DotBackward0), matrix-vector (MvBackward0), vector-matrix
 * (SqueezeBackward3), matrix-matrix (MmBackward0), batched with broadcast batch dims
 * (UnsafeViewBackward0).
 * Operands must have the same dtype, like PyTorch. */
AdjTensor *adj_matmul(const AdjTensor *a, const AdjTensor *b);
/* torch.addmm(input, mat1, mat2) = input + mat1 @ mat2, input broadcast (AddmmBackward0). */
AdjTensor *adj_addmm(const AdjTensor *input, const AdjTensor *mat1, const AdjTensor *mat2);
/* F.linear(x, w, b) = x @ w.T + b (b may be NULL): addmm for 2-D x, as PyTorch does. */
AdjTensor *adj_linear(const AdjTensor *x, const AdjTensor *w, const AdjTensor *b);
AdjTensor *adj_softmax(const AdjTensor *t, int dim);      /* SoftmaxBackward0 */
AdjTensor *adj_log_softmax(const AdjTensor *t, int dim);  /* LogSoftmaxBackward0 */

typedef enum AdjReduction {
  ADJ_REDUCTION_MEAN,
  ADJ_REDUCTION_SUM,
  ADJ_REDUCTION_NONE
} AdjReduction;
/* F.nll_loss(logp [N, C] or [C], target int64 [N] or []) (NllLossBackward0); targets
 * equal to -100 are ignored (PyTorch's default ignore_index). */
AdjTensor *adj_nll_loss(const AdjTensor *logp, const AdjTensor *target, AdjReduction reduction);
/* F.cross_entropy(logits, target) == nll_loss(log_softmax(logits, 1), target). */
AdjTensor *adj_cross_entropy(const AdjTensor *logits, const AdjTensor *target,
                             AdjReduction reduction);

/* ---------------------------------------------------------------------------------
 * In-place ops (rule R4). They bump the version counter; on a leaf that requires grad
 * they fail unless grad mode is off ("a leaf Variable that requires grad is being used
 * in an in-place operation."); on a tensor saved for backward they succeed and make
 * that backward fail. The other operand broadcasts to t's shape and is cast to t's
 * dtype. On a view of a tensor with history they rewrite the base's history as
 * PyTorch's CopySlices (the view becomes AsStridedBackward0); the base must be
 * contiguous (results of ops always are). adj_set on a tensor that requires grad is
 * recorded the same way (select + fill_).
 * ------------------------------------------------------------------------------- */

AdjTensor *adj_add_(AdjTensor *t, const AdjTensor *other);
AdjTensor *adj_sub_(AdjTensor *t, const AdjTensor *other);
AdjTensor *adj_mul_(AdjTensor *t, const AdjTensor *other);
AdjTensor *adj_div_(AdjTensor *t, const AdjTensor *other);
AdjTensor *adj_add_scalar_(AdjTensor *t, double s);
AdjTensor *adj_mul_scalar_(AdjTensor *t, double s);
AdjTensor *adj_exp_(AdjTensor *t);
AdjTensor *adj_clamp_(AdjTensor *t, double min, double max);
AdjTensor *adj_zero_(AdjTensor *t);
AdjTensor *adj_fill_(AdjTensor *t, double value);
AdjTensor *adj_copy_(AdjTensor *t, const AdjTensor *src);
/* tensor.uniform_(from, to): the values torch.manual_seed + uniform_ give (nn.init's
 * kaiming_uniform_ is uniform_(-bound, bound), run under no_grad). */
AdjTensor *adj_uniform_(AdjTensor *t, double from, double to);

/* ---------------------------------------------------------------------------------
 * Autograd
 * ------------------------------------------------------------------------------- */

bool adj_requires_grad(const AdjTensor *t);
/* tensor.requires_grad_(flag): only on leaves (or to True on anything that already
 * requires grad) and floating dtypes; returns t (rule R4) or NULL. */
AdjTensor *adj_requires_grad_(AdjTensor *t, bool requires_grad);
/* True for tensors without grad_fn (user-created, or results that need no grad). */
bool adj_is_leaf(const AdjTensor *t);
/* tensor.grad (borrowed, rule R3): NULL until a backward reaches this leaf (or this
 * retain_grad non-leaf). */
AdjTensor *adj_grad(const AdjTensor *t);
/* Replace tensor.grad (NULL clears it); takes its own reference to grad. 0 or -1. */
int adj_set_grad(AdjTensor *t, AdjTensor *grad);
/* Zero t.grad: set_to_none drops it, otherwise it is detached and zeroed in place. */
void adj_zero_grad(AdjTensor *t, bool set_to_none);
/* tensor.grad_fn: borrowed node or NULL; its PyTorch name, e.g. "MulBackward0". */
AdjNode *adj_grad_fn(const AdjTensor *t);
const char *adj_grad_fn_name(const AdjTensor *t);
const char *adj_node_name(const AdjNode *node);
/* grad_fn.next_functions: count and i-th node (NULL for an input that needs no grad;
 * "AccumulateGrad" for a leaf). */
int adj_node_num_next(const AdjNode *node);
AdjNode *adj_node_next(const AdjNode *node, int i);
/* tensor.retain_grad(): keep .grad for a non-leaf (no-op on leaves). 0 or -1. */
int adj_retain_grad(AdjTensor *t);
bool adj_retains_grad(const AdjTensor *t);

/* tensor.backward(gradient, retain_graph, create_graph). gradient may be NULL only for
 * a one-element t. Gradients accumulate into leaves' .grad. Returns 0 or -1. */
int adj_backward(AdjTensor *t, const AdjTensor *gradient, bool retain_graph, bool create_graph);
/* torch.autograd.backward(tensors, grad_tensors (NULL or n entries, each may be NULL),
 * retain_graph, create_graph, inputs (NULL/0: all leaves)). Returns 0 or -1. */
int adj_autograd_backward(int n, AdjTensor *const *tensors, AdjTensor *const *grad_tensors,
                          bool retain_graph, bool create_graph, int n_inputs,
                          AdjTensor *const *inputs);
/* torch.autograd.grad(outputs, inputs, grad_outputs, retain_graph, create_graph,
 * allow_unused). PyTorch's default retain_graph=None means retain_graph = create_graph.
 * On success stores n_inputs new tensors (rule R1) in results (NULL for an unused input
 * when allow_unused) and returns 0; returns -1 on error. .grad fields are untouched. */
int adj_autograd_grad(int n_outputs, AdjTensor *const *outputs, AdjTensor *const *grad_outputs,
                      int n_inputs, AdjTensor *const *inputs, bool retain_graph,
                      bool create_graph, bool allow_unused, AdjTensor **results);

/* tensor.detach(): shares storage AND version counter, no history. */
AdjTensor *adj_detach(const AdjTensor *t);
/* tensor.detach_(): t becomes a leaf that does not require grad; returns t (R4). */
AdjTensor *adj_detach_(AdjTensor *t);
/* tensor.data: shares storage, NOT the version counter; never tracked. */
AdjTensor *adj_data(const AdjTensor *t);

/* A tensor hook: called with the gradient flowing into the tensor (borrowed). Return
 * NULL to keep it, or a tensor to use instead (the engine takes its own reference; a
 * tensor created in the hook belongs to the engine's scope). */
typedef AdjTensor *(*AdjHookFn)(AdjTensor *grad, void *ctx);
/* tensor.register_hook(fn): returns a handle > 0, or -1 if t does not require grad. */
int adj_register_hook(AdjTensor *t, AdjHookFn fn, void *ctx);
/* handle.remove(); 0 or -1 if no such hook. */
int adj_remove_hook(AdjTensor *t, int handle);

/* A custom differentiable function (torch.autograd.Function), the bridge that lets a
 * function compiled by adjc (f and its f_vjp) act as one node of the dynamic graph.
 * forward runs with grad mode off and returns a new tensor (rule R1) or NULL. If grad
 * mode is on and an input requires grad, the result gets a node named `name` that
 * saves the inputs and the output like any op (version-checked, freed by a backward
 * without retain_graph; under no_grad nothing is saved). backward receives them and
 * the output's gradient and stores one gradient per input in grad_inputs (NULL for
 * none; tensors it creates belong to the engine's scope); it runs with grad mode on
 * under create_graph, so a backward written with adj_ ops is differentiable again,
 * while one that fills raw buffers yields gradients without history. At most 7 inputs;
 * ctx must outlive the graph. */
typedef struct AdjFunction {
  const char *name;
  AdjTensor *(*forward)(void *ctx, int n, AdjTensor *const *inputs);
  int (*backward)(void *ctx, int n, AdjTensor *const *inputs, AdjTensor *output,
                  AdjTensor *grad_output, AdjTensor **grad_inputs);
} AdjFunction;
AdjTensor *adj_function_apply(const AdjFunction *fn, void *ctx, int n, AdjTensor *const *inputs);

/* Grad mode (thread-local; on by default). */
bool adj_is_grad_enabled(void);
/* torch.set_grad_enabled(flag): returns the previous mode. */
bool adj_set_grad_enabled(bool enabled);
/* Scoped modes: push sets the mode, pop restores what the matching push saw. */
void adj_grad_mode_push(bool enabled);
void adj_grad_mode_pop(void);
/* `ADJ_WITH_NO_GRAD { ... }` is `with torch.no_grad():`, ADJ_WITH_ENABLE_GRAD is
 * `with torch.enable_grad():`. Leave the block normally: a break or return inside
 * skips the restore. */
#define ADJ_CAT2_(a, b) a##b
#define ADJ_CAT_(a, b) ADJ_CAT2_(a, b)
#define ADJ_WITH_GRAD_MODE_(mode)                                                   \
  for (int ADJ_CAT_(adj_once_, __LINE__) = (adj_grad_mode_push(mode), 1);           \
       ADJ_CAT_(adj_once_, __LINE__); ADJ_CAT_(adj_once_, __LINE__) = 0, adj_grad_mode_pop())
#define ADJ_WITH_NO_GRAD ADJ_WITH_GRAD_MODE_(false)
#define ADJ_WITH_ENABLE_GRAD ADJ_WITH_GRAD_MODE_(true)

/* torch.autograd.set_detect_anomaly(flag) (thread-local): nodes record the file:line of
 * the op that created them; a backward that produces NaN fails with PyTorch's message
 * ("Function 'PowBackward0' returned nan values in its 0th output.") and prints the
 * forward location to stderr; other backward errors print it too. Returns previous. */
bool adj_set_detect_anomaly(bool enabled);
bool adj_is_anomaly_enabled(void);
/* Where t's grad_fn was created (anomaly mode only): "file.c:12", or NULL. */
const char *adj_node_location(const AdjNode *node);
/* The last anomaly report on this thread (also printed to stderr): "Error detected in
 * SqrtBackward0. Traceback of forward call that caused the error:\n  model.c:12", or
 * NULL if there was none. */
const char *adj_last_anomaly_report(void);

/* ---------------------------------------------------------------------------------
 * Printing: exactly PyTorch's repr (precision 4, linewidth 80, summarised above 1000
 * elements), e.g. "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])".
 * ------------------------------------------------------------------------------- */

/* The repr as a malloc'ed string (free() it), or NULL on error. */
char *adj_repr(const AdjTensor *t);
/* print(t): the repr and a newline to stdout ("None" for NULL). */
void adj_print(const AdjTensor *t);
void adj_fprint(FILE *out, const AdjTensor *t);

/* ---------------------------------------------------------------------------------
 * Runtime settings
 * ------------------------------------------------------------------------------- */

/* Threads used by kernels on large tensors (default: online CPUs, at most 8). */
void adj_set_num_threads(int n);
int adj_get_num_threads(void);
/* Force the scalar reference kernels (true) or allow the fast paths (false, default);
 * process-wide, for tests and benchmarks. Returns the previous setting. */
bool adj_set_reference_kernels(bool on);

/* ---------------------------------------------------------------------------------
 * Source locations for anomaly mode: each op that records a node is wrapped in a macro
 * that stores __FILE__/__LINE__ before calling the function of the same name (so
 * &adj_mul is still the function; a call through a pointer reuses the most recent
 * location). Define ADJ_NO_LOCATION_MACROS before including this header to turn them
 * off.
 * ------------------------------------------------------------------------------- */
void adj_set_location_(const char *file, int line);
#ifndef ADJ_NO_LOCATION_MACROS
#define ADJ_AT_(call) (adj_set_location_(__FILE__, __LINE__), call)
#define adj_add(...) ADJ_AT_(adj_add(__VA_ARGS__))
#define adj_sub(...) ADJ_AT_(adj_sub(__VA_ARGS__))
#define adj_mul(...) ADJ_AT_(adj_mul(__VA_ARGS__))
#define adj_div(...) ADJ_AT_(adj_div(__VA_ARGS__))
#define adj_pow(...) ADJ_AT_(adj_pow(__VA_ARGS__))
#define adj_minimum(...) ADJ_AT_(adj_minimum(__VA_ARGS__))
#define adj_maximum(...) ADJ_AT_(adj_maximum(__VA_ARGS__))
#define adj_add_scalar(...) ADJ_AT_(adj_add_scalar(__VA_ARGS__))
#define adj_sub_scalar(...) ADJ_AT_(adj_sub_scalar(__VA_ARGS__))
#define adj_rsub_scalar(...) ADJ_AT_(adj_rsub_scalar(__VA_ARGS__))
#define adj_mul_scalar(...) ADJ_AT_(adj_mul_scalar(__VA_ARGS__))
#define adj_div_scalar(...) ADJ_AT_(adj_div_scalar(__VA_ARGS__))
#define adj_pow_scalar(...) ADJ_AT_(adj_pow_scalar(__VA_ARGS__))
#define adj_neg(...) ADJ_AT_(adj_neg(__VA_ARGS__))
#define adj_exp(...) ADJ_AT_(adj_exp(__VA_ARGS__))
#define adj_log(...) ADJ_AT_(adj_log(__VA_ARGS__))
#define adj_sqrt(...) ADJ_AT_(adj_sqrt(__VA_ARGS__))
#define adj_abs(...) ADJ_AT_(adj_abs(__VA_ARGS__))
#define adj_sign(...) ADJ_AT_(adj_sign(__VA_ARGS__))
#define adj_sin(...) ADJ_AT_(adj_sin(__VA_ARGS__))
#define adj_cos(...) ADJ_AT_(adj_cos(__VA_ARGS__))
#define adj_tanh(...) ADJ_AT_(adj_tanh(__VA_ARGS__))
#define adj_sigmoid(...) ADJ_AT_(adj_sigmoid(__VA_ARGS__))
#define adj_relu(...) ADJ_AT_(adj_relu(__VA_ARGS__))
#define adj_clamp(...) ADJ_AT_(adj_clamp(__VA_ARGS__))
#define adj_where(...) ADJ_AT_(adj_where(__VA_ARGS__))
#define adj_sum(...) ADJ_AT_(adj_sum(__VA_ARGS__))
#define adj_sum_dims(...) ADJ_AT_(adj_sum_dims(__VA_ARGS__))
#define adj_mean(...) ADJ_AT_(adj_mean(__VA_ARGS__))
#define adj_mean_dims(...) ADJ_AT_(adj_mean_dims(__VA_ARGS__))
#define adj_max(...) ADJ_AT_(adj_max(__VA_ARGS__))
#define adj_min(...) ADJ_AT_(adj_min(__VA_ARGS__))
#define adj_max_dim(...) ADJ_AT_(adj_max_dim(__VA_ARGS__))
#define adj_min_dim(...) ADJ_AT_(adj_min_dim(__VA_ARGS__))
#define adj_matmul(...) ADJ_AT_(adj_matmul(__VA_ARGS__))
#define adj_addmm(...) ADJ_AT_(adj_addmm(__VA_ARGS__))
#define adj_linear(...) ADJ_AT_(adj_linear(__VA_ARGS__))
#define adj_uniform_(...) ADJ_AT_(adj_uniform_(__VA_ARGS__))
#define adj_softmax(...) ADJ_AT_(adj_softmax(__VA_ARGS__))
#define adj_log_softmax(...) ADJ_AT_(adj_log_softmax(__VA_ARGS__))
#define adj_nll_loss(...) ADJ_AT_(adj_nll_loss(__VA_ARGS__))
#define adj_cross_entropy(...) ADJ_AT_(adj_cross_entropy(__VA_ARGS__))
#define adj_clone(...) ADJ_AT_(adj_clone(__VA_ARGS__))
#define adj_contiguous(...) ADJ_AT_(adj_contiguous(__VA_ARGS__))
#define adj_to_dtype(...) ADJ_AT_(adj_to_dtype(__VA_ARGS__))
#define adj_view(...) ADJ_AT_(adj_view(__VA_ARGS__))
#define adj_reshape(...) ADJ_AT_(adj_reshape(__VA_ARGS__))
#define adj_flatten(...) ADJ_AT_(adj_flatten(__VA_ARGS__))
#define adj_transpose(...) ADJ_AT_(adj_transpose(__VA_ARGS__))
#define adj_t(...) ADJ_AT_(adj_t(__VA_ARGS__))
#define adj_permute(...) ADJ_AT_(adj_permute(__VA_ARGS__))
#define adj_slice(...) ADJ_AT_(adj_slice(__VA_ARGS__))
#define adj_select(...) ADJ_AT_(adj_select(__VA_ARGS__))
#define adj_expand(...) ADJ_AT_(adj_expand(__VA_ARGS__))
#define adj_broadcast_to(...) ADJ_AT_(adj_broadcast_to(__VA_ARGS__))
#define adj_unsqueeze(...) ADJ_AT_(adj_unsqueeze(__VA_ARGS__))
#define adj_squeeze(...) ADJ_AT_(adj_squeeze(__VA_ARGS__))
#define adj_squeeze_all(...) ADJ_AT_(adj_squeeze_all(__VA_ARGS__))
#define adj_cat(...) ADJ_AT_(adj_cat(__VA_ARGS__))
#define adj_stack(...) ADJ_AT_(adj_stack(__VA_ARGS__))
#define adj_index_select(...) ADJ_AT_(adj_index_select(__VA_ARGS__))
#define adj_gather(...) ADJ_AT_(adj_gather(__VA_ARGS__))
#define adj_add_(...) ADJ_AT_(adj_add_(__VA_ARGS__))
#define adj_sub_(...) ADJ_AT_(adj_sub_(__VA_ARGS__))
#define adj_mul_(...) ADJ_AT_(adj_mul_(__VA_ARGS__))
#define adj_div_(...) ADJ_AT_(adj_div_(__VA_ARGS__))
#define adj_add_scalar_(...) ADJ_AT_(adj_add_scalar_(__VA_ARGS__))
#define adj_mul_scalar_(...) ADJ_AT_(adj_mul_scalar_(__VA_ARGS__))
#define adj_exp_(...) ADJ_AT_(adj_exp_(__VA_ARGS__))
#define adj_clamp_(...) ADJ_AT_(adj_clamp_(__VA_ARGS__))
#define adj_zero_(...) ADJ_AT_(adj_zero_(__VA_ARGS__))
#define adj_fill_(...) ADJ_AT_(adj_fill_(__VA_ARGS__))
#define adj_copy_(...) ADJ_AT_(adj_copy_(__VA_ARGS__))
#define adj_function_apply(...) ADJ_AT_(adj_function_apply(__VA_ARGS__))
#endif

#ifdef __cplusplus
}
#endif
#endif /* ADJOINT_H */
