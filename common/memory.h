// Giving memory back to the operating system after a large request.
#pragma once

namespace attain {

// Returns the allocator's free memory to the operating system (glibc's
// malloc_trim over every arena). A call that built hundreds of MiB of
// short-lived objects (an evaluation of 10,000 reps, on several threads)
// otherwise leaves the process's RSS at its peak, arena by arena. Costs a few
// milliseconds: for the end of large calls, not for hot paths.
void ReleaseFreeMemory();

}  // namespace attain
