// Struct fields are place projections, through values (s.x), pointers (p->x,
// printed p.*.x) and nested arrays; whole-struct copies are movs. Anonymous
// structs are named by their typedef.
//
// RUN: %adjc %s --print-after=lower --emit=ir >/dev/null 2>%t.ir || true
// RUN: %FileCheck %s < %t.ir
#include <adjoint.h>

struct vec { double x, y; };
typedef struct { struct vec pts[2]; int n; } shape;
struct node { double v; struct node *next; };

static struct vec scale(struct vec a, double k) {
  struct vec r = {a.x * k, .y = a.y * k};
  return r;
}
// CHECK-LABEL: func struct vec scale(struct vec a, double k) {
// CHECK:         %[[AX:[0-9]+]] = load a.x
// CHECK-NEXT:    %[[RX:[0-9]+]] = mul %[[AX]], k
// CHECK-NEXT:    store r.x, %[[RX]]
// CHECK-NEXT:    %[[AY:[0-9]+]] = load a.y
// CHECK-NEXT:    %[[RY:[0-9]+]] = mul %[[AY]], k
// CHECK-NEXT:    store r.y, %[[RY]]
// CHECK-NEXT:    ret r

ADJ_GRAD(s)
double fields(shape *s, struct node *nd, struct vec v) {
  struct vec w = v;
  struct vec z;
  z = scale(w, 2);
  s->pts[1].y = w.x + nd->next->v;
  s->n++;
  double *px = &z.x;
  shape t = {{{1, 2}}};
  return *px + s->pts[0].x + t.pts[0].y;
}
// CHECK-LABEL: func double fields(shape *s, struct node *nd, struct vec v)  ; grad(s) {
// CHECK:         w = mov v
// CHECK-NEXT:    z = call scale(w, 2.0)
// CHECK-NEXT:    %[[WX:[0-9]+]] = load w.x
// CHECK-NEXT:    %[[NV:[0-9]+]] = load nd.*.next.*.v
// CHECK-NEXT:    %[[SUM:[0-9]+]] = add %[[WX]], %[[NV]]
// CHECK-NEXT:    store s.*.pts[1].y, %[[SUM]]
// CHECK-NEXT:    %[[N:[0-9]+]] = load s.*.n
// CHECK-NEXT:    %[[N1:[0-9]+]] = add %[[N]], 1
// CHECK-NEXT:    store s.*.n, %[[N1]]
// CHECK-NEXT:    px = addr z.x
// CHECK-NEXT:    store t.pts[0].x, 1.0
// CHECK-NEXT:    store t.pts[0].y, 2.0
// CHECK-NEXT:    store t.pts[1].x, 0.0
// CHECK-NEXT:    store t.pts[1].y, 0.0
// CHECK-NEXT:    store t.n, 0
// CHECK-NEXT:    load px.*
// CHECK-NEXT:    load s.*.pts[0].x

// Compound literals are temporaries initialized like declarations.
static double sum3(const double *p) { return p[0] + p[1] + p[2]; }
ADJ_GRAD(x)
double literals(double x) {
  struct vec v = (struct vec){.y = x};
  return v.y + sum3((double[]){x, 2, 3});
}
// CHECK-LABEL: func double literals(double x)  ; grad(x) {
// CHECK:         store v.y, x
// CHECK-NEXT:    store v.x, 0.0
// CHECK-NEXT:    %[[Y:[0-9]+]] = load v.y
// CHECK-NEXT:    store %[[A:[0-9]+]][0], x
// CHECK-NEXT:    store %[[A]][1], 2.0
// CHECK-NEXT:    store %[[A]][2], 3.0
// CHECK-NEXT:    %[[P:[0-9]+]] = addr %[[A]][0]
// CHECK-NEXT:    %[[C:[0-9]+]] = cast (const double *) %[[P]]
// CHECK-NEXT:    %[[S:[0-9]+]] = call sum3(%[[C]])
