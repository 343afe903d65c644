// -p DIR takes the flags for the input from DIR/compile_commands.json: the
// compiler name, -c, -o FILE, the input and every -M* flag are dropped (libclang
// would write the -MF file), the rest applies relative to the entry's directory.
//
// RUN: rm -rf %t.dir
// RUN: mkdir -p %t.dir/inc
// RUN: echo '#define SCALE 3.0' > %t.dir/inc/scale.h
// RUN: echo '[{"directory": "%t.dir", "command": "gcc -c -Iinc -DOFFSET=2 -MD -MF %t.dir/dep.d -o out.o %s", "file": "%s"}]' > %t.dir/compile_commands.json
// RUN: %adjc %s -p %t.dir --print-after=lower --emit=ir >/dev/null 2>%t.ir || true
// RUN: %FileCheck %s < %t.ir
// RUN: not test -e %t.dir/dep.d
#include <adjoint.h>
#include "scale.h"

ADJ_GRAD(x)
double scaled(double x) { return SCALE * x + OFFSET; }
// CHECK-LABEL: func double scaled(double x)  ; grad(x) {
// CHECK:         %[[M:[0-9]+]] = mul 3.0, x
// CHECK-NEXT:    %[[A:[0-9]+]] = add %[[M]], 2.0
// CHECK-NEXT:    ret %[[A]]
