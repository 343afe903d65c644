/*
 * engine.c — the backward engine behind adj_backward, adj_autograd_backward and
 * adj_autograd_grad: PyTorch's semantics as an explicit loop over nodes.
 *
 * Key idea: discover the nodes reachable from the outputs with an explicit stack and
 * count, for each, the edges that lead into it; mark which nodes lead to the wanted
 * inputs; then repeatedly run the ready node with the highest sequence number (the
 * most recently created, as PyTorch does), adding each gradient it produces into its
 * target's buffer. Running a node means: tensor hooks, retain_grad, capture for
 * autograd.grad, then either .grad accumulation (AccumulateGrad) or the node's
 * backward formula on its unpacked, version-checked saved tensors, whose results are
 * summed back to the inputs' shapes and dtypes. Each node runs inside its own scope,
 * so temporaries die as soon as the node is done.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>

/* ---- the task graph of one run ---------------------------------------------------------- */

/* Per-node bookkeeping of one backward run. */
typedef struct Task {
  AdjNode *node;
  AdjTensor *buffer; /* accumulated incoming gradient (strong) */
  int deps;          /* edges from not-yet-run nodes */
  bool needed;       /* leads to a place where gradients are wanted */
  int capture;       /* index in the results of adj_autograd_grad, or -1 */
  bool accumulate;   /* AccumulateGrad to run (backward mode) */
} Task;

typedef struct Graph {
  Task *tasks;
  int count, cap;
  int *slots; /* open-addressing map node -> task index */
  int nslots;
} Graph;

static unsigned hash_ptr(const void *p) {
  uintptr_t x = (uintptr_t)p;
  x ^= x >> 17;
  x *= 0xed5ad4bbU;
  x ^= x >> 11;
  return (unsigned)x;
}

/* Index of n's task in the map, or -1 (linear probing; the map is never full). */
static int graph_find(const Graph *g, const AdjNode *n) {
  unsigned mask = (unsigned)g->nslots - 1;
  for (unsigned i = hash_ptr(n) & mask;; i = (i + 1) & mask) {
    int s = g->slots[i];
    if (s < 0 || g->tasks[s].node == n)
      return s;
  }
}

/* Double the task array and rebuild the map; false when out of memory. */
static bool graph_grow(Graph *g) {
  int cap = g->cap ? 2 * g->cap : 64;
  Task *t = realloc(g->tasks, (size_t)cap * sizeof *t);
  int *slots = malloc((size_t)cap * 2 * sizeof *slots);
  if (!t || !slots) {
    if (t)
      g->tasks = t;
    free(slots);
    return false;
  }
  g->tasks = t;
  g->cap = cap;
  free(g->slots);
  g->slots = slots;
  g->nslots = cap * 2;
  for (int i = 0; i < g->nslots; i++)
    g->slots[i] = -1;
  unsigned mask = (unsigned)g->nslots - 1;
  for (int k = 0; k < g->count; k++) {
    unsigned i = hash_ptr(g->tasks[k].node) & mask;
    while (g->slots[i] >= 0)
      i = (i + 1) & mask;
    g->slots[i] = k;
  }
  return true;
}

/* Index of n's task, adding it if new (*added tells); -1 when out of memory. */
static int graph_add(Graph *g, AdjNode *n, bool *added) {
  *added = false;
  if (g->cap && g->count < g->cap) {
    int s = graph_find(g, n);
    if (s >= 0)
      return s;
  } else if (g->cap) {
    int s = graph_find(g, n);
    if (s >= 0)
      return s;
    if (!graph_grow(g))
      return -1;
  } else if (!graph_grow(g)) {
    return -1;
  }
  unsigned mask = (unsigned)g->nslots - 1;
  unsigned i = hash_ptr(n) & mask;
  while (g->slots[i] >= 0)
    i = (i + 1) & mask;
  g->slots[i] = g->count;
  g->tasks[g->count] = (Task){n, NULL, 0, false, -1, false};
  *added = true;
  return g->count++;
}

