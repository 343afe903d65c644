/*
 * function.c — user-defined differentiable functions (torch.autograd.Function): the
 * bridge through which compiled code (adjc's f / f_vjp) becomes one node of the
 * dynamic graph.
 *
 * Key idea: the user's forward runs untracked; the node saves every input and the
 * output through the ordinary saved-tensor machinery, so version checks, freeing
 * without retain_graph, no_grad and detach behave exactly as for built-in ops.
 */
#include "internal.h"

static int function_backward(AdjNode *node, AdjTensor *const *saved, AdjTensor *grad,
                             AdjTensor **grad_inputs) {
  int n = node->n_next;
  for (int i = 0; i < n; i++)
    grad_inputs[i] = NULL;
  if (node->function->backward(node->function_ctx, n, saved, saved[n], grad, grad_inputs) != 0) {
    if (!adj_error_pending())
      adj_error(ADJ_ERR_RUNTIME, "%s: backward failed", node->name);
    return -1;
  }
  return 0;
}

AdjTensor *adj_function_apply(const AdjFunction *fn, void *ctx, int n, AdjTensor *const *inputs) {
  if (!fn || !fn->forward || !fn->backward || (n > 0 && !inputs)) {
    adj_error_null("function_apply");
    return NULL;
  }
  if (n < 0 || n >= ADJ_NODE_MAX_SAVED) {
    adj_error(ADJ_ERR_VALUE, "%s: a function takes at most %d inputs, got %d",
              fn->name ? fn->name : "function", ADJ_NODE_MAX_SAVED - 1, n);
    return NULL;
  }
  for (int i = 0; i < n; i++)
    if (!inputs[i]) {
      adj_error_null(fn->name ? fn->name : "function_apply");
      return NULL;
    }
  adj_grad_mode_push(false);
  adj_scope_begin();
  AdjTensor *out = adj_retain(fn->forward(ctx, n, inputs));
  adj_scope_end();
  adj_grad_mode_pop();
  if (!out) {
    if (!adj_error_pending())
      adj_error(ADJ_ERR_RUNTIME, "%s: forward failed", fn->name ? fn->name : "function");
    return NULL;
  }
  if (out->grad_fn || out->requires_grad) { /* forward returned a tracked tensor (an input?) */
    AdjTensor *alias = adj_new_view(out, out->ndim, out->shape, out->stride, out->offset);
    adj_release(out);
    if (!alias)
      return NULL;
    alias->is_view = false;
    out = alias;
  }
  AdjNode *node = adj_node_new(fn->name ? fn->name : "FunctionBackward", function_backward, n,
                               (const AdjTensor *const *)inputs);
  if (node) {
    node->function = fn;
    node->function_ctx = ctx;
    for (int i = 0; i < n; i++)
      adj_node_save(node, i, inputs[i], false);
    adj_node_save(node, n, out, true);
  }
  adj_set_history(out, node);
  return adj_ret(out);
}
