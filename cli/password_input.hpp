#pragma once

#include "core/secret.hpp"

namespace mfo::cli {

enum class PasswordSource { prompt, standard_input, generate };

// Reads a new password the way the user asked: a no-echo prompt asked twice
// (needs a terminal), one line of standard input, or a generated one.
// Throws UsageError when prompting is impossible or the two entries differ.
core::SecretString read_new_password(PasswordSource source);

// 20 random characters from an alphabet without look-alikes (~115 bits).
core::SecretString generate_password();

} // namespace mfo::cli
