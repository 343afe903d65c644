/*
 * graph.c — the dynamic autograd graph: grad mode and anomaly mode, nodes and the
 * tensors they save, how results, in-place ops and views get their history
 * (including PyTorch's CopySlices), the in-place rules, leaf state and hooks.
 *
 * Key idea (PyTorch's design, made explicit): every result that requires grad holds a
 * strong pointer to the node that made it; a node holds strong pointers to the nodes
 * of its inputs (next edges), with an AccumulateGrad node standing for each leaf.
 * Saved outputs are stored as detached aliases, so a node never owns its own output
 * and the graph has no reference cycles. Nodes are freed by an explicit loop, so long
 * chains cannot overflow the C stack. The backward engine is in engine.c.
 */
#include "internal.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>

_Thread_local bool adj_grad_enabled_ = true;
_Thread_local bool adj_anomaly_enabled_ = false;
static _Thread_local bool *mode_stack;
static _Thread_local int mode_depth, mode_cap;
static _Thread_local int mode_lost; /* pushes that failed for lack of memory */
static _Thread_local uint64_t next_seq;
static _Thread_local const char *loc_file;
static _Thread_local int loc_line;
static atomic_int next_hook_id = 1;

/* ---- modes ------------------------------------------------------------------------ */

bool adj_is_grad_enabled(void) { return adj_grad_enabled_; }

bool adj_set_grad_enabled(bool enabled) {
  bool old = adj_grad_enabled_;
  adj_grad_enabled_ = enabled;
  return old;
}

void adj_grad_mode_push(bool enabled) {
  if (mode_depth == mode_cap) {
    int cap = mode_cap ? 2 * mode_cap : 16;
    bool *s = realloc(mode_stack, (size_t)cap * sizeof *s);
    if (!s) { /* the mode still changes; the matching pop leaves it as it is */
      adj_error(ADJ_ERR_MEMORY, "out of memory in grad mode stack");
      mode_lost++;
      adj_grad_enabled_ = enabled;
      return;
    }
    mode_stack = s;
    mode_cap = cap;
  }
  mode_stack[mode_depth++] = adj_grad_enabled_;
  adj_grad_enabled_ = enabled;
}

void adj_grad_mode_pop(void) {
  if (mode_lost > 0) {
    mode_lost--;
    return;
  }
  if (mode_depth == 0) {
    adj_error(ADJ_ERR_RUNTIME, "adj_grad_mode_pop() without a matching push");
    return;
  }
  adj_grad_enabled_ = mode_stack[--mode_depth];
  if (mode_depth == 0) {
    free(mode_stack);
    mode_stack = NULL;
    mode_cap = 0;
  }
}

bool adj_set_detect_anomaly(bool enabled) {
  bool old = adj_anomaly_enabled_;
  adj_anomaly_enabled_ = enabled;
  return old;
}

bool adj_is_anomaly_enabled(void) { return adj_anomaly_enabled_; }

void adj_set_location_(const char *file, int line) {
  loc_file = file;
  loc_line = line;
}

const char *adj_node_location(const AdjNode *node) {
  static _Thread_local char buf[512];
  if (!node || !node->file)
    return NULL;
  snprintf(buf, sizeof buf, "%s:%d", node->file, node->line);
  return buf;
}

/* ---- nodes ------------------------------------------------------------------------ */

static void hooks_free(AdjHookList *h) {
  free(h->items);
  *h = (AdjHookList){NULL, 0, 0};
}

/* Nodes whose count reached zero, freed by one loop (no recursion). */
static _Thread_local AdjNode **dead;
static _Thread_local int dead_count, dead_cap;
static _Thread_local bool draining;

/* Free one node whose count reached zero: drop its edges (which may queue more
 * nodes), saved tensors, AccumulateGrad's leaf and owned arrays. */
static void node_destroy(AdjNode *n) {
  for (int i = 0; i < n->n_next; i++)
    adj_node_release(n->next[i]);
  adj_node_release(n->inner);
  for (int i = 0; i < n->n_saved; i++)
    adj_release(n->saved[i].tensor);
  if (n->variable) {
    if (n->variable->grad_acc == n)
      n->variable->grad_acc = NULL;
    adj_release(n->variable);
  }
  free(n->next);
  free(n->in_meta);
  free(n->sizes);
  hooks_free(&n->pre_hooks);
  free(n);
}

