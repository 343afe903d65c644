// adolc_common.cpp — what the three ADOL-C benchmarks share: the size of a recorded
// tape and its release.
#include "adbench.h"

#include <adolc/adolc.h>

#include <cstdio>

// Bytes ADOL-C 2.7 stores to differentiate the function recorded on tape `tag`, from
// tapestats:
//
//   NUM_OPERATIONS * sizeof(unsigned char)   operation codes (1 byte each)
// + NUM_LOCATIONS  * sizeof(locint)          operand addresses (locint = uint32_t)
// + NUM_VALUES     * sizeof(double)          constants recorded on the tape
// + NUM_PARAM      * sizeof(double)          parameters (mkparam; the BA features)
// + TAY_STACK_SIZE * sizeof(revreal)         the value ("Taylor") stack: values that
//                                            zos_forward(keep = 1) saves for the
//                                            reverse sweep (revreal = double)
//
// The first four are the trace proper (the recorded program); the last is written and
// read by every gradient evaluation, the counterpart of the values an adjc tape holds.
// Buffer capacities (OBUFSIZE etc.) are not counted: they are the in-core window
// onto tapes larger than the buffers, which ADOL-C keeps in files.
extern "C" size_t adolc_tape_bytes(short tag) {
  size_t st[STAT_SIZE];
  tapestats(tag, st);
  return st[NUM_OPERATIONS] * sizeof(unsigned char) + st[NUM_LOCATIONS] * sizeof(locint) +
         st[NUM_VALUES] * sizeof(double) + st[NUM_PARAM] * sizeof(double) +
         st[TAY_STACK_SIZE] * sizeof(revreal);
}

// Frees the tape's buffers and deletes its files (ADOLC-Operations_<tag>.tap,
// -Locations_, -Values_ in the current directory, written when a tape outgrows its
// buffers). removeTape does not delete a value-stack file (ADOLC-Taylors_<tag>.tap,
// written when the value stack outgrows its buffer), so that one is removed here.
extern "C" void adolc_release(short tag) {
  removeTape(tag, ADOLC_REMOVE_COMPLETELY);
  char name[64];
  std::snprintf(name, sizeof name, "ADOLC-Taylors_%d.tap", (int)tag);
  std::remove(name);
}
