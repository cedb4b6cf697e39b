// Fields read from an imported Flask-Security-Too database.
#include "core/flask_import.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    mfo::core::fst_hash_kind(text);
    mfo::core::parse_fst_time(text);
    return 0;
}