static void graph_free(Graph *g) {
  for (int i = 0; i < g->count; i++)
    adj_release(g->tasks[i].buffer);
  free(g->tasks);
  free(g->slots);
}

/* Max-heap of task indices by node sequence number. */
typedef struct Heap {
  int *items;
  int count;
} Heap;

static bool heap_less(const Graph *g, int a, int b) {
  return g->tasks[a].node->seq < g->tasks[b].node->seq;
}

/* Add a ready task (sift up). */
static void heap_push(Heap *h, const Graph *g, int task) {
  int i = h->count++;
  h->items[i] = task;
  while (i > 0 && heap_less(g, h->items[(i - 1) / 2], h->items[i])) {
    int p = (i - 1) / 2, tmp = h->items[p];
    h->items[p] = h->items[i];
    h->items[i] = tmp;
    i = p;
  }
}

/* Remove and return the ready task with the highest sequence number (sift down). */
static int heap_pop(Heap *h, const Graph *g) {
  int top = h->items[0];
  h->items[0] = h->items[--h->count];
  int i = 0;
  for (;;) {
    int l = 2 * i + 1, r = l + 1, m = i;
    if (l < h->count && heap_less(g, h->items[m], h->items[l]))
      m = l;
    if (r < h->count && heap_less(g, h->items[m], h->items[r]))
      m = r;
    if (m == i)
      break;
    int tmp = h->items[m];
    h->items[m] = h->items[i];
    h->items[i] = tmp;
    i = m;
  }
  return top;
}

static const char *type_string(AdjDType dtype) {
  switch (dtype) {
  case ADJ_FLOAT32: return "torch.FloatTensor";
  case ADJ_FLOAT64: return "torch.DoubleTensor";
  case ADJ_INT64: return "torch.LongTensor";
  case ADJ_BOOL: return "torch.BoolTensor";
  }
  return "?";
}

static const char *ERR_BACKWARD_TWICE =
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed when "
    "you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward.";

int adj_unpack_saved(AdjNode *node, AdjTensor **out) {
  if (node->saved_released) {
    adj_error(ADJ_ERR_RUNTIME, "%s", ERR_BACKWARD_TWICE);
    return -1;
  }
  for (int i = 0; i < node->n_saved; i++) {
    AdjSaved *s = &node->saved[i];
    AdjTensor *t = s->tensor;
    if (!t)
      continue;
    if (t->version->value != s->version) {
      char shape[128], which[160] = "";
      adj_format_shape(shape, sizeof shape, t->ndim, t->shape);
      const AdjNode *fn = s->is_output ? node : t->grad_fn;
      if (fn)
        snprintf(which, sizeof which, ", which is output 0 of %s,", fn->name);
      adj_error(ADJ_ERR_RUNTIME,
                "one of the variables needed for gradient computation has been modified by an "
                "inplace operation: [%s %s]%s is at version %llu; expected version %llu instead. "
                "%s",
                type_string(t->dtype), shape, which, (unsigned long long)t->version->value,
                (unsigned long long)s->version,
                adj_anomaly_enabled_
                    ? "Hint: the backtrace further above shows the operation that failed to "
                      "compute its gradient. The variable in question was changed in there or "
                      "anywhere later. Good luck!"
                    : "Hint: enable anomaly detection to find the operation that failed to "
                      "compute its gradient, with torch.autograd.set_detect_anomaly(True).");
      return -1;
    }
    if (s->is_output && adj_grad_enabled_) { /* create_graph: the output, with history */
      AdjTensor *a = adj_new_view(t, t->ndim, t->shape, t->stride, t->offset);
      if (!a)
        return -1;
      a->is_view = false;
      node->refcount++;
      a->grad_fn = node;
      out[i] = adj_ret(a);
    } else {
      out[i] = t;
    }
  }
  return 0;
}

/* Free a node's saved tensors after it ran without retain_graph; a node that saved
 * anything remembers it, so running it again reports ERR_BACKWARD_TWICE. */