void adj_node_release(AdjNode *n) {
  if (!n || --n->refcount > 0)
    return;
  if (dead_count == dead_cap) {
    int cap = dead_cap ? 2 * dead_cap : 64;
    AdjNode **d = realloc(dead, (size_t)cap * sizeof *d);
    if (!d) { /* cannot defer: free directly (recursion, but no leak) */
      node_destroy(n);
      return;
    }
    dead = d;
    dead_cap = cap;
  }
  dead[dead_count++] = n;
  if (draining)
    return;
  draining = true;
  while (dead_count > 0)
    node_destroy(dead[--dead_count]);
  draining = false;
  free(dead);
  dead = NULL;
  dead_cap = 0;
}

/* A zeroed node with room for n edges, the next sequence number and, in anomaly
 * mode, the current source location; NULL (error set) when out of memory. */
static AdjNode *node_alloc(const char *name, AdjBackwardFn backward, int n) {
  AdjNode *node = calloc(1, sizeof *node);
  AdjNode **next = calloc((size_t)(n > 0 ? n : 1), sizeof *next);
  AdjMeta *meta = calloc((size_t)(n > 0 ? n : 1), sizeof *meta);
  if (!node || !next || !meta) {
    free(node);
    free(next);
    free(meta);
    adj_error(ADJ_ERR_MEMORY, "out of memory allocating a graph node");
    return NULL;
  }
  node->refcount = 1;
  node->name = name;
  node->backward = backward;
  node->n_next = n;
  node->next = next;
  node->in_meta = meta;
  node->seq = next_seq++;
  if (adj_anomaly_enabled_) {
    node->file = loc_file;
    node->line = loc_line;
  }
  return node;
}

void adj_meta_of(AdjMeta *meta, const AdjTensor *t) {
  meta->ndim = t->ndim;
  meta->dtype = t->dtype;
  for (int i = 0; i < t->ndim; i++)
    meta->shape[i] = t->shape[i];
}

bool adj_requires_grad(const AdjTensor *t) { return t && (t->requires_grad || t->grad_fn); }

bool adj_any_requires_grad(int n, const AdjTensor *const *inputs) {
  if (!adj_grad_enabled_)
    return false;
  for (int i = 0; i < n; i++)
    if (adj_requires_grad(inputs[i]))
      return true;
  return false;
}

AdjNode *adj_gradient_edge(AdjTensor *t) {
  if (t->grad_fn) {
    t->grad_fn->refcount++;
    return t->grad_fn;
  }
  if (!t->requires_grad)
    return NULL;
  if (t->grad_acc) {
    t->grad_acc->refcount++;
    return t->grad_acc;
  }
  AdjNode *acc = node_alloc("AccumulateGrad", NULL, 0);
  if (!acc)
    return NULL;
  acc->seq = UINT64_MAX; /* PyTorch runs AccumulateGrad as soon as it is ready */
  acc->variable = adj_retain(t);
  adj_meta_of(&acc->out_meta, t);
  t->grad_acc = acc; /* weak */
  return acc;
}

AdjNode *adj_node_new(const char *name, AdjBackwardFn backward, int n,
                      const AdjTensor *const *inputs) {
  if (!adj_any_requires_grad(n, inputs))
    return NULL;
  AdjNode *node = node_alloc(name, backward, n);
  if (!node)
    return NULL;
  for (int i = 0; i < n; i++) {
    adj_meta_of(&node->in_meta[i], inputs[i]);
    if (adj_requires_grad(inputs[i]))
      node->next[i] = adj_gradient_edge(adj_unconst(inputs[i]));
  }
  return node;
}

