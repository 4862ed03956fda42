// SPDX-License-Identifier: GPL-2.0-only
/* The driver's tracepoints (edgenpu_trace.h), defined once. */
#define CREATE_TRACE_POINTS
#include "edgenpu_trace.h"
