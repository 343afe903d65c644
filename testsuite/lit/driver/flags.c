// Compiler flags reach the parser (after `--`, or from compile_commands.json with
// -p), -MD/-MF write a make dependency file, --header writes the prototypes.
// SCALE is defined only by those flags: without them the file does not parse.
//
// RUN: rm -rf %t.dir && mkdir -p %t.dir
// RUN: %expect_exit 1 %adjc %s -o %t.dir/noflags.c 2>&1 | %FileCheck %s --check-prefix=NOFLAGS
// NOFLAGS: error: {{.*}}SCALE
//
// RUN: %adjc %s -o %t.dir/out.c --header %t.dir/out.h -MD -MF %t.dir/out.d -- -DSCALE=3.0
// RUN: %FileCheck %s --check-prefix=HEADER < %t.dir/out.h
// HEADER: double scaled_grad(double x, double *d_x);
// RUN: %FileCheck %s --check-prefix=DEP < %t.dir/out.d
// DEP: {{.*}}.c: {{.*}}flags.c
// DEP: depfile_dep.h
// RUN: %cc -DSCALE=3.0 %t.dir/out.c %adjlib -o %t.dir/out.exe
// RUN: %t.dir/out.exe | %FileCheck %s --check-prefix=RUNS
// RUNS: scaled 12 grad 6
//
// -MD alone names the dependency file after the output.
// RUN: %adjc %s -o %t.dir/md.c -MD -- -DSCALE=3.0
// RUN: %FileCheck %s --check-prefix=DEP < %t.dir/md.c.d
//
// -p DIR takes the flags from DIR/compile_commands.json.
// RUN: echo '[{"directory": "%t.dir", "file": "%s", "arguments": ["cc", "-DSCALE=3.0", "-c", "%s", "-o", "x.o"]}]' > %t.dir/compile_commands.json
// RUN: %adjc -p %t.dir %s -o %t.dir/p.c
// RUN: %cc -DSCALE=3.0 %t.dir/p.c %adjlib -o %t.dir/p.exe
// RUN: %t.dir/p.exe | %FileCheck %s --check-prefix=RUNS
#include <adjoint.h>
#include <stdio.h>

#include "../Inputs/depfile_dep.h"

ADJ_GRAD(x)
double scaled(double x) { return SCALE * DEP_FACTOR * x; }

double scaled_grad(double x, double *d_x);

int main(void) {
  double d_x = 0.0;
  double y = scaled_grad(2.0, &d_x);
  printf("scaled %g grad %g\n", y, d_x);
  return 0;
}
