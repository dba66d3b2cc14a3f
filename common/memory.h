// Giving memory back to the operating system after a large request.
#pragma once

namespace attain {

// Returns the allocator's free memory to the operating system (glibc's
// malloc_trim over every arena). A call that built hundreds of MiB of
// short-lived objects (an evaluation of 10,000 reps, on several threads)
// otherwise leaves the process's RSS at its peak, arena by arena. Costs a few
// milliseconds: for the end of large calls, not for hot paths.
void ReleaseFreeMemory();

// Turns off glibc's fastbins (M_MXFAST = 0). A service that builds large
// protobuf graphs interleaves many small frees with allocations of 1 KiB and
// more; each of those then consolidates every fastbin, which took a third of
// attain-eval's CPU in an evaluation of 10,000 reps (measured with perf:
// malloc_consolidate + unlink_chunk). Small frees go to the per-thread caches
// and the ordinary bins instead. Call once at start, before threads.
void TuneAllocator();

}  // namespace attain
