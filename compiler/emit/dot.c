/* dot.c — a Graphviz view of the IR (--emit=dot): one cluster per function, one
 * node per statement, edges in execution order, loops and branches as subgraphs. */
#include "emit/emit.h"

typedef struct Dot {
  StrBuf *out;
  const Fn *fn;
  int next;
} Dot;

/* Emit the statements of b chained after node `prev`; return the last node id. */
static int block(Dot *d, const Block *b, int prev);

static int node(Dot *d, const char *label, int prev, const char *shape) {
  int id = d->next++;
  sb_printf(d->out, "    n%d [shape=%s, label=\"", id, shape);
  for (const char *c = label; *c; c++) {
    if (*c == '"' || *c == '\\')
      sb_putc(d->out, '\\');
    if (*c != '\n')
      sb_putc(d->out, *c);
  }
  sb_puts(d->out, "\"];\n");
  if (prev >= 0)
    sb_printf(d->out, "    n%d -> n%d;\n", prev, id);
  return id;
}

static int stmt(Dot *d, const Stmt *s, int prev) {
  StrBuf text = {0};
  int id;
  switch (s->kind) {
  case ST_INST: {
    ir_print_fn_stmt(&text, d->fn, s);
    id = node(d, text.data ? text.data : "", prev, "box");
    break;
  }
  case ST_IF: {
    sb_puts(&text, "if ");
    ir_print_operand(&text, d->fn, s->if_.cond);
    id = node(d, text.data, prev, "diamond");
    int a = block(d, &s->if_.then_b, id);
    int b = block(d, &s->if_.else_b, id);
    int join = node(d, "endif", a, "point");
    if (b != a)
      sb_printf(d->out, "    n%d -> n%d;\n", b, join);
    id = join;
    break;
  }
  case ST_LOOP: {
    sb_printf(&text, "loop L%d", s->loop.id);
    int head = node(d, text.data, prev, "ellipse");
    int last = block(d, &s->loop.cond_b, head);
    last = block(d, &s->loop.body, last);
    last = block(d, &s->loop.step, last);
    sb_printf(d->out, "    n%d -> n%d [style=dashed];\n", last, head);
    id = head;
    break;
  }
  case ST_RETURN:
    id = node(d, "return", prev, "doublecircle");
    break;
  default:
    id = node(d, s->kind == ST_BREAK ? "break" : "continue", prev, "plaintext");
    break;
  }
  sb_free(&text);
  return id;
}

static int block(Dot *d, const Block *b, int prev) {
  for (int i = 0; i < b->len; i++)
    prev = stmt(d, b->items[i], prev);
  return prev;
}

void emit_dot(StrBuf *out, const Module *m) {
  Dot d = {out, NULL, 0};
  sb_puts(out, "digraph adjc {\n  node [fontname=\"monospace\"];\n");
  for (int i = 0; i < m->nfns; i++) {
    const Fn *fn = m->fns[i];
    if (!fn->has_body)
      continue;
    d.fn = fn;
    sb_printf(out, "  subgraph cluster_%d {\n    label=\"%s\";\n", i, fn->name);
    block(&d, &fn->body, -1);
    sb_puts(out, "  }\n");
  }
  sb_puts(out, "}\n");
}
