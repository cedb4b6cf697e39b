#pragma once

namespace mfo::cli {

inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_failure = 1; // run time: missing user, bad database
inline constexpr int k_exit_usage = 2; // bad option or a value refused upfront

} // namespace mfo::cli
