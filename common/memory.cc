#include "common/memory.h"

#include <malloc.h>

namespace attain {

void ReleaseFreeMemory() { malloc_trim(0); }

}  // namespace attain
