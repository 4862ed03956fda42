#include "trace/trace-hw_edgenpu.h"
