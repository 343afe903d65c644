// The quick start of README.md, as CI sees it: adjc differentiates
// examples/quickstart/quickstart.c, the result builds with gcc and clang under
// -Wall -Wextra -Werror against libadjoint, and the program's gradient agrees with
// finite differences. (scripts/quickstart.sh does the same steps for a person.)
//
// RUN: %adjc %S/../../../examples/quickstart/quickstart.c -o %t.c
// RUN: %cc %t.c %adjlib -o %t.exe
// RUN: %t.exe | %FileCheck %s
// RUN: %clang %t.c %adjlib -o %t.clang.exe
// RUN: %t.clang.exe | %FileCheck %s
//
// CHECK: loss(w)      = {{[0-9.]+}}
// CHECK: d loss / d w = [{{-?[0-9.]+}}, {{-?[0-9.]+}}]
// CHECK: gradient agrees with finite differences (tol 1e-8): yes
