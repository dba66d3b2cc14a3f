// FUZZ_CHECK(cond) << "context": an invariant of a fuzz target. When it does
// not hold, the message goes to stderr and the process aborts, which libFuzzer
// reports as a crash (with the input saved).
#pragma once

#include <cstdlib>
#include <iostream>

namespace attain::fuzz {

// Prints "<file>:<line>: FUZZ_CHECK(<cond>) failed: <streamed text>" and aborts
// when destroyed.
class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition) {
    std::cerr << file << ":" << line << ": FUZZ_CHECK(" << condition << ") failed: ";
  }
  ~CheckFailure() {
    std::cerr << std::endl;
    std::abort();
  }
  template <typename T>
  CheckFailure& operator<<(const T& value) {
    std::cerr << value;
    return *this;
  }
};

// Turns the streamed CheckFailure into void for the conditional below (glog's trick).
struct Voidify {
  void operator&(const CheckFailure&) {}
};

}  // namespace attain::fuzz

#define FUZZ_CHECK(cond)        \
  (cond) ? static_cast<void>(0) \
         : ::attain::fuzz::Voidify() & ::attain::fuzz::CheckFailure(__FILE__, __LINE__, #cond)