static void release_saved(AdjNode *node) {
  if (node->inner)
    release_saved(node->inner);
  if (node->n_saved == 0)
    return;
  for (int i = 0; i < node->n_saved; i++) {
    adj_release(node->saved[i].tensor);
    node->saved[i].tensor = NULL;
  }
  node->n_saved = 0;
  node->saved_released = true;
}

static _Thread_local char anomaly_text[768];

static void anomaly_report(const AdjNode *node) {
  if (!adj_anomaly_enabled_)
    return;
  snprintf(anomaly_text, sizeof anomaly_text,
           "Error detected in %s. Traceback of forward call that caused the error:\n  %s:%d",
           node->name, node->file ? node->file : "<unknown>", node->file ? node->line : 0);
  fprintf(stderr, "adjoint: warning: %s\n", anomaly_text);
}

const char *adj_last_anomaly_report(void) { return anomaly_text[0] ? anomaly_text : NULL; }

static bool has_nan(const AdjTensor *t) {
  int64_t n = adj_numel(t);
  for (int64_t i = 0; i < n; i++)
    if (isnan(adj_load(t, i)))
      return true;
  return false;
}

static bool same_shape_meta(const AdjTensor *t, const AdjMeta *m) {
  if (t->ndim != m->ndim)
    return false;
  for (int d = 0; d < m->ndim; d++)
    if (t->shape[d] != m->shape[d])
      return false;
  return true;
}

/* PyTorch's validate_outputs: sum a broadcast gradient back to the input's shape and
 * cast it to the input's dtype; returns the fixed gradient (scope-owned) or NULL. */
static AdjTensor *validate_grad(const AdjNode *node, int i, AdjTensor *g) {
  const AdjMeta *m = &node->in_meta[i];
  if (!same_shape_meta(g, m)) {
    AdjTensor *s = adj_sum_to(g, m);
    if (!s || !same_shape_meta(s, m)) {
      char got[128], want[128];
      adj_format_shape(got, sizeof got, g->ndim, g->shape);
      adj_format_shape(want, sizeof want, m->ndim, m->shape);
      adj_error(ADJ_ERR_RUNTIME,
                "Function %s returned an invalid gradient at index %d - got %s but expected "
                "shape compatible with %s",
                node->name, i, got, want);
      return NULL;
    }
    g = s;
  }
  if (g->dtype != m->dtype)
    g = adj_to_dtype(g, m->dtype);
  return g;
}

/* Add g into the task's buffer (differentiably when grad mode is on). */
static int buffer_add(Task *task, AdjTensor *g) {
  if (!task->buffer) {
    task->buffer = adj_retain(g);
    return 0;
  }
  AdjTensor *sum = adj_add(task->buffer, g);
  if (!sum)
    return -1;
  adj_release(task->buffer);
  task->buffer = adj_retain(sum);
  return 0;
}

/* Run tensor hooks in order; each may replace the gradient. */
static AdjTensor *run_hooks(const AdjHookList *hooks, AdjTensor *g) {
  for (int i = 0; i < hooks->count; i++) {
    AdjTensor *r = hooks->items[i].fn(g, hooks->items[i].ctx);
    if (r)
      g = r;
  }
  return g;
}

/* .grad accumulation of a leaf (PyTorch's AccumulateGrad). */
static int accumulate_grad(AdjTensor *var, AdjTensor *g) {
  if (!var->grad) {
    AdjTensor *copy;
    if (adj_grad_enabled_) { /* create_graph: keep the graph (CopyBackwards) */
      copy = adj_empty(g->dtype, g->ndim, g->shape);
      if (!copy || !adj_copy_(copy, g))
        return -1;
    } else {
      copy = adj_ret(adj_contiguous_raw(g));
      if (!copy)
        return -1;
    }
    var->grad = adj_retain(copy);
    return 0;
  }
  if (adj_grad_enabled_) {
    AdjTensor *sum = adj_add(var->grad, g);
    if (!sum)
      return -1;
    adj_release(var->grad);
    var->grad = adj_retain(sum);
    return 0;
  }
  adj_kernel_binary(B_ADD, var->grad, var->grad, g);
  adj_bump_version(var->grad);
  return 0;
}

