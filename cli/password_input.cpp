#include "cli/password_input.hpp"

#include "cli/context.hpp"
#include "core/crypto.hpp"

#include <iostream>
#include <sodium.h>
#include <termios.h>
#include <unistd.h>

namespace mfo::cli {
namespace {

// Turns terminal echo off for its lifetime, and back on even on error.
class EchoOff {
public:
    EchoOff()
    {
        m_is_set = tcgetattr(STDIN_FILENO, &m_saved) == 0;
        if (m_is_set) {
            termios quiet = m_saved;
            quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        }
    }
    ~EchoOff()
    {
        if (m_is_set) {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &m_saved);
        }
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

private:
    termios m_saved{};
    bool m_is_set = false;
};

core::SecretString read_line(std::istream& in)
{
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') {
        line.pop_back();
    }
    return core::SecretString(std::move(line));
}

core::SecretString prompt(const char* question)
{
    std::cerr << question << std::flush;
    core::SecretString answer;
    {
        const EchoOff echo_off;
        answer = read_line(std::cin);
    }
    std::cerr << '\n';
    return answer;
}

core::SecretString prompt_twice()
{
    if (isatty(STDIN_FILENO) != 1) {
        throw UsageError("no terminal to ask for the password: use "
                         "--password-stdin or --generate-password");
    }
    core::SecretString first = prompt("New password: ");
    const core::SecretString second = prompt("Repeat the password: ");
    if (!core::constant_time_equal(first.view(), second.view())) {
        throw UsageError("the two passwords differ; nothing was changed");
    }
    return first;
}

} // namespace

core::SecretString generate_password()
{
    core::ensure_sodium();
    static constexpr char k_alphabet[] =
        "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    const auto alphabet_size = static_cast<uint32_t>(sizeof k_alphabet - 1);
    std::string password;
    for (int i = 0; i < 20; ++i) {
        password += k_alphabet[randombytes_uniform(alphabet_size)];
    }
    return core::SecretString(std::move(password));
}

core::SecretString read_new_password(PasswordSource source)
{
    switch (source) {
    case PasswordSource::standard_input:
        return read_line(std::cin);
    case PasswordSource::generate:
        return generate_password();
    case PasswordSource::prompt:
        break;
    }
    return prompt_twice();
}

} // namespace mfo::cli