void adj_node_save(AdjNode *node, int slot, const AdjTensor *t, bool is_output) {
  if (!node || !t || slot < 0 || slot >= ADJ_NODE_MAX_SAVED)
    return;
  AdjSaved *s = &node->saved[slot];
  adj_release(s->tensor);
  if (slot >= node->n_saved)
    node->n_saved = slot + 1;
  s->is_output = is_output;
  s->version = t->version->value;
  if (is_output) {
    s->tensor = adj_new_view(t, t->ndim, t->shape, t->stride, t->offset);
    if (s->tensor)
      s->tensor->is_view = false;
  } else {
    s->tensor = adj_retain(adj_unconst(t));
  }
}

void adj_set_history(AdjTensor *out, AdjNode *node) {
  if (!node)
    return;
  if (!out) {
    adj_node_release(node);
    return;
  }
  adj_meta_of(&node->out_meta, out);
  out->grad_fn = node;
}

/* Give t the history `node`, moving a retain_grad registration along. */
static void set_grad_fn(AdjTensor *t, AdjNode *node) {
  adj_meta_of(&node->out_meta, t);
  AdjNode *old = t->grad_fn;
  if (t->retains_grad && old && old->retain_target == t) {
    old->retain_target = NULL;
    node->retain_target = t;
  }
  t->grad_fn = node;
  t->requires_grad = false; /* now a non-leaf: requires grad through grad_fn */
  adj_node_release(old);
}

/* CopySlices: g is the base's gradient. The view's part goes through the in-place
 * op's backward; the result replaces that part (old values of the view) and the op's
 * other inputs get theirs:  d_base = g - embed(g[view]) + embed(inner_0(g[view])). */
static int copy_slices_backward(AdjNode *cs, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)sv;
  AdjNode *inner = cs->inner;
  AdjTensor *isv[ADJ_NODE_MAX_SAVED] = {NULL}, *igi[ADJ_NODE_MAX_SAVED] = {NULL};
  if (inner->n_next > ADJ_NODE_MAX_SAVED || adj_unpack_saved(inner, isv) != 0)
    return -1;
  AdjTensor *gv = adj_restrict(g, cs->sizes);
  if (!gv || inner->backward(inner, isv, gv, igi) != 0)
    return -1;
  if (adj_needs_grad(cs, 0)) {
    AdjTensor *r = adj_sub(g, adj_embed(gv, &cs->in_meta[0], cs->sizes));
    AdjTensor *self = igi[0] ? adj_sum_to(igi[0], &inner->in_meta[0]) : NULL;
    if (self)
      r = adj_add(r, adj_embed(adj_to_dtype(self, g->dtype), &cs->in_meta[0], cs->sizes));
    if (!r)
      return -1;
    gi[0] = r;
  }
  for (int i = 1; i < cs->n_next; i++)
    gi[i] = igi[i];
  return 0;
}

/* In anomaly mode, print the forward location of the node that failed to stderr. */
/* In-place op `inner` on view v of base b (PyTorch's CopySlices): b's history becomes
 * a CopySlices node that runs inner on the view's part of b's gradient, and v's
 * becomes an AsStridedBackward0 view of b's new history. Consumes inner. */
static void copy_slices(AdjTensor *v, AdjNode *inner) {
  AdjTensor *b = v->base;
  AdjNode *cs = node_alloc("CopySlices", copy_slices_backward, inner->n_next);
  AdjNode *vn = cs ? node_alloc("AsStridedBackward0", adj_view_embed_backward, 1) : NULL;
  int64_t *g1 = adj_geom_new(v->ndim, v->shape, v->stride, v->offset - b->offset);
  int64_t *g2 = adj_geom_new(v->ndim, v->shape, v->stride, v->offset - b->offset);
  if (!cs || !vn || !g1 || !g2) { /* out of memory: leave v without history */
    adj_node_release(cs);
    adj_node_release(vn);
    adj_node_release(inner);
    free(g1);
    free(g2);
    adj_error(ADJ_ERR_MEMORY, "out of memory recording an in-place op on a view");
    return;
  }
  adj_meta_of(&inner->in_meta[0], v);
  cs->inner = inner;
  cs->sizes = g1;
  adj_meta_of(&cs->in_meta[0], b);
  if (b->grad_fn) {
    b->grad_fn->refcount++;
    cs->next[0] = b->grad_fn;
  }
  for (int i = 1; i < inner->n_next; i++) {
    cs->in_meta[i] = inner->in_meta[i];
    if ((cs->next[i] = inner->next[i]))
      cs->next[i]->refcount++;
  }
  set_grad_fn(b, cs);
  cs->refcount++;
  vn->next[0] = cs;
  adj_meta_of(&vn->in_meta[0], b);
  vn->sizes = g2;
  set_grad_fn(v, vn);
}

