#include "common/memory.h"

#include <malloc.h>

namespace attain {

void ReleaseFreeMemory() { malloc_trim(0); }

void TuneAllocator() { mallopt(M_MXFAST, 0); }

}  // namespace attain
