// A Flask project's .env file, read by every mfo command.
#include "core/config.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        mfo::core::parse_dotenv(text, ".env");
    } catch (const mfo::core::ConfigError&) {
        // Refusing a malformed file with a message is the expected outcome.
    }
    return 0;
}