void adj_rebase_history(AdjTensor *t, AdjNode *node) {
  if (!node)
    return;
  if (t->is_view && adj_view_can_rebase(t))
    copy_slices(t, node);
  else
    set_grad_fn(t, node);
}

void adj_tensor_autograd_free(AdjTensor *t) {
  adj_release(t->grad);
  t->grad = NULL;
  if (t->grad_fn && t->grad_fn->retain_target == t)
    t->grad_fn->retain_target = NULL;
  adj_node_release(t->grad_fn);
  t->grad_fn = NULL;
}

bool adj_view_can_rebase(const AdjTensor *t) {
  return t->base && adj_is_contiguous(t->base) && t->base->dtype == t->dtype;
}

int adj_check_inplace(const AdjTensor *t) {
  if (!adj_grad_enabled_)
    return 0;
  if (!t->grad_fn && t->requires_grad) {
    adj_error(ADJ_ERR_RUNTIME,
              "a leaf Variable that requires grad is being used in an in-place operation.");
    return -1;
  }
  bool base_is_grad_leaf = t->base && !t->base->grad_fn && t->base->requires_grad;
  if (base_is_grad_leaf || (t->is_view && adj_requires_grad(t))) {
    if (t->view_of_leaf || base_is_grad_leaf) {
      adj_error(ADJ_ERR_RUNTIME,
                "a view of a leaf Variable that requires grad is being used in an in-place "
                "operation.");
      return -1;
    }
    if (!adj_view_can_rebase(t)) {
      adj_error(ADJ_ERR_RUNTIME,
                "in-place operations on views of non-contiguous tensors that require grad are "
                "not supported by adjoint; use the out-of-place op");
      return -1;
    }
  }
  return 0;
}

/* ---- tensor autograd state ----------------------------------------------------------- */

bool adj_is_leaf(const AdjTensor *t) { return t && !t->grad_fn; }

AdjTensor *adj_requires_grad_(AdjTensor *t, bool requires_grad) {
  if (!t) {
    adj_error_null("requires_grad_");
    return NULL;
  }
  if (t->grad_fn) {
    if (requires_grad)
      return t;
    adj_error(ADJ_ERR_RUNTIME,
              "you can only change requires_grad flags of leaf variables. If you want to use a "
              "computed variable in a subgraph that doesn't require differentiation use "
              "var_no_grad = var.detach().");
    return NULL;
  }
  if (requires_grad && !adj_dtype_is_float(t->dtype)) {
    adj_error(ADJ_ERR_RUNTIME, "only Tensors of floating point dtype can require gradients");
    return NULL;
  }
  t->requires_grad = requires_grad;
  return t;
}

AdjTensor *adj_grad(const AdjTensor *t) { return t ? t->grad : NULL; }

int adj_set_grad(AdjTensor *t, AdjTensor *grad) {
  if (!t) {
    adj_error_null("set_grad");
    return -1;
  }
  if (grad && (grad->ndim != t->ndim ||
               memcmp(grad->shape, t->shape, sizeof(int64_t) * (size_t)t->ndim) != 0)) {
    adj_error(ADJ_ERR_RUNTIME, "assigned grad has data of a different size");
    return -1;
  }
  if (grad && grad->dtype != t->dtype) {
    adj_error(ADJ_ERR_RUNTIME, "assigned grad has data of a different type");
    return -1;
  }
  adj_retain(grad);
  adj_release(t->grad);
  t->grad = grad;
  return 0;
}

void adj_zero_grad(AdjTensor *t, bool set_to_none) {
  if (!t || !t->grad)
    return;
  if (set_to_none) {
    adj_release(t->grad);
    t->grad = NULL;
    return;
  }
  AdjTensor *g = t->grad;
  if (g->grad_fn) { /* grad.detach_() */
    adj_node_release(g->grad_fn);
    g->grad_fn = NULL;
  }
  g->requires_grad = false;
  adj_kernel_fill(g, 0.0);
  adj_bump_version(g);
}