/* retain_grad(): the non-leaf's .grad is a clone, accumulated like a leaf's. */
static int retain_into(AdjTensor *t, AdjTensor *g) {
  AdjTensor *v;
  if (!t->grad)
    v = adj_clone(g);
  else
    v = adj_add(t->grad, g);
  if (!v)
    return -1;
  adj_retain(v);
  adj_release(t->grad);
  t->grad = v;
  return 0;
}

/* Run one node: hooks, capture, then its backward or accumulation; hand the produced
 * gradients to the next tasks' buffers. Runs inside a scope opened by the caller. */
static int run_task(Graph *g, int ti, bool keep_graph, AdjTensor **captured) {
  Task *task = &g->tasks[ti];
  AdjNode *node = task->node;
  AdjTensor *grad = task->buffer;
  if (!grad)
    return 0; /* no gradient reached this node (all undefined) */
  const AdjHookList *hooks = node->variable ? &node->variable->hooks : &node->pre_hooks;
  if (hooks->count > 0) {
    grad = run_hooks(hooks, grad);
    if (!same_shape_meta(grad, &node->out_meta)) {
      adj_error(ADJ_ERR_RUNTIME, "hook 'hook' has changed the size of value");
      return -1;
    }
    if (grad->dtype != node->out_meta.dtype && !(grad = adj_to_dtype(grad, node->out_meta.dtype)))
      return -1;
  }
  if (node->retain_target && retain_into(node->retain_target, grad) != 0)
    return -1;
  if (task->capture >= 0 && captured) {
    adj_release(captured[task->capture]);
    captured[task->capture] = adj_retain(grad);
  }
  if (node->variable)
    return task->accumulate ? accumulate_grad(node->variable, grad) : 0;
  if (!task->needed)
    return 0;
  AdjTensor *saved[ADJ_NODE_MAX_SAVED] = {NULL};
  AdjTensor *gi_small[4] = {NULL};
  AdjTensor **gi = node->n_next <= 4 ? gi_small : calloc((size_t)node->n_next, sizeof *gi);
  int rc = -1;
  if (!gi) {
    adj_error(ADJ_ERR_MEMORY, "out of memory in backward");
    return -1;
  }
  if (adj_unpack_saved(node, saved) != 0 || node->backward(node, saved, grad, gi) != 0) {
    anomaly_report(node);
    goto done;
  }
  if (!keep_graph)
    release_saved(node);
  for (int i = 0; i < node->n_next; i++) {
    if (!gi[i] || !node->next[i])
      continue;
    AdjTensor *v = validate_grad(node, i, gi[i]);
    if (!v)
      goto done;
    if (adj_anomaly_enabled_ && has_nan(v)) {
      anomaly_report(node);
      adj_error(ADJ_ERR_RUNTIME, "Function '%s' returned nan values in its %dth output.",
                node->name, i);
      goto done;
    }
    int nt = graph_find(g, node->next[i]);
    if (nt >= 0 && g->tasks[nt].needed && buffer_add(&g->tasks[nt], v) != 0)
      goto done;
  }
  rc = 0;
done:
  if (gi != gi_small)
    free(gi);
  return rc;
}

/* Discover the graph from the roots with an explicit stack; count dependencies. */
static int discover(Graph *g, int n_roots, AdjNode *const *roots) {
  AdjNode **stack = NULL;
  int sp = 0, scap = 0;
  for (int r = 0; r < n_roots; r++) {
    bool added;
    if (!roots[r])
      continue;
    if (graph_add(g, roots[r], &added) < 0)
      goto oom;
    if (!added)
      continue;
    if (sp == scap) {
      scap = scap ? 2 * scap : 64;
      AdjNode **s = realloc(stack, (size_t)scap * sizeof *s);
      if (!s)
        goto oom;
      stack = s;
    }
    stack[sp++] = roots[r];
    while (sp > 0) {
      AdjNode *n = stack[--sp];
      for (int i = 0; i < n->n_next; i++) {
        AdjNode *m = n->next[i];
        if (!m)
          continue;
        int k = graph_add(g, m, &added);
        if (k < 0)
          goto oom;
        g->tasks[k].deps++;
        if (added) {
          if (sp == scap) {
            scap = scap ? 2 * scap : 64;
            AdjNode **s = realloc(stack, (size_t)scap * sizeof *s);
            if (!s)
              goto oom;
            stack = s;
          }
          stack[sp++] = m;
        }
      }
    }
  }
  free(stack);
  return 0;
oom:
  free(stack);
  adj_error(ADJ_ERR_MEMORY, "out of memory discovering the graph");
  return -1;
}

