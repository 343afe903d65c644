// adjc --help lists every option and exits 0; --version prints the version.
//
// RUN: %adjc --help | %FileCheck %s
// RUN: %adjc -h | %FileCheck %s
// RUN: %adjc --version | %FileCheck %s --check-prefix=VERSION
//
// CHECK: usage: adjc [options] input.c
// CHECK-DAG: {{^  }}-o FILE
// CHECK-DAG: {{^  }}--header FILE
// CHECK-DAG: {{^  }}--emit=c|ir|dot
// CHECK-DAG: {{^  }}--print-after=PASS
// CHECK-DAG: {{^  }}--no-line
// CHECK-DAG: {{^  }}-p DIR
// CHECK-DAG: {{^  }}-MD
// CHECK-DAG: {{^  }}-MF FILE
// CHECK-DAG: {{^  }}--help
// CHECK-DAG: {{^  }}--version
// CHECK-DAG: {{^  }}-- FLAGS
// CHECK-DAG: exit status: 0 success, 1 diagnosed error in the input, 2 bad usage
//
// VERSION: {{^adjc [0-9]+\.[0-9]+\.[0-9]+}}