AdjNode *adj_grad_fn(const AdjTensor *t) { return t ? t->grad_fn : NULL; }
const char *adj_grad_fn_name(const AdjTensor *t) {
  return t && t->grad_fn ? t->grad_fn->name : NULL;
}
const char *adj_node_name(const AdjNode *node) { return node ? node->name : NULL; }
int adj_node_num_next(const AdjNode *node) { return node ? node->n_next : 0; }

AdjNode *adj_node_next(const AdjNode *node, int i) {
  return node && i >= 0 && i < node->n_next ? node->next[i] : NULL;
}

int adj_retain_grad(AdjTensor *t) {
  if (!t) {
    adj_error_null("retain_grad");
    return -1;
  }
  if (!adj_requires_grad(t)) {
    adj_error(ADJ_ERR_RUNTIME, "can't retain_grad on Tensor that has requires_grad=False");
    return -1;
  }
  if (!t->grad_fn) /* leaves always keep .grad */
    return 0;
  t->retains_grad = true;
  t->grad_fn->retain_target = t;
  return 0;
}

bool adj_retains_grad(const AdjTensor *t) { return t && t->retains_grad; }

AdjTensor *adj_detach_(AdjTensor *t) {
  if (!t) {
    adj_error_null("detach_");
    return NULL;
  }
  if (t->is_view && t->grad_fn) {
    adj_error(ADJ_ERR_RUNTIME,
              "Can't detach views in-place. Use detach() instead. If you are using "
              "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as "
              "True, gradients are views of DDP buckets, and hence detach_() cannot be called on "
              "these gradients. To fix this error, please refer to the Optimizer.zero_grad() "
              "function in torch/optim/optimizer.py as the solution.");
    return NULL;
  }
  if (t->grad_fn && t->grad_fn->retain_target == t)
    t->grad_fn->retain_target = NULL;
  adj_node_release(t->grad_fn);
  t->grad_fn = NULL;
  t->requires_grad = false;
  t->retains_grad = false;
  return t;
}

static int hooks_add(AdjHookList *h, AdjHookFn fn, void *ctx) {
  if (h->count == h->cap) {
    int cap = h->cap ? 2 * h->cap : 4;
    AdjHook *items = realloc(h->items, (size_t)cap * sizeof *items);
    if (!items) {
      adj_error(ADJ_ERR_MEMORY, "out of memory registering a hook");
      return -1;
    }
    h->items = items;
    h->cap = cap;
  }
  int id = atomic_fetch_add(&next_hook_id, 1);
  h->items[h->count++] = (AdjHook){fn, ctx, id};
  return id;
}

static int hooks_remove(AdjHookList *h, int id) {
  for (int i = 0; i < h->count; i++) {
    if (h->items[i].id == id) {
      memmove(&h->items[i], &h->items[i + 1], (size_t)(h->count - i - 1) * sizeof h->items[0]);
      h->count--;
      return 0;
    }
  }
  return -1;
}

int adj_register_hook(AdjTensor *t, AdjHookFn fn, void *ctx) {
  if (!t || !fn) {
    adj_error_null("register_hook");
    return -1;
  }
  if (!adj_requires_grad(t)) {
    adj_error(ADJ_ERR_RUNTIME, "cannot register a hook on a tensor that doesn't require gradient");
    return -1;
  }
  return hooks_add(t->grad_fn ? &t->grad_fn->pre_hooks : &t->hooks, fn, ctx);
}

int adj_remove_hook(AdjTensor *t, int handle) {
  if (!t) {
    adj_error_null("remove_hook");
    return -1;
  }
  if (hooks_remove(&t->hooks, handle) == 0)
    return 0;
  if (t->grad_fn && hooks_remove(&t->grad_fn->pre_hooks, handle) == 0)
    return 0;
  adj_error(ADJ_ERR_VALUE, "no hook with handle %d on this tensor", handle);
  return -1;
}
