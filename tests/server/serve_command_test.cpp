#include "tests/support/run_mfo.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace mfo::test;

namespace {

// `mfo serve --port 0` started in `dir`, its standard error in a file.
pid_t spawn_serve(const TempDir& dir)
{
    const std::string log = dir.file("serve.log");
    const pid_t pid = fork();
    if (pid == 0) {
        const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || chdir(dir.path().c_str()) != 0) {
            _exit(127);
        }
        dup2(fd, STDERR_FILENO);
        dup2(fd, STDOUT_FILENO);
        execl(MFO_BINARY, MFO_BINARY, "serve", "--port", "0", "--threads", "2",
              static_cast<char*>(nullptr));
        _exit(127);
    }
    return pid;
}

std::string read_text(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The port from the start-up line, waiting up to five seconds for it.
int wait_for_port(const TempDir& dir)
{
    const std::string marker = "listening on http://127.0.0.1:";
    for (int i = 0; i < 500; ++i) {
        const std::string log = read_text(dir.file("serve.log"));
        const auto at = log.find(marker);
        if (at != std::string::npos) {
            return std::stoi(log.substr(at + marker.size()));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return 0;
}

} // namespace

TEST_CASE("serve prints its URL and exits 0 on SIGTERM", "[server]")
{
    TempDir dir;
    init_instance(dir);
    const pid_t pid = spawn_serve(dir);
    REQUIRE(pid > 0);
    const int port = wait_for_port(dir);
    if (port == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
    }
    REQUIRE(port > 0);

    httplib::Client client("127.0.0.1", port);
    const httplib::Result health = client.Get("/healthz");
    REQUIRE(health);
    CHECK(health->body == "ok");
    // Access lines are batched, but reach the log while the server runs.
    bool is_logged = false;
    for (int i = 0; i < 200 && !is_logged; ++i) {
        is_logged = read_text(dir.file("serve.log")).find("GET /healthz 200") !=
                    std::string::npos;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(is_logged);

    kill(pid, SIGTERM);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    const std::string log = read_text(dir.file("serve.log"));
    CHECK(log.find("GET /healthz 200") != std::string::npos);
    CHECK(log.find("stopping on SIGTERM") != std::string::npos);
}

TEST_CASE("serve refuses a missing database in one line", "[server]")
{
    TempDir dir;
    const RunResult result = run_mfo(dir, {"serve", "--port", "0"});
    CHECK(result.exit_code == 1);
    CHECK(result.err.starts_with("mfo: error: "));
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
}

TEST_CASE("serve refuses a port that is not a number as misuse", "[server]")
{
    TempDir dir;
    init_instance(dir);
    const RunResult result = run_mfo(dir, {"serve", "--port", "http"});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("port") != std::string::npos);
}

TEST_CASE("mfo serve without mfo-serve beside or below it fails in one line",
          "[server]")
{
    TempDir dir;
    init_instance(dir);
    // A copy of mfo alone: neither ./mfo-serve nor ../libexec/mfo/mfo-serve.
    const std::filesystem::path lonely = dir.path() / "bin" / "mfo";
    std::filesystem::create_directories(lonely.parent_path());
    std::filesystem::copy_file(MFO_BINARY, lonely);
    RunOptions options;
    options.binary = lonely.string();
    const RunResult result = run_mfo(dir, {"serve", "--port", "0"}, options);
    CHECK(result.exit_code == 1);
    CHECK(result.err.starts_with("mfo: error: cannot find the mfo-serve"));
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
}

TEST_CASE("mfo serve runs mfo-serve in its own process", "[server]")
{
    TempDir dir;
    init_instance(dir);
    const pid_t pid = spawn_serve(dir);
    REQUIRE(pid > 0);
    const int port = wait_for_port(dir);
    // The PID that was started is the server: systemd and signals reach it.
    const std::string exe =
        std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe")
            .filename()
            .string();
    kill(pid, SIGTERM);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(port > 0);
    CHECK(exe == "mfo-serve");
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("serve takes a burst of connections while it is not accepting",
          "[server]")
{
    TempDir dir;
    init_instance(dir);
    const pid_t pid = spawn_serve(dir);
    REQUIRE(pid > 0);
    const int port = wait_for_port(dir);
    // Stopped, the server accepts nothing: every handshake must wait in
    // the kernel's queue. With httplib's backlog of 5 the rest were
    // dropped and retried 200 ms or more later.
    kill(pid, SIGSTOP);
    constexpr int k_connections = 32;
    std::vector<int> sockets;
    for (int i = 0; i < k_connections && port > 0; ++i) {
        const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(port));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connect(fd, reinterpret_cast<const sockaddr*>(&address),
                sizeof(address));
        sockets.push_back(fd);
    }
    // One second for all of them: a dropped handshake is retried after
    // one second at the earliest.
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(900);
    int connected = 0;
    for (const int fd : sockets) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd ready{fd, POLLOUT, 0};
        int error = -1;
        socklen_t size = sizeof(error);
        if (poll(&ready, 1,
                 static_cast<int>(std::max<long>(left.count(), 0))) == 1 &&
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0 &&
            error == 0) {
            ++connected;
        }
        close(fd);
    }
    kill(pid, SIGCONT);
    kill(pid, SIGTERM);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(port > 0);
    CHECK(connected == k_connections);
}