/* Mark tasks that lead to a wanted place (any task flagged needed on entry) by a
 * reverse topological sweep; with want_all every task is needed. */
static int mark_needed(Graph *g, bool want_all) {
  if (want_all) {
    for (int i = 0; i < g->count; i++)
      g->tasks[i].needed = true;
    return 0;
  }
  int *deps = malloc((size_t)g->count * sizeof *deps);
  int *order = malloc((size_t)g->count * sizeof *order);
  if (!deps || !order) {
    free(deps);
    free(order);
    adj_error(ADJ_ERR_MEMORY, "out of memory");
    return -1;
  }
  int head = 0, tail = 0;
  for (int i = 0; i < g->count; i++) {
    deps[i] = g->tasks[i].deps;
    if (deps[i] == 0)
      order[tail++] = i;
  }
  while (head < tail) {
    AdjNode *n = g->tasks[order[head++]].node;
    for (int i = 0; i < n->n_next; i++) {
      int k = n->next[i] ? graph_find(g, n->next[i]) : -1;
      if (k >= 0 && --deps[k] == 0)
        order[tail++] = k;
    }
  }
  for (int j = tail - 1; j >= 0; j--) {
    Task *t = &g->tasks[order[j]];
    for (int i = 0; i < t->node->n_next && !t->needed; i++) {
      int k = t->node->next[i] ? graph_find(g, t->node->next[i]) : -1;
      if (k >= 0 && g->tasks[k].needed)
        t->needed = true;
    }
  }
  free(deps);
  free(order);
  return 0;
}

/* The engine. roots[i] receives root_grads[i]. With n_inputs > 0 only paths to the
 * inputs run and gradients are captured there (results, new references owned by the
 * caller); accumulate says whether AccumulateGrad nodes write .grad. */
static int run_backward(int n, AdjTensor *const *roots, AdjTensor *const *root_grads,
                        bool keep_graph, bool create_graph, int n_inputs, AdjTensor *const *inputs,
                        bool accumulate, AdjTensor **results) {
  Graph g = {NULL, 0, 0, NULL, 0};
  Heap heap = {NULL, 0};
  AdjNode **root_nodes = calloc((size_t)n, sizeof *root_nodes);
  AdjNode **input_nodes = calloc((size_t)(n_inputs > 0 ? n_inputs : 1), sizeof *input_nodes);
  int rc = -1;
  if (!root_nodes || !input_nodes) {
    adj_error(ADJ_ERR_MEMORY, "out of memory");
    goto out;
  }
  for (int i = 0; i < n; i++)
    root_nodes[i] = adj_gradient_edge(roots[i]);
  for (int i = 0; i < n_inputs; i++)
    input_nodes[i] = adj_gradient_edge(inputs[i]);
  if (discover(&g, n, root_nodes) != 0)
    goto out;
  for (int i = 0; i < n_inputs; i++) {
    int k = input_nodes[i] ? graph_find(&g, input_nodes[i]) : -1;
    if (k >= 0) {
      g.tasks[k].capture = i;
      g.tasks[k].needed = true;
      g.tasks[k].accumulate = accumulate;
    }
  }
  if (n_inputs == 0)
    for (int i = 0; i < g.count; i++)
      g.tasks[i].accumulate = accumulate;
  if (mark_needed(&g, n_inputs == 0) != 0)
    goto out;
  heap.items = malloc((size_t)(g.count > 0 ? g.count : 1) * sizeof *heap.items);
  if (!heap.items) {
    adj_error(ADJ_ERR_MEMORY, "out of memory");
    goto out;
  }
  adj_grad_mode_push(create_graph);
  adj_scope_begin();
  for (int i = 0; i < n; i++) {
    int k = graph_find(&g, root_nodes[i]);
    if (buffer_add(&g.tasks[k], root_grads[i]) != 0) {
      adj_scope_end();
      adj_grad_mode_pop();
      goto out;
    }
  }
  adj_scope_end();
  for (int i = 0; i < g.count; i++)
    if (g.tasks[i].deps == 0)
      heap_push(&heap, &g, i);
  int status = 0;
  while (heap.count > 0) {
    int ti = heap_pop(&heap, &g);
    adj_scope_begin();
    if (status == 0)
      status = run_task(&g, ti, keep_graph, results);
    adj_scope_end();
    adj_release(g.tasks[ti].buffer);
    g.tasks[ti].buffer = NULL;
    AdjNode *node = g.tasks[ti].node;
    for (int i = 0; i < node->n_next; i++) {
      int k = node->next[i] ? graph_find(&g, node->next[i]) : -1;
      if (k >= 0 && --g.tasks[k].deps == 0)
        heap_push(&heap, &g, k);
    }
  }
  adj_grad_mode_pop();
  rc = status;
out:
  for (int i = 0; root_nodes && i < n; i++)
    adj_node_release(root_nodes[i]);
  for (int i = 0; input_nodes && i < n_inputs; i++)
    adj_node_release(input_nodes[i]);
  free(root_nodes);
  free(input_nodes);
  free(heap.items);
  graph_free(&g);
  return rc;
}

/* Check the outputs and build their seed gradients (scope-owned); 0 or -1. */
static int make_seeds(int n, AdjTensor *const *outs, AdjTensor *const *grads, AdjTensor **seeds) {
  for (int i = 0; i < n; i++) {
    AdjTensor *t = outs[i], *gr = grads ? grads[i] : NULL;
    if (!t) {
      adj_error_null("backward");
      return -1;
    }
    if (!adj_requires_grad(t)) {
      adj_error(ADJ_ERR_RUNTIME,
                "element %d of tensors does not require grad and does not have a grad_fn", i);
      return -1;
    }
    if (!gr) {
      if (adj_numel(t) != 1) {
        adj_error(ADJ_ERR_RUNTIME, "grad can be implicitly created only for scalar outputs");
        return -1;
      }
      gr = adj_ones_like(t);
      if (!gr)
        return -1;
    } else if (gr->ndim != t->ndim ||
               memcmp(gr->shape, t->shape, sizeof(int64_t) * (size_t)t->ndim) != 0) {
      char a[128], b[128];
      adj_format_shape(a, sizeof a, gr->ndim, gr->shape);
      adj_format_shape(b, sizeof b, t->ndim, t->shape);
      adj_error(ADJ_ERR_RUNTIME,
                "Mismatch in shape: grad_output[%d] has a shape of torch.Size(%s) and output[%d] "
                "has a shape of torch.Size(%s).",
                i, a, i, b);
      return -1;
    } else if (!adj_dtype_is_float(gr->dtype)) {
      adj_error(ADJ_ERR_RUNTIME,
                "For complex Tensors, both grad_output and output are required to have the same "
                "dtype. Mismatch in dtype: grad_output[%d] has a dtype of %s and output[%d] has a "
                "dtype of %s.",
                i, adj_dtype_name(gr->dtype), i, adj_dtype_name(t->dtype));
      return -1;
    }
    if (gr->dtype != t->dtype && !(gr = adj_to_dtype(gr, t->dtype)))
      return -1;
    seeds[i] = gr;
  }
  return 0;
}

/* The tensors to differentiate with respect to: present and requiring grad. */
static int check_inputs(const char *api, int n, AdjTensor *const *inputs) {
  for (int i = 0; i < n; i++) {
    if (!inputs[i]) {
      adj_error_null(api);
      return -1;
    }
    if (!adj_requires_grad(inputs[i])) {
      adj_error(ADJ_ERR_RUNTIME, "One of the differentiated Tensors does not require grad");
      return -1;
    }
  }
  return 0;
}

int adj_autograd_backward(int n, AdjTensor *const *tensors, AdjTensor *const *grad_tensors,
                          bool retain_graph, bool create_graph, int n_inputs,
                          AdjTensor *const *inputs) {
  if (n <= 0 || !tensors) {
    adj_error(ADJ_ERR_RUNTIME, "backward(): no tensors given");
    return -1;
  }
  if (check_inputs("backward", n_inputs, inputs) != 0)
    return -1;
  adj_scope_begin();
  AdjTensor **seeds = calloc((size_t)n, sizeof *seeds);
  AdjTensor **caps = calloc((size_t)(n_inputs > 0 ? n_inputs : 1), sizeof *caps);
  int rc = -1;
  if (!seeds || !caps)
    adj_error(ADJ_ERR_MEMORY, "out of memory");
  else if (make_seeds(n, tensors, grad_tensors, seeds) == 0)
    rc = run_backward(n, tensors, seeds, retain_graph || create_graph, create_graph, n_inputs,
                      inputs, true, caps);
  /* non-leaf inputs of backward(inputs=...) get their gradient in .grad */
  for (int i = 0; i < n_inputs; i++) {
    if (rc == 0 && caps[i] && inputs[i]->grad_fn) {
      adj_grad_mode_push(create_graph);
      rc = retain_into(inputs[i], caps[i]);
      adj_grad_mode_pop();
    }
    adj_release(caps[i]);
  }
  free(seeds);
  free(caps);
  adj_scope_end();
  return rc;
}

int adj_backward(AdjTensor *t, const AdjTensor *gradient, bool retain_graph, bool create_graph) {
  AdjTensor *g = adj_unconst(gradient);
  return adj_autograd_backward(1, &t, gradient ? &g : NULL, retain_graph, create_graph, 0, NULL);
}

int adj_autograd_grad(int n_outputs, AdjTensor *const *outputs, AdjTensor *const *grad_outputs,
                      int n_inputs, AdjTensor *const *inputs, bool retain_graph, bool create_graph,
                      bool allow_unused, AdjTensor **results) {
  if (n_outputs <= 0 || !outputs || n_inputs <= 0 || !inputs || !results) {
    adj_error(ADJ_ERR_RUNTIME, "grad(): outputs, inputs and results must be non-empty");
    return -1;
  }
  for (int i = 0; i < n_inputs; i++)
    results[i] = NULL;
  if (check_inputs("grad", n_inputs, inputs) != 0)
    return -1;
  adj_scope_begin();
  AdjTensor **seeds = calloc((size_t)n_outputs, sizeof *seeds);
  int rc = -1;
  if (!seeds)
    adj_error(ADJ_ERR_MEMORY, "out of memory");
  else if (make_seeds(n_outputs, outputs, grad_outputs, seeds) == 0)
    rc = run_backward(n_outputs, outputs, seeds, retain_graph || create_graph, create_graph,
                      n_inputs, inputs, false, results);
  free(seeds);
  adj_scope_end();
  for (int i = 0; rc == 0 && i < n_inputs; i++) /* an input listed twice: same gradient */
    for (int j = 0; j < n_inputs && !results[i]; j++)
      if (j != i && inputs[j] == inputs[i] && results[j])
        results[i] = adj_retain(results[j]);
  for (int i = 0; rc == 0 && i < n_inputs; i++) {
    if (!results[i] && !allow_unused) {
      adj_error(ADJ_ERR_RUNTIME,
                "One of the differentiated Tensors appears to not have been used in the graph. "
                "Set allow_unused=True if this is the desired behavior.");
      rc = -1;
    }
  }
  for (int i = 0; i < n_inputs; i++) {
    if (rc != 0) {
      adj_release(results[i]);
      results[i] = NULL;
    } else {
      adj_ret(results[i]);
    }
  }
  return rc;
}
